"""A decision table made ready for a trial (试算): each input column read from a variable of
its own, labelled as the analyst sees it, its type as declared; nothing else changes."""
from __future__ import annotations

import pytest

from app.engine.decision_trial import InputClause, trial_table
from app.engine.errors import InvalidDefinition

TABLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="http://t">
  <decision id="grade" name="grade">
    <decisionTable id="t">
      <input id="in_score" label="Score">
        <inputExpression id="e1" typeRef="number"><text>application["score"]</text></inputExpression>
      </input>
      <input id="in_kind">
        <inputExpression id="e2"><text>kind</text></inputExpression>
      </input>
      <output id="out" name="grade" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="r1a"><text>&gt;= 90</text></inputEntry>
        <inputEntry id="r1b"><text>-</text></inputEntry>
        <outputEntry id="r1o"><text>"A"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_each_input_column_reads_a_variable_of_its_own():
    table = trial_table(TABLE, "grade.dmn")
    assert table.decision_id == "grade"
    assert table.clauses == [InputClause("in_score", "Score", "number", "trial_input_1"),
                             InputClause("in_kind", "kind", "string", "trial_input_2")]
    assert b"<text>trial_input_1</text>" in table.xml and b"application" not in table.xml
    assert b"<text>&gt;= 90</text>" in table.xml


def test_a_decision_id_that_is_no_xml_name_is_refused():
    bad = TABLE.replace(b'id="grade"', b'id="grade&quot;/&gt;"')
    with pytest.raises(InvalidDefinition, match="不合法"):
        trial_table(bad, "grade.dmn")
