"""What the task page shows, gathered from the services: the task, its form (from a draft,
the instance's values or what was just posted), the application's data read-only, every
earlier step's opinion, where the instance stands, and what the actor may do
(`allowed_actions`: the page decides no permission itself)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.core import confidential, directory
from app.core.context import AppContext
from app.core.identity import Actor
from app.platform import (
    allowed_actions, collaboration, drafts, forms, history_queries, instance_detail, instance_store,
    process_instances, queries, user_tasks,
)
from app.platform.allowed_actions import CaseActions, TaskActions
from app.tic import (
    applications, documents, expert_reviews, outcomes, panel_changes, panel_draws, rounds, scoring_sheets,
)

from ..auth.i18n import language, t
from ..model_labels import StepLabel, english_name, process_label, step_label
from . import form_extensions
from .form_model import Field, FormBuilder, PickOption, all_names

OPINION_SUFFIXES = ("Decision", "Opinion")
HISTORY_LIMIT = 200


@dataclass
class Opinion:
    step: str
    who: str
    when: object
    entries: list[tuple[str, str]]
    returned: bool = False


@dataclass
class Returned:
    who: str
    opinion: str


@dataclass
class TaskPage:
    task: object
    instance: object
    actions: TaskActions
    case_actions: CaseActions
    form_title: str | None
    fields: list[Field]
    form_errors: list[str]
    context: list[Field]
    opinions: list[Opinion]
    current_steps: list[str]
    active_ids: list[str]
    called_paths: dict
    collaboration: Collaboration
    draft_saved_at: object = None
    has_errors: bool = False
    returned: Returned | None = None
    decision_file: dict = field(default_factory=dict)
    draw: Draw | None = None
    declinable: bool = False


@dataclass
class Draw:
    """The random draw of an assign_experts task as department staff see it: the latest
    draw (None before the first), the requests to draw again, and whether a draw may be made
    now (the first one, or on an approved request)."""

    latest: object
    requests: list
    may_draw: bool
    panel: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)


@dataclass
class Collaboration:
    """What surrounds a case: comments and attachments."""

    comments: list[dict]
    attachments: list[dict]


@dataclass
class InstancePage:
    instance: object
    process_name: str
    application: list[Field]
    opinions: list[Opinion]
    open_tasks: list
    current_steps: list[str]
    active_ids: list[str]
    collaboration: Collaboration
    case_actions: CaseActions
    outcome: outcomes.Outcome | None
    path: dict
    called_paths: dict
    panel: list[panel_changes.PanelMember] | None = None
    panel_candidates: list[PickOption] = field(default_factory=list)
    # The application round (申报批次) the case belongs to: its id and title.
    round: tuple[str, str] | None = None
    draw_requests: list = field(default_factory=list)
    decides_draws: bool = False
    documents: list[dict] = field(default_factory=list)
    sheets: scoring_sheets.Sheets | None = None


def build(ctx: AppContext, session: Session, actor: Actor, task_id: str,
          posted: dict | None = None, errors: list[dict] | None = None) -> TaskPage:
    """The page of a task; `posted` and `errors` re-render a refused submission as typed."""
    task = user_tasks.get_task(session, actor, task_id)
    form = form_extensions.form_of(ctx, session, actor, task)
    instance = process_instances.get_instance(session, actor, task.instance_id)
    definition = instance_store.definition_of(ctx, session, instance.definition_id)
    catalogue = _forms_of(ctx, session, definition)
    draft = drafts.load(session, actor, task_id)
    draw = _draw(session, actor, task)
    drawn = {"experts": draw.panel} if draw is not None and draw.panel else {}
    values = posted if posted is not None else {**form["values"], **drawn, **drafts.values_of(draft)}
    by_field = {**_reasons(form["ui"], form["values"]), **field_messages(errors or [])}
    around = _collaboration(session, actor, instance)
    actions = allowed_actions.for_task(ctx, session, actor, task)
    fields, unplaced = form_fields(session, form["schema"], form["ui"], values, by_field,
                                   {a["id"]: a for a in around.attachments}, case_values=form["values"])
    active = queries.active_activities(session, actor, task.instance_id)
    _path, called_paths = instance_detail.paths_of(ctx, session, actor, definition, instance.id)
    opinions = _opinions(session, actor, task.instance_id, catalogue, form["values"])
    return TaskPage(
        task=task, instance=instance, actions=actions,
        case_actions=allowed_actions.for_case(ctx, session, actor, instance),
        form_title=_builder(form["schema"], form["ui"]).title(form["schema"] or {}),
        fields=fields, form_errors=unplaced,
        context=_context(form, catalogue, form["values"]),
        opinions=opinions,
        current_steps=current_steps(active),
        active_ids=[a.activity_id for a in active if _is_step(a)], called_paths=called_paths,
        collaboration=around,
        draft_saved_at=draft.saved_at if draft is not None and posted is None else None,
        has_errors=bool(errors), returned=_returned_here(task, opinions, form["values"]),
        decision_file=_decision_file(session, actor, actions, task, form["ui"]),
        draw=draw, declinable=task.task_key == expert_reviews.REVIEW_STEP and task.assignee == actor.id,
    )


def _draw(session: Session, actor: Actor, task) -> Draw | None:
    if task.task_key != panel_draws.ASSIGN_STEP or not confidential.sees_all(actor):
        return None
    latest = panel_draws.latest_draw(session, task.id)
    requests = [r for r in panel_draws.requests_of(session, actor, task.instance_id) if r.task_id == task.id]
    approved = any(r.decision == "approved" and r.used_by_draw is None for r in requests)
    if latest is None:
        return Draw(None, requests, True)
    return Draw(latest, requests, approved, panel_draws.panel_of(latest), json.loads(latest.excluded_json))


def form_fields(session: Session, schema: dict | None, ui: dict | None, values: dict,
                by_field: dict[str, str], attachments: dict[str, dict] | None = None,
                case_values: dict | None = None) -> tuple[list[Field], list[str]]:
    """The form an officer fills, as the task page shows it (the analysts' preview shows
    this too): the field tree with each message beside its field, and the messages no field
    of the form takes (shown above it). `case_values` are the case's variables, which the
    expert picker checks each expert against."""
    builder = _builder(schema, ui, by_field, people=lambda group: _pick_options(session, group, case_values),
                       attachments=attachments or {},
                       organizations=lambda kinds: directory.organizations(session, kinds))
    fields = builder.fields(values) if schema else []
    return fields, [m for name, m in by_field.items() if name not in all_names(fields)]


def _pick_options(session: Session, group: str, case_values: dict | None) -> list[PickOption]:
    """A group's members to pick from; experts with their open reviews and, against this
    case, whether they must step aside (回避), so the department sees it before submitting."""
    members = directory.members(session, group)
    if group != expert_reviews.EXPERT_GROUP or case_values is None:
        return [PickOption(p.id, p.label) for p in members]
    found = expert_reviews.candidates(session, [p.id for p in members], case_values)
    return [_expert_option(p, found[p.id]) for p in members]


def _expert_option(person, candidate: expert_reviews.Candidate) -> PickOption:
    note = t("picker.open_reviews", count=candidate.open_reviews)
    if candidate.conflict:
        note = t("picker.conflict", unit=candidate.conflict) + "；" + note
    return PickOption(person.id, person.label, note, blocked=bool(candidate.conflict))


def field_messages(errors: list[dict]) -> dict[str, str]:
    """A refusal's field errors by field, in the page's language."""
    return {e["field"]: _message(e) for e in errors}


def _decision_file(session: Session, actor: Actor, actions: TaskActions, task,
                   ui: dict | None) -> dict:
    """What a decision rests on, where the form's UI hints ask for it: each expert's review
    and the site visit, and the ranking of all applications awaiting approval (择优)."""
    wanted = {e["panel"] for e in (ui or {}).get("context") or [] if e.get("panel")}
    if not wanted or not actions.sees_confidential:
        return {}
    found = {}
    if "review_file" in wanted:
        found["review_file"] = applications.review_file(session, actor, task.instance_id)
    if "ranking" in wanted:
        found["ranking"] = applications.ranking(session, actor)
    return found


def _returned_here(task, opinions: list[Opinion], values: dict) -> Returned | None:
    """The return that reopened this very task (same moment), with its opinion."""
    for opinion in reversed(opinions):
        if opinion.returned and opinion.when == task.created_at:
            return Returned(opinion.who, values.get("lastReturnOpinion") or "")
    return None


def build_instance(ctx: AppContext, session: Session, actor: Actor, instance_id: str) -> InstancePage:
    """A case as its applicant, a copied-in reader or an earlier handler sees it."""
    instance = process_instances.get_instance(session, actor, instance_id)
    definition = instance_store.definition_of(ctx, session, instance.definition_id)
    catalogue = _forms_of(ctx, session, definition)
    values, _types = process_instances.visible_variables(actor, instance)
    steps = history_queries.historic_tasks(session, actor, queries.Query({"processInstanceId": instance.id}),
                                           queries.Page(0, HISTORY_LIMIT))
    active = queries.active_activities(session, actor, instance.id)
    path, called_paths = instance_detail.paths_of(ctx, session, actor, definition, instance.id)
    return InstancePage(
        instance=instance, process_name=process_label(definition.id, definition.key, definition.name),
        application=_application(catalogue, steps, values,
                                 lambda kinds: directory.organizations(session, kinds)),
        opinions=_opinions(session, actor, instance.id, catalogue, values),
        open_tasks=[row for row in steps if row.end_time is None],
        current_steps=current_steps(active),
        active_ids=[a.activity_id for a in active if _is_step(a)],
        collaboration=_collaboration(session, actor, instance),
        case_actions=allowed_actions.for_case(ctx, session, actor, instance),
        outcome=outcomes.of_case(instance, path.end, values,
                                 english_name(definition.id, path.end.activity_id if path.end else None)),
        path=path.to_json(), called_paths=called_paths,
        round=rounds.title_of(session, values.get("roundId")),
        draw_requests=panel_draws.requests_of(session, actor, instance.id),
        decides_draws=panel_draws.may_decide(actor),
        documents=documents.of_instance(session, actor, instance.id),
        sheets=scoring_sheets.of_case(ctx, session, actor, instance),
        **_panel(ctx, session, actor, instance, values),
    )


def _panel(ctx: AppContext, session: Session, actor: Actor, instance, values: dict) -> dict:
    """The running expert panel the department may change (加签/减签), and whom it may add."""
    panel = panel_changes.panel_of(ctx, session, actor, instance)
    if panel is None:
        return {}
    on_panel = {member.expert for member in panel}
    offered = _pick_options(session, expert_reviews.EXPERT_GROUP, values)
    return {"panel": panel, "panel_candidates": [o for o in offered if o.id not in on_panel]}


def _application(catalogue, steps, values: dict, organizations) -> list[Field]:
    """The case's first form (the application itself), read-only."""
    for row in sorted(steps, key=lambda r: r.start_time):
        if row.form_key in catalogue:
            schema, ui = catalogue[row.form_key]
            return _builder(schema, ui, organizations=organizations).fields(values)
    return []


