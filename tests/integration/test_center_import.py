"""The department's import of the centers it approved before this system (/registry/import):
codes kept as given, the rules of a registered center checked (R01–R03, R07, R14, no name
twice), each center's evaluation cycle counted from its approval date (R20) and its annual
report from this year; refused rows reported with why, and then nothing imported."""
from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from lxml import html
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.models import AuditEntry, Center, CenterEvaluation, ProcessInstance
from app.tic.center_import import HEADERS
from tests.support.establishment import deploy_models
from tests.support.web import text

COTTON_ROW = ["XJTIC-2020-001", "新疆棉花和纺织服装技术创新中心", "领域类", "棉花和纺织服装", "新疆天棉纺织集团有限公司",
              "新疆华孚纺织有限公司（核心）；石河子大学（核心）；新疆农业科学院", "乌鲁木齐市人民政府",
              datetime(2020, 6, 30), "优秀"]
XJU_ROW = ["XJTIC-2024-003", "新疆乌昌石综合技术创新中心", "comprehensive", "wuchangshi_zone", "xju", None, "gxt",
           "2024/05/10", None]


def sheet(*rows, header=HEADERS) -> bytes:
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser, content: bytes):
    token = browser.token("/registry/import")
    return browser.client.post("/registry/import", data={
        "csrf_token": token, "file": (io.BytesIO(content), "中心.xlsx")}, content_type="multipart/form-data")


def refused_rows(response) -> dict[int, str]:
    page = html.fromstring(text(response))
    return {int(row.get("data-row")): row.text_content() for row in page.xpath('//tr[@data-row]')}


def centers(ctx) -> dict[str, Center]:
    with ctx.db.read() as session:
        return {c.code: c for c in session.scalars(select(Center))}


def business_keys(ctx, process_key: str) -> set[str]:
    with ctx.db.read() as session:
        return set(session.scalars(select(ProcessInstance.business_key)
                                   .where(ProcessInstance.process_key == process_key)))


@pytest.fixture
def officer(ctx, web):
    deploy_models(ctx)
    return web("officer")


def test_r20_imported_centers_keep_their_codes_and_enter_their_current_cycle(ctx, officer, web):
    response = upload(officer, sheet(COTTON_ROW, XJU_ROW))
    assert response.status_code == 200, text(response)
    assert "已导入 2 家技术创新中心" in text(response)

    found = centers(ctx)
    cotton, xju = found["XJTIC-2020-001"], found["XJTIC-2024-003"]
    assert (cotton.field, cotton.lead_org_id, cotton.supervising_org_id) == ("cotton_textile", "tianmian", "urumqi_gov")
    assert [c["core"] for c in json.loads(cotton.co_builders_json)] == [True, True, False]
    # Approved 2020-06-30: the first cycle ended 2023-06-30, the second ends 2026-06-30.
    assert str(cotton.next_evaluation_due) == "2026-06-30" and str(xju.next_evaluation_due) == "2027-05-10"
    assert (xju.category, xju.region, xju.field) == ("comprehensive", "wuchangshi_zone", None)
    assert business_keys(ctx, "tic_evaluation") == {"XJTIC-2020-001-EV-2023", "XJTIC-2024-003-EV-2024"}
    assert business_keys(ctx, "tic_annual_report") == {"XJTIC-2020-001-AR-2026", "XJTIC-2024-003-AR-2026"}
    with ctx.db.read() as session:
        graded = session.scalars(select(CenterEvaluation)).all()
        assert [(e.center_code, e.cycle, e.grade) for e in graded] == [("XJTIC-2020-001", 1, "excellent")]
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "center.import")).all()
        assert entry.user_id == "officer" and json.loads(entry.details_json)["imported"] == [
            "XJTIC-2020-001", "XJTIC-2024-003"]

    assert "XJTIC-2020-001" in text(web("cotton").get("/registry"))
    assert "XJTIC-2024-003" not in text(web("cotton").get("/registry"))
    assert web("xju").get("/registry/XJTIC-2024-003").status_code == 200


