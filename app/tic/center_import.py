"""The department's import of the centers it approved before this system: one XLSX sheet,
one row per center, with the columns of `HEADERS`.

Codes are kept as given (pattern XJTIC-<year>-<NNN>, unique). The rules that hold for a
registered center are checked: category with its field or carrier region (R01–R03), at most
the core co-building units the eligibility table allows (R07), the name pattern (R14), no
name twice; the eligibility inputs of an application (R04–R06) are not asked of a historic
approval. Each imported center enters its evaluation cycle as counted from its approval date
(R20) and its annual report from the current year. All or nothing: every row is checked
first, and if any is refused nothing is written and the report says which rows and why.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Center, CenterEvaluation, CenterStatus, Organization

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden
from app.core.identity import Actor
from app.platform.decision_tables import decide
from app.tic import annual_reports, lifecycle, registry

IMPORTERS = frozenset({"department"})
HEADERS = ("中心编号", "中心名称", "类别", "领域或依托区域", "牵头单位", "共建单位", "主管单位", "批准日期", "最近评估等次")
_KEYS = ("code", "name", "category", "fieldOrRegion", "leadUnit", "coBuilders", "supervisingOrg", "approvedOn",
         "lastGrade")
MAX_ROWS = 1000
CODE = re.compile(r"XJTIC-(\d{4})-(\d{3})")
CORE_MARKS = ("（核心）", "(核心)")
_SEPARATORS = re.compile(r"[;；\n]")
SUPERVISOR_KINDS = frozenset({"prefecture_government", "industry_authority"})
CORE_REASON = "TOO_MANY_CORE_COBUILDERS"
# A historic poor grade would need its rectification (R23), which only the process can carry.
IMPORTABLE_GRADES = ("excellent", "good")


def may_import(actor: Actor) -> bool:
    """The department's officers keep the registry (R16)."""
    return actor.in_any(IMPORTERS)


def check_importer(actor: Actor) -> None:
    if not may_import(actor):
        raise Forbidden("只有科技厅经办人员可以导入技术创新中心 / only department officers import centers")


@dataclass
class Prepared:
    """A row that passed every check, ready to register."""

    code: str
    name: str
    category: str
    field: str | None
    region: str | None
    lead: Organization
    co_builders: list[dict]
    supervisor: Organization
    approved_on: date
    last_grade: str | None
    cycle_years: int = 0


@dataclass
class Known:
    """What a row must not clash with: the registry, the rows above it, the organizations."""

    codes: set[str]
    names: set[str]
    organizations: dict[str, Organization] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Known:
        codes, names = set(), set()
        for code, name in session.execute(select(Center.code, Center.name)):
            codes.add(code)
            names.add(name)
        organizations = {}
        for org in session.scalars(select(Organization)):
            organizations[org.id] = organizations[org.name] = org
        return cls(codes, names, organizations)


