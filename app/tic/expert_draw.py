"""The random draw of an expert panel (专家抽取): who may be drawn for an application, and
the draw itself, reproducible from its seed.

Pure rules over plain values: the pool as the draw sees it (`PoolExpert`), the applying units
(`Applicant`), the draw's date. An expert steps aside (R15) for the lead unit and every
co-builder, matched by name or credit code, where they work now or worked less than
`AFFILIATION_YEARS` years before the draw, and once they declined or reviewed for this
applicant in this round (`Applicant.earlier`). Of the rest, those in the field, in the pool and
available are ranked by their open reviews (fewest first), ties broken by a random order drawn
from the seed; the panel takes `outside` experts from outside the region, the rest from inside.
The same candidates and seed give the same panel: that is how a draw is re-checked."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date

AFFILIATION_YEARS = 3


@dataclass(frozen=True)
class Unit:
    label: str
    name: str
    credit_code: str = ""


@dataclass(frozen=True)
class Applicant:
    """The units an expert must not review for: the lead unit first, then the co-builders;
    and the experts who already declined or reviewed for it in this round, with why."""

    organization_id: str | None
    units: tuple[Unit, ...]
    earlier: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, variables: dict, earlier: dict[str, str] | None = None) -> Applicant:
        lead = variables.get("leadUnit") or {}
        units = [Unit("牵头单位", _text(lead.get("name")), _text(lead.get("creditCode")).upper())]
        units += [Unit("共建单位", _text(c.get("name")), _text(c.get("creditCode")).upper())
                  for c in variables.get("coBuilders") or [] if isinstance(c, dict)]
        return cls(_text(variables.get("applicantOrg")) or None, tuple(u for u in units if u.name or u.credit_code),
                   tuple(sorted((earlier or {}).items())))


@dataclass(frozen=True)
class PoolExpert:
    user_id: str
    name: str
    organization_id: str
    organization: str
    credit_code: str
    fields: tuple[str, ...]
    in_region: bool
    drawable: bool
    affiliations: tuple[dict, ...] = ()
    open_reviews: int = 0


@dataclass(frozen=True)
class Draw:
    seed: str
    chosen: tuple[str, ...]
    candidates: tuple[dict, ...]
    excluded: dict[str, str] = field(default_factory=dict)


class DrawImpossible(ValueError):
    """Too few experts can be drawn; the message says how many were needed and found."""


def new_seed() -> str:
    """Made on the server and shown after the draw: it can be re-checked, never chosen."""
    return secrets.token_hex(16)


def conflict(expert: PoolExpert, applicant: Applicant, today: date) -> str | None:
    """Why `expert` must step aside for `applicant` (R15), or None."""
    for user_id, why in applicant.earlier:
        if user_id == expert.user_id:
            return why
    if applicant.organization_id and expert.organization_id == applicant.organization_id:
        return f"任职于申报单位“{expert.organization}”"
    for unit in applicant.units:
        if _same(unit, expert.organization, expert.credit_code):
            return f"任职于{unit.label}“{unit.name or expert.organization}”"
    for past in expert.affiliations:
        if _recent(past, today) and any(_same(u, _text(past.get("organization")),
                                              _text(past.get("creditCode")).upper()) for u in applicant.units):
            return (f"{AFFILIATION_YEARS} 年内曾任职于“{_text(past.get('organization'))}”"
                    f"（至 {_text(past.get('to')) or '今'}）")
    return None


def draw(pool: list[PoolExpert], applicant: Applicant, field_code: str, size: int, outside: int,
         seed: str, today: date) -> Draw:
    """Draw `size` experts in `field_code`, `outside` of them from outside the region."""
    candidates, excluded = [], {}
    for expert in sorted(pool, key=lambda e: e.user_id):
        reason = _unfit(expert, field_code) or conflict(expert, applicant, today)
        if reason:
            excluded[expert.user_id] = reason
        else:
            candidates.append({"userId": expert.user_id, "inRegion": expert.in_region,
                               "openReviews": expert.open_reviews})
    return Draw(seed, choose(candidates, size, outside, seed), tuple(candidates), excluded)


def choose(candidates: list[dict] | tuple[dict, ...], size: int, outside: int, seed: str) -> tuple[str, ...]:
    """The panel from the eligible candidates and the seed alone (a draw's re-check)."""
    order = random.Random(seed)
    tie_break = {c["userId"]: order.random() for c in sorted(candidates, key=lambda c: c["userId"])}
    ranked = sorted(candidates, key=lambda c: (c["openReviews"], tie_break[c["userId"]]))
    from_outside = [c["userId"] for c in ranked if not c["inRegion"]][:outside]
    from_inside = [c["userId"] for c in ranked if c["inRegion"]][:size - outside]
    if len(from_outside) < outside or len(from_inside) < size - outside:
        raise DrawImpossible(
            f"可抽取的专家不足：需要区外 {outside} 人、区内 {size - outside} 人，"
            f"符合条件的区外 {sum(1 for c in candidates if not c['inRegion'])} 人、"
            f"区内 {sum(1 for c in candidates if c['inRegion'])} 人")
    return tuple(from_outside + from_inside)


def _unfit(expert: PoolExpert, field_code: str) -> str | None:
    if not expert.drawable:
        return "不在库或暂不可抽取"
    if field_code not in expert.fields:
        return "不属于该领域"
    return None


def _recent(affiliation: dict, today: date) -> bool:
    """Worked there now, or left less than AFFILIATION_YEARS years before `today`."""
    left = _text(affiliation.get("to"))
    if not left:
        return True
    try:
        ended = date.fromisoformat(left)
    except ValueError:
        return True  # an unreadable end date is treated as current: stepping aside is the safe side
    return ended > _years_before(today, AFFILIATION_YEARS)


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _same(unit: Unit, name: str, credit_code: str) -> bool:
    return (bool(unit.name) and unit.name == name) or (bool(unit.credit_code) and unit.credit_code == credit_code)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""
