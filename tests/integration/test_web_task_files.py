"""File fields of a task form: the chosen file becomes an attachment of the case and the
field's value its reference; a refused file is reported beside its field. What a refused
submission keeps: test_web_task_uploads.py."""
from __future__ import annotations

import io
import re

import pytest

from tests.support.establishment import application, variables
from tests.support.web import PDF, form_data, instance_of, pdf, start_application, text

pytestmark = pytest.mark.usefixtures("project_models")

def reference_in(page: str, name: str) -> str:
    return re.search(rf'<input type="hidden" name="{re.escape(name)}" value="(attachment:[0-9a-f-]{{36}})">',
                     page).group(1)


def test_the_form_offers_file_inputs(web):
    cotton = web("cotton")
    page = text(cotton.get(f"/tasks/{start_application(cotton)}"))
    assert 'enctype="multipart/form-data"' in page
    assert 'name="planDocument" type="file" accept="application/pdf"' in page
    assert 'name="signaturePageScan" type="file" accept="application/pdf,image/*"' in page


def test_a_file_uploaded_on_submit_is_stored_and_referenced(web, rest):
    cotton = web("cotton")
    task_id = start_application(cotton)
    instance_id = instance_of(cotton, task_id)
    response = cotton.post(f"/tasks/{task_id}", {**form_data(application()), "planDocument": pdf(),
                                                 "_action": "submit"}, token_from=f"/tasks/{task_id}")
    assert response.status_code == 302, text(response)
    reference = variables(rest("cotton"), instance_id)["planDocument"]
    attachment_id = re.fullmatch(r"attachment:([0-9a-f-]{36})", reference).group(1)
    download = cotton.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == PDF
    assert "建设方案.pdf" in text(cotton.get(f"/instances/{instance_id}"))


def test_a_file_saved_with_the_draft_is_shown_again(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = cotton.post(f"/tasks/{task_id}", {"signaturePageScan": pdf("签章页.pdf"), "_action": "save"},
                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    page = text(cotton.get(f"/tasks/{task_id}"))
    assert reference_in(page, "signaturePageScan") and ">签章页.pdf</a>" in page


def test_a_file_of_the_wrong_type_is_refused_beside_its_field(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = cotton.post(f"/tasks/{task_id}", {
        **form_data(application(centerName="新疆天山技术创新中心")),
        "planDocument": (io.BytesIO(b"MZ\x90\x00"), "setup.exe", "application/octet-stream"),
        "_action": "submit"}, token_from=f"/tasks/{task_id}")
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'data-error-for="planDocument">建设方案（PDF）：附件类型不支持', page)
    assert 'value="新疆天山技术创新中心"' in page and 'value="新疆大学"' in page
    assert 'name="planDocument" value="attachment:' not in page
