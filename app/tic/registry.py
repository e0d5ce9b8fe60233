"""The registry of approved centers: registration on approval (R14), who sees which center."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import false, func, or_, select, true
from sqlalchemy.orm import Session

from app.clock import format_camunda, to_shanghai
from app.models import Center, CenterStatus, Organization

from app.core.context import AppContext
from app.core.errors import NotFound
from app.core.identity import Actor
from app.platform.deployment import latest_definition
from app.platform.process_instances import start_process

EVALUATION_PROCESS = "tic_evaluation"
# R01–R03: a center's category, a domain center's field, a comprehensive center's carrier
# region, with their names as the guideline and the application form write them
# (forms/tic/fill_application.*.json): an import reads either the code or the name.
CATEGORY_NAMES = {"domain": "领域类", "comprehensive": "综合类"}
FIELD_NAMES = {
    "oil_gas": "油气生产加工", "coal": "煤炭煤电煤化工", "green_minerals": "绿色矿产",
    "cotton_textile": "棉花和纺织服装", "modern_agriculture": "现代农业",
    "new_energy_materials": "新能源新材料", "advanced_equipment": "先进装备制造",
    "biomedicine": "生物医药", "ecology_environment": "生态环境", "information_technology": "信息技术",
    "future_industry": "对未来产业发展具有重大影响的技术领域",
}
REGION_NAMES = {"wuchangshi_zone": "乌昌石国家自主创新示范区", "silk_road_zone": "丝绸之路经济带创新驱动发展试验区",
                "regional_center": "区域科技创新中心"}
GRADE_NAMES = {"excellent": "优秀", "good": "良好", "poor": "较差"}
CATEGORIES, FIELDS, REGIONS = tuple(CATEGORY_NAMES), tuple(FIELD_NAMES), tuple(REGION_NAMES)
# What the registry keeps of each co-builder (the application also carries its signature).
_CO_BUILDER_FIELDS = ("name", "kind", "creditCode", "inRegion", "core", "chainPosition")


def register_center(ctx: AppContext, session: Session, instance_id: str, variables: dict,
                    now: datetime) -> Center:
    """Register the approved application as an operating center and start its evaluation cycle.

    The code is XJTIC-<year>-<NNN>, numbered per year of the approval date in Asia/Shanghai;
    a concurrent approval taking the same number fails on the unique key and is retried.
    """
    approved_on = to_shanghai(now).date()
    year = approved_on.year
    sequence = (session.scalar(select(func.max(Center.sequence)).where(Center.year == year)) or 0) + 1
    category = variables["category"]
    center = Center(
        code=f"XJTIC-{year}-{sequence:03d}", year=year, sequence=sequence,
        name=variables["centerName"], status=CenterStatus.OPERATING, category=category,
        field=variables.get("field") if category == "domain" else None,
        region=variables.get("region") if category == "comprehensive" else None,
        lead_org_id=variables["applicantOrg"],
        lead_unit_json=json.dumps(variables["leadUnit"], ensure_ascii=False),
        co_builders_json=json.dumps(
            [{k: c[k] for k in _CO_BUILDER_FIELDS if k in c} for c in variables["coBuilders"]],
            ensure_ascii=False,
        ),
        supervising_org_id=variables["recommenderOrg"], approved_on=approved_on,
        next_evaluation_due=_years_later(approved_on, int(variables["evaluationCycleYears"])),
        application_instance_id=instance_id, registered_at=now,
    )
    session.add(center)
    session.flush()
    start_evaluation_cycle(ctx, session, center, approved_on, int(variables["evaluationCycleYears"]))
    return center


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def start_evaluation_cycle(ctx: AppContext, session: Session, center: Center, cycle_start: date,
                           years: int) -> None:
    """The center enters the performance-evaluation scope (纳入绩效评估范围): the cycle that
    began on `cycle_start` ends on `center.next_evaluation_due`. Until the evaluation process
    is deployed, the due date on the center records it."""
    if latest_definition(session, EVALUATION_PROCESS) is None:
        return
    start_process(
        ctx, session, None, key=EVALUATION_PROCESS,
        business_key=f"{center.code}-EV-{cycle_start.year}",
        variables={
            "centerCode": center.code, "centerName": center.name,
            "applicantOrg": center.lead_org_id, "recommenderOrg": center.supervising_org_id,
            "cycleStartDate": cycle_start.isoformat(),
            "nextEvaluationDue": f"{center.next_evaluation_due.isoformat()}T00:00:00+08:00",
            "evaluationCycleYears": years,
        },
    )


def name_registered(session: Session, name: str) -> bool:
    return session.scalar(select(Center.code).where(Center.name == name)) is not None


def sees_registry(actor: Actor) -> bool:
    """Whether the registry can show `actor` any center at all (its pages are offered then)."""
    return actor.sees_everything or actor.in_any({"center", "recommender"})


def center_visibility(actor: Actor):
    """A SQL condition on `Center`: a center's own staff see it, its supervising unit sees
    the centers it supervises, the department side sees all."""
    if actor.sees_everything:
        return true()
    conditions = []
    if "center" in actor.groups:
        conditions.append(Center.lead_org_id == actor.organization_id)
    if "recommender" in actor.groups:
        conditions.append(Center.supervising_org_id == actor.organization_id)
    return or_(*conditions) if conditions else false()


def list_centers(session: Session, actor: Actor) -> list[dict]:
    rows = session.execute(
        _with_supervisor().where(center_visibility(actor)).order_by(Center.code)
    ).all()
    return [center_view(center, name) for center, name in rows]


def get_center(session: Session, actor: Actor, code: str) -> dict:
    row = session.execute(
        _with_supervisor().where(Center.code == code, center_visibility(actor))
    ).first()
    if row is None:
        raise NotFound(f"技术创新中心 {code} 不存在或无权查看 / center not found")
    return center_view(*row)


def _with_supervisor():
    return select(Center, Organization.name).outerjoin(
        Organization, Organization.id == Center.supervising_org_id
    )


def center_view(center: Center, supervisor_name: str | None) -> dict:
    """The registry entry in the shape of DOMAIN.md."""
    return {
        "code": center.code,
        "name": center.name,
        "status": center.status.value,
        "category": center.category,
        "field": center.field,
        "region": center.region,
        "leadUnit": {**json.loads(center.lead_unit_json), "organizationId": center.lead_org_id},
        "coBuilders": json.loads(center.co_builders_json),
        "supervisingOrg": {"id": center.supervising_org_id, "name": supervisor_name},
        "approvedAt": center.approved_on.isoformat(),
        "nextEvaluationDue": center.next_evaluation_due.isoformat(),
        "evaluations": [
            {"cycle": e.cycle, "grade": e.grade, "fundingWan": e.funding_wan} for e in center.evaluations
        ],
        "changes": [
            {"type": c.change_type, "description": c.description,
             "before": json.loads(c.before_json) if c.before_json else None,
             "after": json.loads(c.after_json) if c.after_json else None,
             "approvedBy": c.approved_by, "approvedAt": format_camunda(c.approved_at)}
            for c in center.changes
        ],
        "delistReason": center.delist_reason,
    }
