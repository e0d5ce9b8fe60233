"""A decision table made ready for a trial (试算) column by column.

An analyst tries a table by giving each input column a value, as Camunda's DMN simulator
does; in a process the column's input expression computes it from the process variables
(`leadUnit.get("debtRatio")`). So the trial runs a copy of the table whose input
expressions each read a variable of their own; its rules, hit policy and outputs are the
analyst's, and the same compilation and DMN engine run it as run the deployed table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .errors import DefinitionProblem, InvalidDefinition
from .xml_safety import parse_xml

# The decision id goes into the XML of the process that calls it: an XML name, nothing more.
_XML_NAME = re.compile(r"[^\W\d][\w.-]*")


@dataclass(frozen=True)
class InputClause:
    """One input column: its id, label and declared type (`typeRef`, e.g. "number"), and
    the variable the trial copy of the table reads it from."""

    id: str
    label: str
    type_ref: str
    variable: str


@dataclass(frozen=True)
class TrialTable:
    decision_id: str
    clauses: list[InputClause]
    xml: bytes


def trial_table(content: bytes, file_name: str) -> TrialTable:
    """The first decision table of a DMN file, each input expression replaced by a variable
    (raises InvalidDefinition for unreadable XML, no decision table, or a decision id that
    is no XML name)."""
    tree = parse_xml(content, file_name)
    namespace = etree.QName(tree.getroot()).namespace
    table = tree.getroot().find(f"{{{namespace}}}decision/{{{namespace}}}decisionTable")
    if table is None:
        raise InvalidDefinition([DefinitionProblem(
            file_name, "文件中没有决策表，无法试算", "the file holds no decision table to try")])
    decision_id = table.getparent().get("id") or ""
    if not _XML_NAME.fullmatch(decision_id):
        raise InvalidDefinition([DefinitionProblem(
            file_name, f"决策标识“{decision_id[:40]}”不合法，无法试算",
            f"the decision id '{decision_id[:40]}' is not a valid XML name")])
    clauses = [_read_by_variable(clause, number, namespace)
               for number, clause in enumerate(table.iterfind(f"{{{namespace}}}input"), start=1)]
    return TrialTable(decision_id, clauses,
                      etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def _read_by_variable(clause, number: int, namespace: str) -> InputClause:
    expression = clause.find(f"{{{namespace}}}inputExpression")
    if expression is None:
        expression = etree.SubElement(clause, f"{{{namespace}}}inputExpression")
    text = expression.find(f"{{{namespace}}}text")
    if text is None:
        text = etree.SubElement(expression, f"{{{namespace}}}text")
    variable = f"trial_input_{number}"
    shown = (clause.get("label") or "").strip() or (text.text or "").strip() or clause.get("id") or variable
    text.text = variable
    return InputClause(clause.get("id") or variable, shown, (expression.get("typeRef") or "string").strip(), variable)