def import_centers(ctx: AppContext, session: Session, actor: Actor, content: bytes) -> dict:
    check_importer(actor)
    rows = read_rows(content)
    known, today = Known.load(session), lifecycle.today(ctx.now())
    checked = [(number, *_check(ctx, session, values, known, today)) for number, values in rows]
    refused = [{"row": number, "code": _text(values["code"]), "reasons": problems}
               for (number, values), (_, _, problems) in zip(rows, checked) if problems]
    if refused or not rows:
        return {"rows": len(rows), "imported": [], "refused": refused}
    for _, prepared, _ in checked:
        _register(ctx, session, prepared, today)
    codes = [prepared.code for _, prepared, _ in checked]
    audit.record(ctx, session, "center.import", user_id=actor.id, source=actor.source,
                 details={"imported": codes})
    return {"rows": len(rows), "imported": codes, "refused": []}


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """The sheet's rows under its header, numbered as Excel shows them; blank rows skipped."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise BadRequest(f"无法读取该文件，请上传 Excel（.xlsx）文件 / not a readable XLSX file ({type(error).__name__})")
    try:
        lines = book.worksheets[0].iter_rows(values_only=True, max_col=len(HEADERS))
        header = [_text(v) for v in next(lines, ())]
        if tuple(header) != HEADERS:
            raise BadRequest(f"第 1 行须为表头：{'、'.join(HEADERS)} / the first row must be the header")
        rows = []
        for number, line in enumerate(lines, start=2):
            if all(_text(v) == "" for v in line):
                continue
            if len(rows) == MAX_ROWS:
                raise BadRequest(f"一次至多导入 {MAX_ROWS} 行 / at most {MAX_ROWS} rows at a time")
            rows.append((number, dict(zip(_KEYS, list(line) + [None] * (len(_KEYS) - len(line))))))
        return rows
    finally:
        book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check(ctx: AppContext, session: Session, values: dict, known: Known,
           today: date) -> tuple[Prepared | None, list[str]]:
    """The row as a center to register, or the reasons it is refused (all of them)."""
    problems: list[str] = []
    code, name = _text(values["code"]), _text(values["name"])
    problems += _code_problems(code, known) + _name_problems(name, known)
    category, field_code, region, kind_problems = _kind(values)
    lead = _organization(values["leadUnit"], known, "牵头单位", problems)
    supervisor = _organization(values["supervisingOrg"], known, "主管单位", problems)
    if supervisor is not None and supervisor.kind not in SUPERVISOR_KINDS:
        problems.append("主管单位须为地州市人民政府（行署）或自治区行业主管部门（R16）")
    co_builders = _co_builders(values["coBuilders"])
    approved_on = _date(values["approvedOn"])
    if approved_on is None or approved_on > today:
        problems.append("批准日期须为不晚于今天的日期，如 2023-06-30")
    grade = _grade(values["lastGrade"], problems)
    problems += kind_problems
    if not kind_problems:
        problems += _core_problems(ctx, session, co_builders)
    if problems:
        return None, problems
    known.codes.add(code)
    known.names.add(name)
    prepared = Prepared(code, name, category, field_code, region, lead, co_builders, supervisor, approved_on, grade)
    prepared.cycle_years = _cycle_years(ctx, session, category)
    if grade is not None and not _completed_cycles(prepared, today):
        return None, [f"批准后尚未满一个评估周期（{prepared.cycle_years} 年），不应有评估等次（R20）"]
    return prepared, []


def _code_problems(code: str, known: Known) -> list[str]:
    if not CODE.fullmatch(code):
        return [f"中心编号“{code}”须形如 XJTIC-2023-001"]
    if code in known.codes:
        return [f"中心编号 {code} 已登记或在本表中重复"]
    return []


def _name_problems(name: str, known: Known) -> list[str]:
    """R14: 新疆××技术创新中心, and no two centers of one name."""
    if not (name.startswith("新疆") and name.endswith("技术创新中心") and len(name) > len("新疆技术创新中心")):
        return [f"中心名称“{name}”须以“新疆”开头、以“技术创新中心”结尾（R14）"]
    if name in known.names:
        return [f"中心名称“{name}”已登记或在本表中重复"]
    return []


def _choice(value, names: dict[str, str]) -> str | None:
    """A code given as itself or by its Chinese name."""
    text = _text(value)
    return text if text in names else next((code for code, name in names.items() if name == text), None)


def _kind(values: dict) -> tuple[str | None, str | None, str | None, list[str]]:
    """R01–R03: the category, then a field for a domain center or a region for a comprehensive one."""
    category = _choice(values["category"], registry.CATEGORY_NAMES)
    if category is None:
        return None, None, None, ["类别须为“领域类”或“综合类”（R01）"]
    if category == "domain":
        found = _choice(values["fieldOrRegion"], registry.FIELD_NAMES)
        return category, found, None, [] if found else [
            f"领域类中心须填写所属领域：{'、'.join(registry.FIELD_NAMES.values())}（R02）"]
    found = _choice(values["fieldOrRegion"], registry.REGION_NAMES)
    return category, None, found, [] if found else [
        f"综合类中心须填写依托区域：{'、'.join(registry.REGION_NAMES.values())}（R03）"]


def _organization(value, known: Known, role: str, problems: list[str]) -> Organization | None:
    text = _text(value)
    found = known.organizations.get(text)
    if found is None:
        problems.append(f"{role}“{text}”不是已登记的单位（请先在系统管理中新建单位）")
    return found


def _co_builders(value) -> list[dict]:
    """`单位甲（核心）；单位乙`: one unit per entry, core units marked （核心）."""
    entries = []
    for part in _SEPARATORS.split(_text(value)):
        name = part.strip()
        core = name.endswith(CORE_MARKS)
        for mark in CORE_MARKS:
            name = name.removesuffix(mark).strip()
        if name:
            entries.append({"name": name, "core": core})
    return entries


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value).replace("/", "-"))
    except ValueError:
        return None


def _grade(value, problems: list[str]) -> str | None:
    if _text(value) == "":
        return None
    grade = _choice(value, registry.GRADE_NAMES)
    if grade not in IMPORTABLE_GRADES:
        problems.append("最近评估等次须为空、“优秀”或“良好”：较差的中心须经系统办理整改（R23），不能导入")
    return grade


def _core_problems(ctx: AppContext, session: Session, co_builders: list[dict]) -> list[str]:
    """R07 from the eligibility table, which holds the limit; its other rules (R04–R06) are
    not asked of a historic approval and are set aside."""
    outcome = decide(ctx, session, "tic_eligibility", {
        "leadUnit": {"kind": "university", "inRegion": True}, "legalEntity": "independent",
        "legalEntityPlanDate": None,
        "coBuilders": [{**c, "kind": None, "inRegion": False} for c in co_builders],
    })
    reasons, messages = outcome.get("eligibilityReasons") or [], outcome.get("eligibilityMessages") or []
    return [f"{message}（R07）" for reason, message in zip(reasons, messages) if reason == CORE_REASON]


def _cycle_years(ctx: AppContext, session: Session, category: str) -> int:
    years = decide(ctx, session, "tic_evaluation_cycle", {"category": category})["evaluationCycleYears"]
    return int(years[0] if isinstance(years, list) else years)


def _completed_cycles(prepared: Prepared, today: date) -> int:
    """Cycles of the center already ended by `today` (R20: counted from the approval date)."""
    cycles = 0
    while lifecycle.years_later(prepared.approved_on, (cycles + 1) * prepared.cycle_years) <= today:
        cycles += 1
    return cycles


def _register(ctx: AppContext, session: Session, prepared: Prepared, today: date) -> None:
    """The center as the registry keeps it, in its current cycle, with its report armed."""
    completed = _completed_cycles(prepared, today)
    year, sequence = (int(part) for part in CODE.fullmatch(prepared.code).groups())
    lead = prepared.lead
    center = Center(
        code=prepared.code, year=year, sequence=sequence, name=prepared.name, status=CenterStatus.OPERATING,
        category=prepared.category, field=prepared.field, region=prepared.region, lead_org_id=lead.id,
        lead_unit_json=json.dumps({"name": lead.name, "kind": lead.kind, "creditCode": lead.credit_code},
                                  ensure_ascii=False),
        co_builders_json=json.dumps(prepared.co_builders, ensure_ascii=False), supervising_org_id=prepared.supervisor.id,
        approved_on=prepared.approved_on,
        next_evaluation_due=lifecycle.years_later(prepared.approved_on, (completed + 1) * prepared.cycle_years),
        application_instance_id=None, registered_at=ctx.now(),
    )
    session.add(center)
    if prepared.last_grade is not None:
        # The grade of the last ended cycle; what was awarded then is not in the sheet.
        session.add(CenterEvaluation(center_code=center.code, cycle=completed, grade=prepared.last_grade))
    session.flush()
    cycle_start = lifecycle.years_later(prepared.approved_on, completed * prepared.cycle_years)
    registry.start_evaluation_cycle(ctx, session, center, cycle_start, prepared.cycle_years)
    annual_reports.start_reporting(ctx, session, center, today.year)