def _collaboration(session, actor: Actor, instance) -> Collaboration:
    return Collaboration(
        comments=collaboration.list_comments(session, actor, instance.id),
        attachments=collaboration.list_attachments(session, actor, instance.id),
    )




def current_steps(active, label: StepLabel = step_label) -> list[str]:
    """Each open step once, by its name as `label` gives it (definition id, activity id, stored
    name): three experts reviewing are one 专家论证评分, and the multi-instance activity
    around them (which has no name of its own) is not another."""
    named = {a.activity_id: a.activity_name for a in active if a.activity_name}
    steps = [label(a.definition_id, a.activity_id, named.get(a.activity_id)) for a in active if _is_step(a)]
    return list(dict.fromkeys(steps))


def _is_step(activity) -> bool:
    """A step an officer works on: not an event waiting beside it (a withdrawal message)."""
    return not activity.activity_type.endswith(("Event", "Gateway"))


def _reasons(ui: dict | None, values: dict) -> dict[str, str]:
    """Why the form came back, beside the fields concerned: the UI hints' `reasons` map the
    codes a decision table gave (e.g. `eligibilityReasons`) to fields, with its messages."""
    hints = (ui or {}).get("reasons")
    if not hints or not _visible(hints.get("visibleWhen"), values):
        return {}
    fields = hints.get("fields") or {}
    found: dict[str, str] = {}
    for code, message in zip(values.get(hints.get("codes")) or [], values.get(hints.get("messages")) or []):
        field = fields.get(code)
        if field:
            found[field] = f"{found[field]}；{message}" if field in found else message
    return found


