"""The expert pool (专家库, issue 16): records kept by the department and its agency, XLSX
export and import (all rows or none). The draw from the pool: test_expert_draw_flow.py."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from app.core.errors import BadRequest, Forbidden
from app.core.identity import load_actor
from app.tic import expert_pool

RECORD = {"fields": ["cotton_textile"], "title": "教授", "phone": "0991-8582000", "email": "e@xju.edu.cn",
          "in_region": True, "available": True, "in_pool": True,
          "affiliations": [{"organization": "新疆农业科学院", "from": "2010-09-01", "to": "2018-07-31"}]}


def as_user(ctx, user_id, use_case, *args):
    with ctx.db.command() as session:
        return use_case(ctx, session, load_actor(session, user_id), *args)


def read_as(ctx, user_id, use_case, *args):
    with ctx.db.read() as session:
        return use_case(session, load_actor(session, user_id), *args)


def test_the_department_keeps_an_experts_record(ctx):
    as_user(ctx, "officer", expert_pool.save_expert, "expert4", RECORD)

    found = read_as(ctx, "agency", expert_pool.get_expert, "expert4")
    assert (found.fields, found.title, found.in_pool) == (("cotton_textile",), "教授", True)
    assert found.affiliations[0]["to"] == "2018-07-31"
    assert read_as(ctx, "manager", expert_pool.list_experts, "cotton_textile")[0].user_id == "expert4"


@pytest.mark.parametrize("user_id", ["cotton", "urumqi", "expert1", "leader"])
def test_only_the_department_and_its_agency_change_the_pool(ctx, user_id):
    with pytest.raises(Forbidden):
        as_user(ctx, user_id, expert_pool.save_expert, "expert4", RECORD)


@pytest.mark.parametrize("user_id", ["cotton", "expert1", "urumqi"])
def test_the_pool_with_its_contacts_is_not_read_outside_the_department(ctx, user_id):
    with pytest.raises(Forbidden):
        read_as(ctx, user_id, expert_pool.list_experts)


@pytest.mark.parametrize(("change", "field"), [
    ({"fields": ["astrology"]}, "领域"), ({"fields": []}, "领域"), ({"phone": "电话号码"}, "电话"),
    ({"email": "no-at-sign"}, "邮箱"),
    ({"affiliations": [{"organization": "新疆大学", "from": "2020-01-01", "to": "2019-01-01"}]}, "曾任职单位 1"),
])
def test_a_wrong_record_is_refused_naming_the_field_and_nothing_changes(ctx, change, field):
    as_user(ctx, "officer", expert_pool.save_expert, "expert4", RECORD)

    with pytest.raises(BadRequest) as refused:
        as_user(ctx, "officer", expert_pool.save_expert, "expert4", {**RECORD, **change})

    assert refused.value.errors[0]["field"] == field
    assert read_as(ctx, "officer", expert_pool.get_expert, "expert4").title == "教授"


def test_the_export_imports_back_and_an_import_changes_the_records(ctx):
    as_user(ctx, "officer", expert_pool.save_expert, "expert4", RECORD)
    exported = read_as(ctx, "officer", expert_pool.export_xlsx)
    book = load_workbook(io.BytesIO(exported))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == expert_pool.COLUMNS
    [row] = [r for r in rows if r[0] == "expert4"]
    assert row[3] == "棉花和纺织服装" and row[10] == "新疆农业科学院|2010-09-01|2018-07-31"

    sheet = book.active
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == "expert5":
            cells[3].value, cells[7].value = "生物医药、现代农业", "区外"
    out = io.BytesIO()
    book.save(out)
    count = as_user(ctx, "agency", expert_pool.import_xlsx, out.getvalue())

    assert count == len(rows) - 1
    expert5 = read_as(ctx, "officer", expert_pool.get_expert, "expert5")
    assert expert5.fields == ("biomedicine", "modern_agriculture") and expert5.in_region is False


def test_an_import_with_a_wrong_row_imports_nothing_and_names_the_row(ctx):
    book = Workbook()
    book.active.append(expert_pool.COLUMNS)
    book.active.append(["expert6", "专家六", "", "生物医药", "", "", "", "区内", "是", "是", ""])
    book.active.append(["nobody", "无名", "", "星象", "", "", "", "区内", "是", "是", ""])
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(BadRequest) as refused:
        as_user(ctx, "officer", expert_pool.import_xlsx, out.getvalue())

    fields = [e["field"] for e in refused.value.errors]
    assert fields == ["第 3 行 用户名", "第 3 行 领域"]
    assert read_as(ctx, "officer", expert_pool.get_expert, "expert6").fields == ()


def test_a_file_that_is_not_a_workbook_is_refused(ctx):
    with pytest.raises(BadRequest, match="xlsx"):
        as_user(ctx, "officer", expert_pool.import_xlsx, b"not a workbook")
