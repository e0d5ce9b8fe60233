"""Service-task handlers of the test models, registered on every test app beside the TIC ones."""
from __future__ import annotations

from app.core.extensions import ServiceTaskEvent, handler
from app.models import Organization

# The registry the job tests switch off: while `fail` is set, `job_test_register` fails.
SERVICE = {"fail": False, "calls": 0}


@handler("test_flow_archive")
def archive(event: ServiceTaskEvent) -> dict:
    return {"archive_no": f"GD-{event.variables['project_no']}"}


@handler("job_test_register")
def register_center(event: ServiceTaskEvent) -> dict:
    """Writes a row, then fails while SERVICE['fail'] is set (a registry that is down)."""
    SERVICE["calls"] += 1
    code = f"job-{event.process_instance_id[:8]}"
    event.session.add(Organization(id=code, name=f"测试登记中心 {code}", kind="enterprise"))
    event.session.flush()
    if SERVICE["fail"]:
        raise RuntimeError("登记系统不可用 / registry unavailable")
    return {"centerCode": code, "applicant": event.variables.get("applicant")}
