"""The administrator's operations on the cockpit's instance page: suspend or resume,
terminate, move the token, retry a failed job, give a job another due date. Each form
calls one use case (which decides who may and audits it with the reason); a refusal comes
back on the same page beside the form, with what was typed kept."""
from __future__ import annotations

from flask import flash, redirect, request, url_for

from app.core.errors import ServiceError
from app.platform import instance_operations, jobs

from . import blueprint
from .. import auth
from ..current import context
from .instance_pages import Refused, instance_page

RETRIES = 3
# The page's names of the fields the use cases name as the REST face does.
PAGE_FIELDS = {"annotation": "reason", "duedate": "due", "instructions": "to",
               "instructions[0].activityId": "from", "instructions[1].activityId": "to"}


@blueprint.post("/instances/<instance_id>/suspension")
def suspension(instance_id):
    suspended = request.form.get("suspended") == "true"
    return _operate(instance_id, "suspension", "ops.suspended" if suspended else "ops.resumed",
                    instance_operations.set_suspended, instance_id, suspended,
                    request.form.get("reason"), reason_required=True)


@blueprint.post("/instances/<instance_id>/cancellation")
def cancellation(instance_id):
    return _operate(instance_id, "cancellation", "ops.cancelled",
                    instance_operations.cancel, instance_id, request.form.get("reason"))


@blueprint.post("/instances/<instance_id>/token")
def token(instance_id):
    instructions = [{"type": "cancel", "activityId": request.form.get("from", "")},
                    {"type": "startBeforeActivity", "activityId": request.form.get("to", "")}]
    return _operate(instance_id, "token", "ops.moved", instance_operations.move_token, instance_id,
                    instructions, request.form.get("reason"), reason_required=True)


@blueprint.post("/instances/<instance_id>/jobs/<job_id>/retry")
def retry(instance_id, job_id):
    return _operate(instance_id, f"retry-{job_id}", "ops.retried", jobs.set_retries, job_id, RETRIES,
                    request.form.get("reason"))


@blueprint.post("/instances/<instance_id>/jobs/<job_id>/due")
def due_date(instance_id, job_id):
    return _operate(instance_id, f"due-{job_id}", "ops.rescheduled", instance_operations.set_job_due_date,
                    job_id, request.form.get("due", ""), request.form.get("reason"), reason_required=True)


def _operate(instance_id: str, form: str, done: str, use_case, *args, **kwargs):
    ctx = context()
    try:
        with ctx.db.command() as session:
            use_case(ctx, session, auth.current_actor(), *args, **kwargs)
    except ServiceError as error:
        return instance_page(instance_id, _refused(form, error))
    flash(done, "key")
    return redirect(url_for("cockpit.instance", instance_id=instance_id))


def _refused(form: str, error: ServiceError) -> Refused:
    by_field: dict[str, list[str]] = {}
    for item in error.errors:
        by_field.setdefault(_form_field(item["field"]), []).append(item["message"])
    return Refused(form, error.message, by_field, request.form.to_dict(), error.status)


def _form_field(field: str) -> str:
    return PAGE_FIELDS.get(field, field)
