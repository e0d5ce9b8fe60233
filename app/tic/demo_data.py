"""The demo organizations and users of DOMAIN.md, loaded into an empty database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Organization, User, UserGroup

from app.clock import to_shanghai
from app.core.identity import hash_password
from app.tic import rounds

DEMO_PASSWORD = "demo"

ORGANIZATIONS = [
    ("kjt", "自治区科学技术厅", "department"),
    ("zlyjy", "自治区科技发展战略研究院", "agency"),
    ("urumqi_gov", "乌鲁木齐市人民政府", "prefecture_government"),
    ("kashgar_gov", "喀什地区行政公署", "prefecture_government"),
    ("gxt", "自治区工业和信息化厅", "industry_authority"),
    ("tianmian", "新疆天棉纺织集团有限公司", "enterprise"),
    ("xju", "新疆大学", "university"),
    ("jinyang", "新疆金阳新能源股份有限公司", "enterprise"),
    ("shihezi_u", "石河子大学", "university"),
    ("xjaas", "新疆农业科学院", "research_institute"),
    ("xjipc", "中国科学院新疆理化技术研究所", "research_institute"),
    ("tarim_u", "塔里木大学", "university"),
    ("xjmu", "新疆医科大学", "university"),
    ("xjnydx", "新疆农业大学", "university"),
]

# The units that apply carry their unified social credit code (统一社会信用代码): an
# application form starts with the signed-in unit's name and code.
CREDIT_CODES = {
    "tianmian": "91650100MA77XJ1234",
    "jinyang": "91650000MA78JY5678",
    "xju": "12650000458000123X",
    "shihezi_u": "12650000458000456Y",
    "xjaas": "12650000458000789K",
}

USERS = [
    ("admin", "系统管理员", "kjt", ["admin"]),
    ("analyst", "业务分析员", "kjt", ["analyst"]),
    ("manager", "管理者", "kjt", ["manager"]),
    # An external-task worker (a Camunda external-task client) signs in as this user.
    ("worker", "外部任务工作者", "kjt", ["worker"]),
    ("officer", "科技厅经办人", "kjt", ["department"]),
    ("leader", "科技厅领导", "kjt", ["department_leader"]),
    ("agency", "专业机构经办人", "zlyjy", ["agency"]),
    ("urumqi", "乌鲁木齐市科技局经办人", "urumqi_gov", ["recommender"]),
    ("kashgar", "喀什地区科技局经办人", "kashgar_gov", ["recommender"]),
    ("gxt", "工信厅经办人", "gxt", ["recommender"]),
    ("cotton", "天棉集团申报人", "tianmian", ["lead_unit", "center"]),
    ("xju", "新疆大学申报人", "xju", ["lead_unit", "center"]),
    ("energy", "金阳新能源申报人", "jinyang", ["lead_unit", "center"]),
    ("expert1", "专家一", "xju", ["expert"]),
    ("expert2", "专家二", "xju", ["expert"]),
    ("expert3", "专家三", "xju", ["expert"]),
    ("expert4", "专家四", "shihezi_u", ["expert"]),
    ("expert5", "专家五", "xjaas", ["expert"]),
    ("expert6", "专家六", "xjipc", ["expert"]),
    ("expert7", "专家七", "tarim_u", ["expert"]),
    ("expert8", "专家八", "xjmu", ["expert"]),
    ("expert9", "专家九", "xjnydx", ["expert"]),
]


def load_demo_data(session: Session, now: datetime, password_hash: str | None = None) -> bool:
    """Load the demo data into an empty database; False when users already exist. It opens an
    application round for the year of `now`, so that applications start out of the box.

    `password_hash` lets tests pass a cheaper hash of "demo" made once per run.
    """
    if session.scalar(select(func.count()).select_from(User)):
        return False
    for org_id, name, kind in ORGANIZATIONS:
        if session.get(Organization, org_id) is None:
            session.add(Organization(id=org_id, name=name, kind=kind, credit_code=CREDIT_CODES.get(org_id)))
    session.flush()
    password_hash = password_hash or hash_password(DEMO_PASSWORD)
    for user_id, display_name, org_id, groups in USERS:
        user = User(id=user_id, display_name=display_name, password_hash=password_hash,
                    organization_id=org_id, is_demo=True)
        user.group_rows = [UserGroup(user_id=user_id, group_id=g) for g in groups]
        session.add(user)
    session.add(rounds.demo_round(to_shanghai(now).year, now))
    session.flush()
    return True
