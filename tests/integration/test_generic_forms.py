"""A user task without a form key (as 15 models of the corpus have) deploys and is worked in
a generic form, as in Camunda's Tasklist (issue 15): the fields its `camunda:formField`s
declare, typed, else the process variables."""
from __future__ import annotations

from tests.support.jobs import deployed, only_task, start
from tests.support.services import FIXTURES

MODEL = {"generic_form.bpmn": (FIXTURES / "bpmn" / "generic_form.bpmn").read_bytes()}


def test_a_user_task_without_a_form_key_deploys_with_a_warning(rest):
    body = deployed(rest("analyst"), MODEL, "generic")
    assert [d["key"] for d in body["deployedProcessDefinitions"].values()] == ["generic_form"]
    assert {w["element_id"] for w in body["warnings"]} == {"review", "note"}
    assert all("通用表单" in w["message"] for w in body["warnings"])


def test_the_generic_form_asks_the_form_fields_typed_and_completes_the_step(rest, web):
    deployed(rest("analyst"), MODEL, "generic")
    officer = rest("officer")
    case = start(officer, "generic_form")["id"]
    task_id = only_task(officer, case)["id"]
    page = web("officer")
    text = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    for label in ("通用表单", "是否同意", "核定金额（万元）", "等次", "良好", "较差"):
        assert label in text

    answer = page.post(f"/tasks/{task_id}", {"approved": "false", "amount": "120", "level": "poor",
                                             "_action": "submit"}, token_from=f"/tasks/{task_id}")
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:500]
    variables = rest("admin").get(f"/process-instance/{case}/variables").get_json()
    assert (variables["approved"]["value"], variables["amount"]["value"], variables["level"]["value"]) == (
        False, 120, "poor")


def test_a_bad_value_in_a_typed_field_is_refused_beside_the_field_and_nothing_is_lost(rest, web):
    deployed(rest("analyst"), MODEL, "generic")
    officer = rest("officer")
    task_id = only_task(officer, start(officer, "generic_form")["id"])["id"]
    page = web("officer")
    answer = page.post(f"/tasks/{task_id}", {"approved": "true", "amount": "一百", "_action": "submit"},
                       token_from=f"/tasks/{task_id}")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "核定金额（万元）" in text and 'value="一百"' in text


def test_without_form_fields_the_generic_form_shows_the_process_variables(rest, web):
    deployed(rest("analyst"), MODEL, "generic")
    officer = rest("officer")
    case = start(officer, "generic_form", {"title": "新疆测试中心"})["id"]
    review = only_task(officer, case)["id"]
    assert officer.post(f"/task/{review}/complete", json={"variables": {
        "approved": {"value": True}, "amount": {"value": 80}}}).status_code == 204
    note = only_task(officer, case)["id"]
    text = web("officer").get(f"/tasks/{note}").get_data(as_text=True)
    assert "通用表单" in text and 'value="新疆测试中心"' in text and "amount" in text


def test_a_form_key_of_another_tool_with_form_fields_is_worked_in_the_generic_form(rest, web):
    """As SpiffWorkflow's examples write it: a key their own app knows, the fields declared."""
    xml = MODEL["generic_form.bpmn"].replace(
        b'<bpmn:userTask id="review" name="\xe5\xae\xa1\xe6\xa0\xb8"',
        b'<bpmn:userTask id="review" name="\xe5\xae\xa1\xe6\xa0\xb8" camunda:formKey="Review Form"')
    body = deployed(rest("analyst"), {"generic_form.bpmn": xml}, "generic")
    [review] = [w for w in body["warnings"] if w["element_id"] == "review"]
    assert "Review Form" in review["message"] and "通用表单" in review["message"]
    officer = rest("officer")
    task = only_task(officer, start(officer, "generic_form")["id"])
    assert task["formKey"] is None, "the key names no form here"
    text = web("officer").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "通用表单" in text and "核定金额（万元）" in text
    assert officer.post(f"/task/{task['id']}/complete", json={"variables": {
        "approved": {"value": True}, "amount": {"value": 80}}}).status_code == 204