def test_r01_r02_r03_r07_r14_each_refused_row_is_reported_and_nothing_is_imported(ctx, officer):
    six_core = "；".join(f"共建单位{i}（核心）" for i in range(6))
    rows = [
        COTTON_ROW,
        ["TIC-1", "新疆生物医药技术创新中心", "领域类", "生物医药", "tianmian", None, "urumqi_gov", "2021-01-01", None],
        ["XJTIC-2021-002", "天山生物医药创新中心", "领域类", "生物医药", "tianmian", None, "urumqi_gov", "2021-01-01", None],
        ["XJTIC-2021-003", "新疆信息技术创新中心", "领域类", "乌昌石国家自主创新示范区", "xju", None, "gxt", "2021-01-01", None],
        ["XJTIC-2021-004", "新疆煤炭技术创新中心", "科研类", "coal", "xju", None, "gxt", "2021-01-01", None],
        ["XJTIC-2021-005", "新疆绿色矿产技术创新中心", "领域类", "绿色矿产", "xju", six_core, "gxt", "2021-01-01", None],
        ["XJTIC-2021-006", "新疆生态环境技术创新中心", "领域类", "生态环境", "不存在的公司", None, "新疆大学", "2021-01-01", None],
        ["XJTIC-2021-007", "新疆现代农业技术创新中心", "领域类", "现代农业", "xju", None, "gxt", "2030-01-01", None],
        ["XJTIC-2021-008", "新疆先进装备制造技术创新中心", "领域类", "先进装备制造", "xju", None, "gxt", "2021-01-01", "较差"],
        ["XJTIC-2025-001", "新疆新能源新材料技术创新中心", "领域类", "新能源新材料", "jinyang", None, "gxt", "2025-01-01", "良好"],
        ["XJTIC-2020-001", "新疆棉花和纺织服装技术创新中心", "领域类", "棉花和纺织服装", "tianmian", None, "urumqi_gov",
         "2020-06-30", None],
    ]
    response = upload(officer, sheet(*rows))

    assert response.status_code == 400
    assert "10 行未通过检查，本次未导入任何中心" in text(response)
    refused = refused_rows(response)
    assert sorted(refused) == list(range(3, 13))
    assert "须形如 XJTIC-2023-001" in refused[3]
    assert "（R14）" in refused[4]
    assert "领域类中心须填写所属领域" in refused[5] and "（R02）" in refused[5]
    assert "（R01）" in refused[6]
    assert "（R07）" in refused[7]
    assert "牵头单位“不存在的公司”不是已登记的单位" in refused[8] and "主管单位须为" in refused[8]
    assert "批准日期" in refused[9]
    assert "较差" in refused[10]
    assert "尚未满一个评估周期" in refused[11]
    assert "已登记或在本表中重复" in refused[12]
    assert centers(ctx) == {} and business_keys(ctx, "tic_evaluation") == set()


def test_a_code_or_name_already_registered_is_refused(ctx, officer):
    assert upload(officer, sheet(COTTON_ROW)).status_code == 200
    again = upload(officer, sheet(XJU_ROW, [*COTTON_ROW[:1], "新疆另一技术创新中心", *COTTON_ROW[2:]]))
    assert again.status_code == 400
    assert "中心编号 XJTIC-2020-001 已登记" in refused_rows(again)[3]
    assert set(centers(ctx)) == {"XJTIC-2020-001"}


@pytest.mark.parametrize("content, complaint", [
    (b"not a workbook", "无法读取该文件"),
    (sheet(COTTON_ROW, header=["编号", "名称"]), "第 1 行须为表头"),
    (sheet(), "表中没有数据行"),
])
def test_an_unreadable_or_empty_file_is_refused(officer, content, complaint):
    response = upload(officer, content)
    assert response.status_code == 400 and complaint in text(response)


def test_the_template_holds_the_header_row(officer):
    response = officer.get("/registry/import/template.xlsx")
    assert response.status_code == 200
    assert next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)) == HEADERS
    assert 'data-testid="import-link"' in text(officer.get("/registry"))


@pytest.mark.parametrize("user", ["manager", "leader", "cotton", "urumqi"])
def test_only_department_officers_import(ctx, web, user):
    deploy_models(ctx)
    browser = web(user)
    assert browser.get("/registry/import").status_code == 403
    assert 'data-testid="import-link"' not in text(browser.get("/registry"))
    token = browser.token("/tasks")
    response = browser.client.post("/registry/import", data={
        "csrf_token": token, "file": (io.BytesIO(sheet(COTTON_ROW)), "中心.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 403 and centers(ctx) == {}
