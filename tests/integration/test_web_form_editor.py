"""The analysts' form editor over HTTP (/modeler/forms/<formKey>): the schema and UI hints
beside a preview rendered by the officers' own form, the located problems that block
deploying, a sample checked as an officer's submit is, deploying a new form version, and who
may edit (analysts, admins) or only read."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.web import form_data, start_application, text

pytestmark = pytest.mark.usefixtures("project_models")

KEY = "tic/fill_application"
PAGE = f"/modeler/forms/{KEY}"
FORMS = Path(__file__).resolve().parents[2] / "forms"
SCHEMA = (FORMS / f"{KEY}.schema.json").read_text(encoding="utf-8")
UI = (FORMS / f"{KEY}.ui.json").read_text(encoding="utf-8")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def post_pair(browser, action: str, schema: str = SCHEMA, ui: str = UI, **fields):
    return browser.post(f"{PAGE}/{action}", {"_schema": schema, "_ui": ui, **fields}, token_from=PAGE)


def edited(old: str, new: str, source: str = SCHEMA) -> str:
    assert old in source
    return source.replace(old, new, 1)


def line_of(source: str, text: str) -> int:
    """The line (from 1) of the first occurrence of `text` in `source`."""
    return source[:source.index(text)].count("\n") + 1


def the_error_of(html: str, field: str) -> str:
    return re.search(rf'data-error-for="{re.escape(field)}">([^<]+)<', html).group(1)


# ------------------------------------------------------------------------------ the page


def test_the_catalog_links_each_form_to_its_editor(web):
    page = text(web("analyst").get("/modeler"))
    assert f'href="{PAGE}" data-testid="edit-form-{KEY}">编辑<' in page


def test_an_analyst_gets_both_editors_the_preview_and_deploy(web):
    page = web("analyst").get(PAGE)
    assert page.status_code == 200
    html = text(page)
    assert 'data-mode="edit"' in html and 'data-testid="form-deploy"' in html
    assert 'name="_schema"' in html and 'name="_ui"' in html and "&#34;centerName&#34;" in html
    assert "vendor/ticflow/form_editor.js" in html
    assert '<label for="f-centerName">中心名称' in html and 'data-testid="form-version">第 1 版<' in html


def test_an_officer_reads_the_form_but_may_not_preview_sample_or_deploy(web, ctx):
    officer = web("officer")
    page = officer.get(PAGE)
    assert page.status_code == 200
    html = text(page)
    assert 'data-mode="view"' in html and "只读查看" in html
    assert 'data-testid="form-deploy"' not in html and "readonly" in html
    for action in ("preview", "sample", "deploy"):
        refused = post_pair(officer, action)
        assert refused.status_code == 403 and CHINESE.search(refused.get_json()["message"])
    assert "第 2 版" not in text(web("analyst").get(PAGE))


def test_an_unknown_form_or_version_is_a_chinese_404(web):
    analyst = web("analyst")
    for path in ("/modeler/forms/tic/no_such_form", f"{PAGE}?version=7", f"{PAGE}?version=x"):
        missing = analyst.get(path)
        assert missing.status_code == 404 and CHINESE.search(text(missing)), path


# ------------------------------------------------------------------------------ preview


def test_the_preview_is_the_officers_form_with_the_edited_titles(web):
    edited_schema = edited('"title": "中心名称"', '"title": "拟建中心全称"')
    preview = post_pair(web("analyst"), "preview", edited_schema)
    assert preview.status_code == 200, preview.get_json()
    html = preview.get_json()["html"]
    assert '<label for="f-centerName">拟建中心全称' in html and "建设类别" in html
    assert 'data-task-form' in html and 'name="coBuilders.__INDEX__.name"' in html
    assert 'value="domain"> 领域类' in html, "the UI hints' option names, as officers read them"


def test_the_preview_renders_each_field_as_the_task_page_does(web):
    cotton = web("cotton")
    task_page = text(cotton.get(f"/tasks/{start_application(cotton)}"))
    preview = post_pair(web("analyst"), "preview").get_json()["html"]
    for name in ("centerName", "category", "leadUnit.debtRatio", "legalEntityPlanDate"):
        assert field_markup(preview, name) == field_markup(task_page, name), name


def field_markup(html: str, name: str) -> str:
    return re.search(rf'<div class="field[^"]*" data-field="{re.escape(name)}".*?</div>\s*</div>', html, re.S).group(0)


def test_invalid_json_is_refused_with_its_line_and_column(web):
    broken = edited('"title": "中心名称",', '"title": "中心名称"')
    refused = post_pair(web("analyst"), "preview", broken)
    assert refused.status_code == 400
    [error] = refused.get_json()["errors"]
    # The parser stops at the next key, on the line after the missing comma.
    line = line_of(broken, '"title": "中心名称"') + 1
    assert (error["field"], error["line"], error["column"]) == ("_schema", line, 7)
    assert error["message"] == f"表单结构（JSON Schema）第 {line} 行第 7 列：JSON 语法错误：缺少逗号"


def test_a_schema_that_is_no_json_schema_is_refused_where_it_is_wrong(web):
    refused = post_pair(web("analyst"), "preview", edited('"maxLength": 100', '"maxLength": -1'))
    assert refused.status_code == 400
    [error] = refused.get_json()["errors"]
    assert (error["field"], error["line"]) == ("_schema", line_of(SCHEMA, '"maxLength": 100'))
    assert "properties.centerName.maxLength 不符合 JSON Schema 2020-12 规范" in error["message"]


def test_ui_hints_naming_a_field_the_schema_lacks_are_refused(web):
    ui = edited('"category": "domain"', '"categry": "domain"', UI)
    refused = post_pair(web("analyst"), "preview", ui=ui)
    assert refused.status_code == 400
    [error] = refused.get_json()["errors"]
    assert (error["field"], error["line"]) == ("_ui", line_of(ui, '"categry"'))
    assert error["message"].endswith("：表单中没有字段 categry")


# ------------------------------------------------------------------------------ samples


def test_a_bad_sample_meets_the_officers_own_messages(web):
    sample = {"centerName": "乌鲁木齐中心", "leadUnit": {"debtRatio": "很高"}}
    refused = post_pair(web("analyst"), "sample", **form_data(sample))
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["message"] == "样例数据未通过校验，见各字段提示"
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["leadUnit.debtRatio"] == "申报前1年度资产负债率（%）：应填写数字"
    assert messages["category"] == "建设类别：此项为必填项"
    cotton = web("cotton")
    task = start_application(cotton)
    submitted = cotton.post(f"/tasks/{task}", {**form_data(sample), "_action": "submit"}, token_from=f"/tasks/{task}")
    assert submitted.status_code == 400
    for field in ("centerName", "leadUnit.debtRatio", "category"):
        assert the_error_of(body["html"], field) == the_error_of(text(submitted), field), field
    assert 'value="很高"' in body["html"], "the sample comes back as typed"


def test_a_good_sample_passes_and_shows_its_values_and_nothing_is_stored(web, ctx):
    schema = (FORMS / "tic/recommender_review.schema.json").read_text(encoding="utf-8")
    analyst = web("analyst")
    passed = analyst.post("/modeler/forms/tic/recommender_review/sample", {
        "_schema": schema, "_ui": "", "recommenderDecision": "approve", "recommenderOpinion": "同意推荐",
    }, token_from=PAGE)
    assert passed.status_code == 200, passed.get_json()
    body = passed.get_json()
    assert body["message"] == "样例数据通过校验"
    assert body["values"] == {"recommenderDecision": "approve", "recommenderOpinion": "同意推荐"}
    assert "样例数据通过校验" in body["html"] and "同意推荐" in body["html"]
    opinion_missing = analyst.post("/modeler/forms/tic/recommender_review/sample", {
        "_schema": schema, "_ui": "", "recommenderDecision": "return", "recommenderOpinion": " "},
        token_from=PAGE)
    assert opinion_missing.status_code == 400
    assert "此项为必填项" in opinion_missing.get_json()["errors"][0]["message"]


# ------------------------------------------------------------------------------ deploying


def test_deploying_makes_version_two_and_the_same_again_is_unchanged(web, ctx):
    analyst = web("analyst")
    unchanged = post_pair(analyst, "deploy").get_json()
    assert unchanged["version"] is None and unchanged["message"].startswith("未改变")
    schema = edited('"title": "中心名称"', '"title": "拟建中心全称"')
    deployed = post_pair(analyst, "deploy", schema)
    assert deployed.status_code == 200, deployed.get_json()
    assert deployed.get_json()["version"] == 2 and deployed.get_json()["versionLabel"] == "第 2 版"
    page = text(analyst.get(PAGE))
    assert 'data-testid="form-version">第 2 版<' in page and "拟建中心全称" in page
    assert "中心名称" in text(analyst.get(f"{PAGE}?version=1"))
    again = post_pair(analyst, "deploy", json.dumps(json.loads(schema), ensure_ascii=False, indent=4)).get_json()
    assert again["version"] is None and again["message"].startswith("未改变")
    assert [e["userId"] for e in deployments_audited(ctx)] == ["analyst"]


def test_a_form_with_problems_is_not_deployed(web):
    analyst = web("analyst")
    ui = edited('"category": "domain"', '"categry": "domain"', UI)
    refused = post_pair(analyst, "deploy", ui=ui)
    assert refused.status_code == 400
    assert [(e["field"], e["line"]) for e in refused.get_json()["errors"]] == [("_ui", line_of(ui, '"categry"'))]
    assert 'data-testid="form-version">第 1 版<' in text(analyst.get(PAGE))


def deployments_audited(ctx) -> list[dict]:
    """The deployments the editor made, as the audit log records them."""
    from app.core.audit import entries
    from app.core.identity import load_actor
    from app.core.paging import Page

    with ctx.db.read() as session:
        admin = load_actor(session, "admin")
        return [e for e in entries(session, admin, Page(0, 100))
                if e["action"] == "deployment.create" and e["details"]["name"] == f"modeler:{KEY}"]
