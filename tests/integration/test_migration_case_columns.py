"""The cockpit's migration fills the new case columns of the instances already there: the
applying unit (the starter's organization, else `applicantOrg`) and the supervising unit
(`recommenderOrg`), as `permissions.case_of` reads them."""
from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.cli import ROOT

BEFORE = "a8b3d6e0f2c4"
NOW = "2026-03-02 01:00:00"


def upgrade(database_url: str, revision: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, revision)


def instance(connection, instance_id: str, owner_org: str | None, values: dict) -> None:
    connection.execute(text(
        "INSERT INTO process_instance (id, definition_id, process_key, state, serializer_version, state_json,"
        " variables_json, waits_json, owner_org, start_time, version)"
        " VALUES (:id, 'p:1:d', 'p', 'ACTIVE', '1', '{}', :variables, '{}', :owner, :now, 1)"
    ), {"id": instance_id, "variables": json.dumps({"values": values}), "owner": owner_org, "now": NOW})


def test_the_existing_instances_get_their_applying_and_supervising_unit(database_url):
    upgrade(database_url, BEFORE)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deployment (id, name, content_hash, deployed_at)"
                                " VALUES ('d', 'd', 'h', :now)"), {"now": NOW})
        connection.execute(text(
            "INSERT INTO process_definition (id, key, version, deployment_id, resource_name, bpmn_xml, spec_json,"
            " forms_json, elements_json, content_hash, has_timer_start, starter_groups, starter_users, suspended)"
            " VALUES ('p:1:d', 'p', 1, 'd', 'p.bpmn', :xml, '{}', '{}', '{}', 'h', false, '', '', false)"
        ), {"xml": b"<x/>"})
        instance(connection, "started", "tianmian", {"recommenderOrg": "urumqi_gov"})
        instance(connection, "by-registry", None, {"applicantOrg": "xju", "recommenderOrg": "gxt"})
        instance(connection, "bare", None, {})
    upgrade(database_url, "head")
    with engine.connect() as connection:
        rows = dict((r[0], (r[1], r[2])) for r in connection.execute(text(
            "SELECT id, applicant_org, supervising_org FROM process_instance")))
    engine.dispose()

    assert rows == {"started": ("tianmian", "urumqi_gov"), "by-registry": ("xju", "gxt"), "bare": (None, None)}
