"""pycamunda (PyPI) against a live server, as a team that runs Camunda 7 would use it:
deploy, start with typed variables, list, claim and complete tasks, read variables,
correlate a message with its result, read the password policy and change one's own
password. A shape the client cannot read fails here."""
from __future__ import annotations

import pycamunda.deployment
import pycamunda.identity
import pycamunda.message
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pycamunda.user
import pytest
from requests.auth import HTTPBasicAuth

from tests.support.flows import fixture_path

MODEL = "flow_message_catch.bpmn"
FORM = "flow_opinion.schema.json"


@pytest.fixture
def deployment(engine_rest, as_user):
    create = as_user(pycamunda.deployment.Create(engine_rest, name="客户端部署"), "analyst")
    with open(fixture_path(MODEL), "rb") as model, open(fixture_path(FORM), "rb") as form:
        create.add_resource(model)
        create.add_resource(form)
        return create()


@pytest.fixture
def started(engine_rest, as_user, deployment):
    start = as_user(pycamunda.processdef.StartInstance(
        engine_rest, key="flow_message_catch", business_key="XJ-2026-401"), "officer")
    start.add_variable("title", "新疆棉纺创新平台")
    start.add_variable("amount", 150, type_="Integer")
    start.add_variable("staff", 12, type_="Short")
    start.add_variable("ratio", 0.65, type_="Double")
    start.add_variable("local", True, type_="Boolean")
    start.add_variable("fields", '["新材料", "纺织"]', type_="Json")
    start.add_variable("submitted", "2026-12-06T10:00:00.000+0800", type_="Date")
    return start()


def test_a_deployment_names_its_definition(deployment):
    [definition] = deployment.deployed_process_definitions.values()
    assert definition.key == "flow_message_catch" and definition.version == 1
    assert deployment.name == "客户端部署"


def test_a_start_with_typed_variables_reads_back_each_type(engine_rest, as_user, started):
    values = as_user(pycamunda.processinst.VariablesGetList(engine_rest, started.id_), "officer")()

    assert started.business_key == "XJ-2026-401" and started.suspended is False
    assert started.links[0].href.endswith(f"/process-instance/{started.id_}")
    assert (values["amount"].value, values["amount"].type_) == (150, "Integer")
    assert (values["staff"].value, values["staff"].type_) == (12, "Short")
    assert (values["ratio"].value, values["local"].value) == (0.65, True)
    assert values["fields"].type_ == "Json"
    assert values["submitted"].type_ == "Date"
    one = as_user(pycamunda.processinst.VariablesGet(engine_rest, started.id_, "title"), "officer")()
    assert one.value == "新疆棉纺创新平台"


def test_a_correlation_with_its_result_then_claim_and_complete(engine_rest, as_user, started):
    correlate = as_user(pycamunda.message.CorrelateSingle(
        engine_rest, message_name="flow_payment_received", business_key="XJ-2026-401",
        result_enabled=True), "officer")
    correlate.add_process_variable("voucher", "拨-0001")
    [result] = correlate()

    assert result.execution.process_instance_id == started.id_
    assert result.execution.ended is False
    [task] = as_user(pycamunda.task.GetList(engine_rest, process_instance_id=started.id_), "officer")()
    assert task.task_definition_key == "confirm_payment"

    as_user(pycamunda.task.Claim(engine_rest, task.id_, user_id="officer"), "officer")()
    assert as_user(pycamunda.task.Get(engine_rest, task.id_), "officer")().assignee == "officer"
    complete = as_user(pycamunda.task.Complete(engine_rest, task.id_), "officer")
    complete.add_variable("approved", True)
    complete()

    assert as_user(pycamunda.task.GetList(engine_rest, process_instance_id=started.id_), "officer")() == ()


def test_a_refusal_reaches_the_client_as_its_exception(engine_rest, as_user, deployment):
    start = as_user(pycamunda.processdef.StartInstance(engine_rest, key="flow_message_catch"), "officer")
    start.add_variable("staff", 40000, type_="Short")

    with pytest.raises(pycamunda.BadRequest) as refused:
        start()
    assert "staff" in str(refused.value)


def test_an_instance_list_reads_in_the_client(engine_rest, as_user, started):
    found = as_user(pycamunda.processinst.GetList(
        engine_rest, process_definition_key="flow_message_catch", business_key="XJ-2026-401"), "officer")()

    assert [i.id_ for i in found] == [started.id_]


def test_the_password_policy_a_check_against_it_and_ones_own_credentials(engine_rest, as_user):
    rules = as_user(pycamunda.identity.GetPasswordPolicy(engine_rest), "officer")()
    assert {r.placeholder: r.parameters for r in rules}["PASSWORD_POLICY_LENGTH"] == {"minLength": "8"}
    checked = as_user(pycamunda.identity.ValidatePassword(engine_rest, password="short"), "officer")()
    assert {c.policy.placeholder: c.valid for c in checked}["PASSWORD_POLICY_LENGTH"] is False
    verified = as_user(pycamunda.identity.VerifyUser(engine_rest, username="officer", password="demo"), "officer")()
    assert (verified.user_id, verified.authenticated) == ("officer", True)
    as_user(pycamunda.user.UpdateCredentials(engine_rest, "officer", password="Tianshan-2026",
                                             authenticated_user_password="demo"), "officer")()
    renewed = pycamunda.identity.VerifyUser(engine_rest, username="officer", password="Tianshan-2026")
    renewed.auth = HTTPBasicAuth("officer", "Tianshan-2026")
    assert renewed().authenticated is True
