"""FEEL simple unary tests in DMN input entries (what dmn-js writes): their translation into
the Python cells SpiffWorkflow evaluates, and what a table of them decides in the engine."""
from __future__ import annotations

import time
from html import escape
from pathlib import Path

import pytest
from lxml import etree

from app.engine.compiler import SourceFile, dmn_engine_ready
from app.engine.errors import EngineError
from app.engine.feel import unary_tests_to_python
from app.engine.lint import lint_dmn
from app.engine.xml_safety import parse_xml
from tests.support.decisions import decision_of


# ------------------------------------------------------------------------ translation


@pytest.mark.parametrize(("feel", "python"), [
    ("[1..5]", "1 <= ? <= 5"),
    ("]1..5[", "1 < ? < 5"),
    ("(1..5)", "1 < ? < 5"),
    ("[1..5[", "1 <= ? < 5"),
    ("]1..5]", "1 < ? <= 5"),
    ("[-1.5..0]", "-1.5 <= ? <= 0"),
    ('"a","b"', '? in ("a", "b")'),
    ('"a", 1, < 0', '(? in ("a", 1)) or (? < 0)'),
    ('"a", < 0', '(? == "a") or (? < 0)'),
    ("< 1, > 9", "(? < 1) or (? > 9)"),
    ('not("a","b")', 'not (? in ("a", "b"))'),
    ("not(< 5)", "not (? < 5)"),
    ("not([1..5])", "not (1 <= ? <= 5)"),
    ("true", "? is True"),
    ("false", "? is False"),
    ("007", "? == 7"),
    ("69.90", "? == 69.9"),
    (" 70", "? == 70"),
])
def test_feel_tests_become_python_over_the_input(feel, python):
    assert unary_tests_to_python(feel) == python


@pytest.mark.parametrize("cell", ["< 70", "<= 70", "> 1", ">= 70", "70", "-3", '"enterprise"', '< "m"'])
def test_cells_python_reads_the_same_way_are_left_as_written(cell):
    # Tables deployed before FEEL support keep the specs (and versions) they compiled to.
    assert unary_tests_to_python(cell) == cell


def test_a_long_list_is_translated_quickly():
    started = time.perf_counter()
    assert unary_tests_to_python(",".join(['"新疆"'] * 10_000)).startswith('? in ("新疆", ')
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("cell", ["-", " - "])
def test_a_dash_matches_any_value(cell):
    assert unary_tests_to_python(cell) == "-"


def test_strings_are_written_without_quotes_or_question_marks_spiff_would_misread():
    # SpiffWorkflow replaces every `?` followed by an even number of quote characters.
    assert unary_tests_to_python(r'"it\'s ok?"') == r'? == "it\x27s ok\x3f"'
    assert unary_tests_to_python(r'"say \"hi\""') == r'? == "say \x22hi\x22"'


def test_feel_string_escapes_are_read():
    assert unary_tests_to_python(r'"\u65b0\n"') == '? == "新\\x0a"'


@pytest.mark.parametrize("cell", [
    None, "", "not ?", '? in ("a", "b")', "leadUnit", "[1..limit]", "< true", "[true..false]",
    'date("2026-01-01")', "!= 5", "[1..5", "1..5", "not(-)", '"unterminated', r'"\q"', "- 5",
])
def test_anything_else_is_not_in_the_subset(cell):
    assert unary_tests_to_python(cell) is None


PROJECT_TABLES = sorted((Path(__file__).resolve().parents[2] / "bpmn").glob("*.dmn"))


@pytest.mark.parametrize("path", PROJECT_TABLES, ids=[p.name for p in PROJECT_TABLES])
def test_the_projects_tables_reach_the_engine_as_written(path):
    # Their compiled specs, and so the versions of the processes calling them, stay as they were.
    tree = parse_xml(path.read_bytes(), path.name)
    written = [text.text for text in tree.getroot().iter("{*}text")]
    assert [text.text for text in dmn_engine_ready(tree).getroot().iter("{*}text")] == written


# ------------------------------------------------------------- decided by the engine


