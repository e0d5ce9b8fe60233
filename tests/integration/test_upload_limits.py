"""An oversized request is refused before it is read (413), as JSON on the API."""
from __future__ import annotations


def test_an_upload_over_the_limit_is_refused_with_413_before_reading_it(app, rest):
    client = rest("analyst")
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.client.post(
        "/engine-rest/deployment/create", data=b"--x--\r\n", headers=client.headers,
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(too_big)},
    )
    assert response.status_code == 413
    assert response.get_json()["type"] == "RestException"
    assert "请求过大" in response.get_json()["message"]
