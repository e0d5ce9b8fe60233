"""Official documents from their templates: the template rendered in Jinja's immutable
sandbox with only the document's data (an administrator's template is untrusted input),
then laid out as PDF by WeasyPrint, which may read nothing but the app's own static files.
"""
from __future__ import annotations

import logging
import mimetypes
import traceback
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import FileSystemLoader, StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import ROOT

STATIC = ROOT / "app" / "static"
STYLESHEETS = STATIC / "documents"
LAYOUTS = Path(__file__).resolve().parent / "document_files" / "layout"
# What `from_string` names the template in its tracebacks: the frames of its lines.
_TEMPLATE_NAME = "<template>"
_log = logging.getLogger(__name__)


class TemplateProblem(ValueError):
    """A template that does not render: its line (None when unknown) and what is wrong, in
    Chinese."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = f"模板第 {line} 行：{message}" if line else f"模板：{message}"
        super().__init__(self.message)


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher that serves the files under app/static and refuses every other
    URL (http, other files, `..` out of the folder); a refused resource is left out."""

    def fetch(self, url, headers=None):
        path = static_file(url)
        if path is None:
            _log.warning("official document: refused to fetch %s", url)
            raise ValueError(f"只能引用系统自带的静态文件 / refused: {url}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": media_type})


def static_file(url: str) -> Path | None:
    """The file under app/static a `file:` URL names, None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    return path if path.is_relative_to(STATIC) and path.is_file() else None


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(LAYOUTS), autoescape=True, undefined=StrictUndefined,
    )


def render_html(template_text: str, data: dict) -> str:
    """The template filled with `data`; a TemplateProblem naming the line if it cannot be."""
    try:
        template = _environment().from_string(template_text)
    except TemplateSyntaxError as error:
        raise TemplateProblem(error.lineno, f"语法错误（{error.message}）") from None
    try:
        return template.render(data)
    except SecurityError as error:
        raise TemplateProblem(_line_of(error), f"不允许访问的内容（{error}）") from None
    except UndefinedError as error:
        raise TemplateProblem(_line_of(error), f"没有这项数据（{error.message}）") from None
    except TemplateSyntaxError as error:
        raise TemplateProblem(error.lineno, f"语法错误（{error.message}）") from None
    except Exception as error:  # an untrusted template may fail any way (1/0, bad filters)
        raise TemplateProblem(_line_of(error), f"无法生成（{type(error).__name__}: {error}）") from None


def _line_of(error: Exception) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename == _TEMPLATE_NAME]
    return lines[-1] if lines else None


# A rendering is a pure function of its HTML and takes ~0.3 s (the CJK fonts' subsetting): the
# same HTML again (the editor's preview of the sample data, a command retried after a conflict)
# is served from memory; 32 PDFs of ~0.3 MB bound what that keeps.
@lru_cache(maxsize=32)
def to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=STYLESHEETS.as_uri() + "/", url_fetcher=StaticFilesOnly()).write_pdf()

