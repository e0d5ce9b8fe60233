"""R01–R03: the registry's categories, fields and carrier regions are the application
form's, so a center registered from an application or imported reads the same codes."""
from __future__ import annotations

import json

from app.tic import registry
from tests.support.establishment import ROOT


def _form_codes(name: str) -> tuple:
    schema = json.loads((ROOT / "forms" / "tic" / "fill_application.schema.json").read_text(encoding="utf-8"))
    return tuple(code for code in schema["properties"][name]["enum"] if code is not None)


def test_r01_r02_r03_the_registry_codes_are_the_application_forms():
    assert registry.CATEGORIES == _form_codes("category")
    assert registry.FIELDS == _form_codes("field")
    assert registry.REGIONS == _form_codes("region")


def _form_names(name: str) -> dict:
    ui = json.loads((ROOT / "forms" / "tic" / "fill_application.ui.json").read_text(encoding="utf-8"))
    return ui["fields"][name]["x-enumNames"]


def test_r01_r02_r03_the_registry_names_are_the_application_forms():
    assert registry.CATEGORY_NAMES == _form_names("category")
    assert registry.FIELD_NAMES == _form_names("field")
    assert registry.REGION_NAMES == _form_names("region")
