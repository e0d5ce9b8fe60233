"""The one accessor of every face for the app context of this request."""
from __future__ import annotations

from flask import current_app

from app.core.context import AppContext


def context() -> AppContext:
    return current_app.extensions["ticflow"]
