"""Case numbers of the TIC procedures: the business key officers quote for an application
(申请, SQ) or a major change (变更, BG), given to a case started without one, whichever face
started it. The app hands `mint` to the platform as its business-key hook
(`AppContext.mint_business_key`); other processes get no number (Camunda's default).
"""
from __future__ import annotations

import secrets
from datetime import datetime

from app.clock import to_shanghai

PREFIXES = {"tic_establishment": "SQ", "tic_major_change": "BG"}


def mint(process_key: str, now: datetime) -> str | None:
    """A number like SQ-2026-4F9A2C: the year (Asia/Shanghai) and six random hex digits,
    drawn again by the platform while another case of the process holds it (no counter row
    for every starter to contend for)."""
    prefix = PREFIXES.get(process_key)
    if prefix is None:
        return None
    return f"{prefix}-{to_shanghai(now).year}-{secrets.token_hex(3).upper()}"