def _message(error: dict) -> str:
    if language() == "en" and error.get("message_en"):
        return error["message_en"]
    return error["message"]


def _builder(schema, ui, errors=None, **editable) -> FormBuilder:
    return FormBuilder(schema, ui, errors, boolean_labels=(t("bool.yes"), t("bool.no")),
                       empty_label=t("form.choose"), english=language() == "en", **editable)


def _forms_of(ctx, session, definition) -> dict[str, tuple[dict, dict]]:
    """Every form of the definition by key: (schema, ui hints)."""
    found = {}
    for key, version_id in json.loads(definition.forms_json).items():
        version = forms.form_version(ctx, session, version_id)
        found[key] = (json.loads(version.schema_json), json.loads(version.ui_json or "null") or {})
    return found


def _variable_fields(catalogue) -> dict[str, tuple[dict, dict, bool]]:
    """Where each variable is defined: its schema in the form that asks for it, and that
    form's UI hints (titles, option labels)."""
    found = {}
    for schema, ui in catalogue.values():
        for name, sub in (schema.get("properties") or {}).items():
            found.setdefault(name, (sub, ui))
    return found


def _context(form: dict, catalogue, values: dict) -> list[Field]:
    """The application's data read-only: the entries the form's UI hints name, or every
    variable this form does not ask for."""
    defined = _variable_fields(catalogue)
    entries = (form["ui"] or {}).get("context")
    if entries is None:
        asked = set(((form["schema"] or {}).get("properties") or {}))
        entries = [{"variable": n} for n in values if n not in asked and not n.startswith("_")]
    shown = []
    for entry in entries:
        name = entry.get("variable")
        if not name or not _visible(entry.get("visibleWhen"), values):
            continue
        schema, ui = defined.get(name, ({}, {}))
        builder = _builder({}, ui)
        built = builder.field(schema or _guess_schema(values.get(name)), name, name, values.get(name), False)
        built.title = builder.title(entry) or built.title
        shown.append(built)
    return shown


