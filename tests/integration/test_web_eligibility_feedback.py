"""The eligibility check answers at once (issue 13): a refused application comes back to the
applicant's own page with the decision table's reason beside the field it concerns, and a
notification; only a negative or non-numeric debt ratio is a field error, a ratio over 100 %
(liabilities above assets) is refused like 75 %."""
from __future__ import annotations

import re

import pytest

from tests.support.establishment import application, lead_unit
from tests.support.web import form_data, start_application, text

pytestmark = pytest.mark.usefixtures("project_models")


def submit_with_debt_ratio(cotton, ratio):
    task_id = start_application(cotton)
    values = application(leadUnit=lead_unit(debtRatio=ratio))
    return cotton.post(f"/tasks/{task_id}", {**form_data(values), "_action": "submit"},
                       token_from=f"/tasks/{task_id}")


@pytest.mark.parametrize("ratio", [70.0, 75, 155])
def test_r05_a_debt_ratio_of_70_percent_or_more_comes_back_at_once_beside_the_field(web, ratio):
    cotton = web("cotton")
    response = submit_with_debt_ratio(cotton, ratio)

    assert response.status_code == 302
    assert re.search(r"/tasks/[\w-]+$", response.location), response.location
    page = text(cotton.get(response.location))
    assert "下一项任务由您办理" in page
    assert re.search(r'data-error-for="leadUnit.debtRatio">[^<]*资产负债率须低于70%', page)


def test_r05_at_69_9_percent_the_application_goes_on_to_the_recommender(web):
    cotton = web("cotton")
    response = submit_with_debt_ratio(cotton, 69.9)

    assert response.status_code == 302 and response.location.endswith("/tasks")
    assert "已提交，流程已流转到下一环节" in text(cotton.get(response.location))


def test_r05_a_negative_debt_ratio_is_a_field_error_of_the_form(web):
    response = submit_with_debt_ratio(web("cotton"), -5)

    assert response.status_code == 400
    assert re.search(r'data-error-for="leadUnit.debtRatio">', text(response))


def test_the_applicant_is_told_of_the_refusal_by_a_notification(web):
    cotton = web("cotton")
    submit_with_debt_ratio(cotton, 75)

    page = text(cotton.get("/notifications"))
    assert "组建条件审查未通过" in page and "资产负债率须低于70%" in page
