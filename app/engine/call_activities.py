"""Which processes a deployed process calls: its call activities and their called elements,
read from the stored diagram (the cockpit counts a called process's steps in its callers)."""
from __future__ import annotations

from app.engine.compiler import NS
from app.engine.xml_safety import parse_xml


def called_processes(bpmn_xml: bytes, process_key: str) -> dict[str, str]:
    """Call activity id -> the key of the process it calls, for the process `process_key`
    of a stored (already validated) diagram."""
    root = parse_xml(bpmn_xml, f"{process_key}.bpmn").getroot()
    calls = {}
    for process in root.iterfind("bpmn:process", NS):
        if process.get("id") != process_key:
            continue
        for activity in process.iterfind(".//bpmn:callActivity", NS):
            if activity.get("id") and activity.get("calledElement"):
                calls[activity.get("id")] = activity.get("calledElement")
    return calls