def table_with(entry: str, type_ref: str = "number") -> SourceFile:
    """A table deciding `hit` when the input `value` passes `entry`, `miss` otherwise."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="feel" namespace="http://tic-flow/test">
  <decision id="feel_check" name="FEEL">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_value" label="值"><inputExpression id="in_value_expr" typeRef="{type_ref}"><text>value</text></inputExpression></input>
      <output id="out" name="outcome" typeRef="string"/>
      <rule id="hit"><inputEntry id="hit_in"><text>{escape(entry, quote=False)}</text></inputEntry><outputEntry id="hit_out"><text>"hit"</text></outputEntry></rule>
      <rule id="miss"><inputEntry id="miss_in"><text>-</text></inputEntry><outputEntry id="miss_out"><text>"miss"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
    return SourceFile("feel_check.dmn", content.encode())


def outcomes(entry: str, values: list) -> list[str]:
    decide = decision_of(table_with(entry), "feel_check")
    return [decide(value=value)["outcome"] for value in values]


@pytest.mark.parametrize(("entry", "values", "expected"), [
    ("< 70", [69.9, 70, 70.1], ["hit", "miss", "miss"]),
    ("<= 70", [69.9, 70, 70.1], ["hit", "hit", "miss"]),
    ("> 1", [0.9, 1, 1.1], ["miss", "miss", "hit"]),
    (">= 70", [69.9, 70.0, 85], ["miss", "hit", "hit"]),
    ("[1..5]", [0.99, 1, 5, 5.01], ["miss", "hit", "hit", "miss"]),
    ("]1..5[", [1, 1.01, 4.99, 5], ["miss", "hit", "hit", "miss"]),
    ("[1..5[", [1, 5], ["hit", "miss"]),
    ("not([1..5])", [0, 3, 6], ["hit", "miss", "hit"]),
    ("< 1, > 9", [0, 5, 10], ["hit", "miss", "hit"]),
    ("70", [70, 70.0, 69.9], ["hit", "hit", "miss"]),
])
def test_numeric_tests_decide_at_their_boundaries(entry, values, expected):
    assert outcomes(entry, values) == expected


@pytest.mark.parametrize(("entry", "values", "expected"), [
    ('"enterprise","university"', ["enterprise", "university", "park"], ["hit", "hit", "miss"]),
    ('not("enterprise","university")', ["enterprise", "park"], ["miss", "hit"]),
    ('"it\'s?"', ["it's?", "its"], ["hit", "miss"]),
    ("true", [True, False, 1], ["hit", "miss", "miss"]),
    ("false", [False, True, 0], ["hit", "miss", "miss"]),
])
def test_one_of_negation_and_boolean_tests_decide(entry, values, expected):
    assert outcomes(entry, values) == expected


def test_a_comparison_of_a_missing_input_is_an_engine_error_as_before():
    # `< 70` is read as Python has always read it: None < 70 fails rather than not matching.
    with pytest.raises(EngineError):
        outcomes("< 70", [None])


# ------------------------------------------------------------- Camunda's own example

DINNER = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "examples" / "camunda-bpm-examples" / "dinnerDecisions.dmn"


def test_camundas_dinner_decisions_are_refused_only_for_holding_two_decisions():
    problems = lint_dmn(parse_xml(DINNER.read_bytes(), DINNER.name), DINNER.name)
    assert [p.message_en for p in problems] == [
        "A DMN file must contain exactly one decision (found 2); split it into several files"
    ]


def dish_table() -> SourceFile:
    """Camunda's dish decision (DMN 1.1, as its modeler wrote it), alone in its file."""
    root = etree.fromstring(DINNER.read_bytes())
    root.remove(root.find("{*}decision[@id='beverages']"))
    return SourceFile("dish.dmn", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize(("season", "guests", "dish"), [
    ("Fall", 8, "Spareribs"), ("Winter", 8, "Roastbeef"), ("Spring", 4, "Dry Aged Gourmet Steak"),
    ("Spring", 5, "Steak"), ("Spring", 8, "Steak"), ("Spring", 9, "Stew"), ("Winter", 9, "Stew"),
    ("Summer", 20, "Light Salad and a nice Steak"),
])
def test_camundas_dish_decision_decides_as_documented(season, guests, dish):
    decide = decision_of(dish_table(), "dish")
    assert decide(season=season, guestCount=guests)["desiredDish"] == dish
