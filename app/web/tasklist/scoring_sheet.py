"""The scoring sheet (评分表) on the expert_review page: one number field per criterion of
the case's review kind (decision table `tic_review_criteria`: label, weight, maximum), and
the weighted total `expertScore` beside them.

The total is computed here when the page is posted (so a page without JavaScript works) and
live in the browser from the hints `weight` and `totalOf` (tasklist.js), which is only a
help: the step's listener checks the sheet and its total as for any API client."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.context import AppContext
from app.tic import expert_reviews, panel_draws

from ..auth.i18n import t

SHEET = "criterionScores"
TOTAL = "expertScore"
MAXIMUM = 100


def extend(ctx: AppContext, session: Session, task, form: dict) -> dict:
    """`form` with the sheet's criteria as fields of `criterionScores`, first on the page, and
    the total marked as theirs; unchanged when the form has no sheet or the table no criteria."""
    schema = form["schema"] or {}
    properties = schema.get("properties") or {}
    criteria = panel_draws.criteria(ctx, session, task.process_key) if SHEET in properties else []
    if not criteria:
        return form
    sheet = {**properties[SHEET], "required": [c["code"] for c in criteria], "description": t("sheet.help"),
             "properties": {c["code"]: _criterion_schema(c, criteria) for c in criteria}}
    ui = form["ui"] or {}
    hints = dict(ui.get("fields") or {})
    hints[SHEET] = {**(hints.get(SHEET) or {}), "criteria": criteria}
    hints.update({f"{SHEET}.{c['code']}": {"weight": c["weight"], "maximum": MAXIMUM, "suffix": t("sheet.points")}
                  for c in criteria})
    hints[TOTAL] = {**(hints.get(TOTAL) or {}), "totalOf": SHEET, "suffix": t("sheet.points")}
    return {**form,
            "schema": {**schema, "properties": {**properties, SHEET: sheet},
                       "required": [SHEET, *(schema.get("required") or [])]},
            "ui": {**ui, "fields": hints, "order": [SHEET, *(n for n in ui.get("order") or [] if n != SHEET)]}}


def _criterion_schema(criterion: dict, criteria: list[dict]) -> dict:
    share = round(criterion["weight"] * 100 / sum(c["weight"] for c in criteria))
    return {"type": "integer", "minimum": 0, "maximum": MAXIMUM,
            "title": t("sheet.criterion", label=criterion["label"], share=share, maximum=MAXIMUM)}


def posted(form: dict, values: dict) -> dict:
    """The posted values with the total the server computes, where the expert left it empty
    and the sheet is complete; a total given is left for the listener to check."""
    criteria = _criteria(form)
    if not criteria or values.get(TOTAL) is not None:
        return values
    total, problems = expert_reviews.weighted_total(criteria, _sheet(values))
    return values if problems else {**values, TOTAL: total}


def explained(form: dict, values: dict, errors: list[dict]) -> list[dict]:
    """A refusal's errors with the sheet's own, beside its criteria, in place of what the
    schema says of the sheet or of a total that could not be computed from it."""
    criteria = _criteria(form)
    if not criteria:
        return errors
    _total, problems = expert_reviews.weighted_total(criteria, _sheet(values))
    if not problems:
        return errors
    return [e for e in errors if e["field"] != TOTAL and not e["field"].startswith(SHEET)] + problems


def _criteria(form: dict) -> list[dict]:
    return (((form["ui"] or {}).get("fields") or {}).get(SHEET) or {}).get("criteria") or []


def _sheet(values: dict) -> dict:
    sheet = values.get(SHEET)
    return sheet if isinstance(sheet, dict) else {}
