"""The registry pages (/registry, /registry/<code>) as the demo users: the department side
sees every center, a lead unit only its own center, a supervising unit the centers it
supervises (R16); each center's dossier shows its profile, governance (R17), evaluations
and funding (R27), annual reports, major changes and one timeline."""
from __future__ import annotations

import pytest
from lxml import html

from tests.support.establishment import deploy_models
from tests.support.lifecycle import CODE, api_put, graded, register_center, register_university_center
from tests.support.web import text

XJU_CODE = "XJTIC-2026-002"


@pytest.fixture
def two_centers(ctx, rest):
    """cotton's center (supervised by 乌鲁木齐市) and 新疆大学's (supervised by 工信厅)."""
    deploy_models(ctx)
    assert register_center(rest, "SQ-2026-001") == CODE
    assert register_university_center(rest, "新疆信息技术创新中心") == XJU_CODE


def listed(browser) -> list[str]:
    response = browser.get("/registry")
    assert response.status_code == 200, text(response)
    return html.fromstring(text(response)).xpath('//table[@data-testid="centers"]/tbody/tr/@data-code')


@pytest.mark.parametrize("user", ["officer", "manager", "leader", "agency"])
def test_r16_the_department_side_sees_every_center(two_centers, web, user):
    browser = web(user)
    assert listed(browser) == [CODE, XJU_CODE]
    assert 'data-testid="nav-registry"' in text(browser.get("/tasks"))


def test_r16_a_lead_unit_sees_only_its_own_center(two_centers, web):
    cotton = web("cotton")
    assert listed(cotton) == [CODE]
    assert cotton.get(f"/registry/{CODE}").status_code == 200
    refused = cotton.get(f"/registry/{XJU_CODE}")
    assert refused.status_code == 404 and "新疆信息技术创新中心" not in text(refused)


def test_r16_a_supervising_unit_sees_the_centers_it_supervises(two_centers, web):
    assert listed(web("urumqi")) == [CODE]
    assert listed(web("gxt")) == [XJU_CODE]
    assert web("urumqi").get(f"/registry/{XJU_CODE}").status_code == 404


def test_an_expert_sees_no_center_and_no_registry_link(two_centers, web):
    expert = web("expert4")
    assert listed(expert) == []
    assert 'data-testid="nav-registry"' not in text(expert.get("/tasks"))
    assert expert.get(f"/registry/{CODE}").status_code == 404


def test_the_list_names_status_category_field_and_units(two_centers, web):
    page = html.fromstring(text(web("manager").get("/registry")))
    (row,) = page.xpath(f'//tr[@data-code="{CODE}"]')
    cells = [cell.text_content().strip() for cell in row.xpath("./td")]
    assert cells == [CODE, "新疆棉花和纺织服装技术创新中心", "运行", "领域类", "棉花和纺织服装",
                     "新疆天棉纺织集团有限公司", "乌鲁木齐市人民政府", "2026-03-02", "—"]


def test_r17_r27_the_dossier_shows_governance_evaluations_funding_and_timeline(two_centers, rest, clock, web):
    committee = [{"name": f"委员{i}", "organization": "中国纺织科学研究院" if i < 4 else "新疆天棉纺织集团有限公司",
                  "external": i < 4} for i in range(7)]
    response = api_put(rest("cotton"), f"/centers/{CODE}/governance", {
        "board": {"kind": "council", "members": [{"name": "张建国", "organization": "新疆天棉纺织集团有限公司"}]},
        "director": {"name": "王立新", "fullTime": True}, "expertCommittee": committee})
    assert response.status_code == 200, response.get_json()
    graded(clock, rest, "excellent")

    page = html.fromstring(text(web("manager").get(f"/registry/{CODE}")))

    def section(name: str) -> str:
        return page.xpath(f'//*[@data-testid="{name}"]')[0].text_content()

    assert "新疆天棉纺织集团有限公司" in section("profile") and "乌鲁木齐市人民政府" in section("profile")
    assert "共 7 人，其中中心外专家 4 人" in section("governance") and "王立新" in section("governance")
    assert "优秀" in section("evaluations") and "200" in section("evaluations")
    assert "累计支持经费 200 万元" in section("funding-total")
    assert "批准组建" in section("timeline") and "第 1 个评估周期结果：优秀" in section("timeline")
    assert "尚未登记运行体系" in text(web("manager").get(f"/registry/{XJU_CODE}"))


def test_a_visitor_is_sent_to_sign_in(web):
    response = web().get("/registry")
    assert response.status_code == 302 and "/login" in response.location
