"""Official documents' templates are untrusted input (administrators edit them): rendered in
Jinja's immutable sandbox with only the document's data, errors named by line in Chinese,
and WeasyPrint may read nothing but the app's own static files."""
from __future__ import annotations

import http.server
import logging
import threading

import pytest

from app.tic import document_pdf
from app.tic.document_kinds import KINDS
from app.tic.document_pdf import STATIC, StaticFilesOnly, TemplateProblem, render_html, static_file
from tests.support.documents import pdf_text

SAMPLE = KINDS["approval_reply"].sample


@pytest.mark.parametrize("escape", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ signers.append(1) }}",
])
def test_a_sandbox_escape_in_a_template_is_refused_naming_its_line(escape):
    with pytest.raises(TemplateProblem) as refused:
        render_html("<p>第一行</p>\n<p>{{ center_name }}</p>\n" + escape, SAMPLE)
    assert refused.value.line == 3
    assert refused.value.message.startswith("模板第 3 行：")


def test_a_syntax_error_names_its_line():
    with pytest.raises(TemplateProblem, match="模板第 2 行：语法错误") as refused:
        render_html("<p>{{ title }}</p>\n{% if %}\n", SAMPLE)
    assert refused.value.line == 2


def test_data_the_document_does_not_have_is_named():
    with pytest.raises(TemplateProblem, match=r"模板第 1 行：没有这项数据.*secret_key"):
        render_html("{{ secret_key }}", SAMPLE)


def test_the_template_sees_only_the_documents_data_escaped():
    html = render_html("{{ title }}|{{ config is defined }}|{{ request is defined }}",
                       {**SAMPLE, "title": "<script>x</script>"})
    assert html == "&lt;script&gt;x&lt;/script&gt;|False|False"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.css", "https://example.org/a.png", "file:///etc/passwd",
    (STATIC / "documents").as_uri() + "/../../../../../etc/passwd",
    (STATIC / "documents").as_uri() + "/../../config.py",
    "data:text/css,body{}", "ftp://host/x",
])
def test_the_fetcher_refuses_everything_but_the_apps_static_files(url):
    assert static_file(url) is None
    with pytest.raises(ValueError, match="只能引用系统自带的静态文件"):
        StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_the_documents_stylesheet():
    response = StaticFilesOnly().fetch((STATIC / "documents" / "gbt9704.css").as_uri())
    assert b"@page" in response.read() and response.content_type == "text/css"
    response.close()


@pytest.fixture
def recorder():
    """An HTTP server on 127.0.0.1 that records each request it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_a_template_reaching_out_yields_nothing(recorder, caplog):
    base, hits = recorder
    template = (
        '{% extends "layout.html" %}{% block body %}'
        f'<link rel="stylesheet" href="{base}/steal.css"><img src="{base}/pixel.png">'
        '<img src="file:///etc/passwd"><img src="../../config.py">'
        '<style>@import url("file:///etc/hostname");</style>'
        '<p>正文</p>{% endblock %}'
    )
    with caplog.at_level(logging.WARNING, logger="app.tic.document_pdf"):
        content = pdf_text(document_pdf.to_pdf(render_html(template, SAMPLE)))
    assert hits == []
    refused = " ".join(r.getMessage() for r in caplog.records)
    for url in (f"{base}/steal.css", f"{base}/pixel.png", "file:///etc/passwd", "file:///etc/hostname"):
        assert url in refused
    assert "config.py" in refused
    assert "正文" in content and "root:" not in content