def _guess_schema(value) -> dict:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: _guess_schema(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"type": "array", "items": _guess_schema(value[0]) if value else {}}
    return {"type": "string"}


def _visible(condition: dict | None, values: dict) -> bool:
    return all(values.get(name) == expected for name, expected in (condition or {}).items())


def _opinions(session, actor: Actor, instance_id: str, catalogue, values: dict) -> list[Opinion]:
    """Every completed or returned step `actor` may see: who, when, and its decision and
    opinion fields."""
    done = queries.Query({"processInstanceId": instance_id, "finished": True})
    rows = history_queries.historic_tasks(session, actor, done, queries.Page(0, HISTORY_LIMIT))
    people: dict[str, str] = {}
    opinions = []
    for row in sorted(rows, key=lambda r: r.end_time):
        if row.completed_by is None:
            continue
        returned = row.delete_reason == "returned"
        entries = [] if returned else _opinion_entries(actor, row, catalogue)
        opinions.append(Opinion(step_label(row.definition_id, row.task_key, row.name),
                                _person(session, people, row.completed_by),
                                row.end_time, entries, returned))
    _attach_last_return_opinion(opinions, values)
    return opinions


def _attach_last_return_opinion(opinions: list[Opinion], values: dict) -> None:
    """The instance keeps the latest return's opinion: show it on that return."""
    latest = next((o for o in reversed(opinions) if o.returned), None)
    if latest is not None and values.get("lastReturnOpinion"):
        latest.entries.append((t("opinion.return_opinion"), values["lastReturnOpinion"]))


def _opinion_entries(actor: Actor, row, catalogue) -> list[tuple[str, str]]:
    submitted = confidential.step_values(actor, row.assignee, json.loads(row.variables_json or "{}"))
    schema, ui = catalogue.get(row.form_key or "", ({}, {}))
    properties = schema.get("properties") or {}
    entries = []
    for name, value in submitted.items():
        if name in properties and _is_opinion(name, properties[name]):
            shown = _builder(schema, ui).field(properties[name], name, name, value, False)
            entries.append((shown.title, shown.label))
    return entries


def _is_opinion(name: str, schema: dict) -> bool:
    """A decision or opinion field: marked in the schema, or named so (…Decision, …Opinion)."""
    return bool(schema.get("x-decision") or schema.get("x-opinion")) or name.endswith(OPINION_SUFFIXES)


def _person(session, people: dict, user_id: str) -> str:
    if user_id not in people:
        people[user_id] = directory.label_of(session, user_id)
    return people[user_id]
