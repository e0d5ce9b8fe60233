"""The revision adding decision_definition fills it from the DMN files deployed before it."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.engine.compiler import content_hash

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "f7a2c5d9e1b3"
ELIGIBILITY = (ROOT / "bpmn" / "tic_eligibility.dmn").read_bytes()
FUNDING = (ROOT / "bpmn" / "tic_funding.dmn").read_bytes()
CHANGED = ELIGIBILITY.replace(b"<text>&gt;= 70</text>", b"<text>&gt;= 65</text>")


def upgraded(database_url: str, revision: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, revision)


def deploy_rows(connection, number: int, files: dict[str, bytes]) -> None:
    deployment_id = f"d{number}"
    connection.execute(text(
        "INSERT INTO deployment (id, name, source, content_hash, deployed_at, deployed_by) "
        "VALUES (:id, 'old', NULL, :hash, :at, 'analyst')"
    ), {"id": deployment_id, "hash": f"h{number}", "at": datetime(2026, 1, 1) + timedelta(days=number)})
    for name, content in files.items():
        connection.execute(text(
            "INSERT INTO deployment_resource (id, deployment_id, name, kind, content, content_hash) "
            "VALUES (:id, :deployment, :name, 'dmn', :content, :hash)"
        ), {"id": f"{deployment_id}-{name}", "deployment": deployment_id, "name": name,
            "content": content, "hash": content_hash(content)})


def test_deployed_tables_become_versions_in_the_order_they_were_deployed(database_url):
    upgraded(database_url, BEFORE)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        # Inserted out of order: the deployment time decides, not the insertion.
        deploy_rows(connection, 3, {"tic_eligibility.dmn": CHANGED})
        deploy_rows(connection, 1, {"tic_eligibility.dmn": ELIGIBILITY, "tic_funding.dmn": FUNDING})
        deploy_rows(connection, 2, {"tic_eligibility.dmn": ELIGIBILITY})

    upgraded(database_url, "head")

    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT key, version, deployment_id, name, resource_name, content_hash, id "
            "FROM decision_definition ORDER BY key, version"
        )).all()
    engine.dispose()
    assert [row[:5] for row in rows] == [
        ("tic_eligibility", 1, "d1", "技术创新中心组建条件审查", "tic_eligibility.dmn"),
        ("tic_eligibility", 2, "d3", "技术创新中心组建条件审查", "tic_eligibility.dmn"),
        ("tic_funding", 1, "d1", rows[2][3], "tic_funding.dmn"),
    ]
    assert rows[1][5] == content_hash(CHANGED)
    assert rows[0][6].startswith("tic_eligibility:1:")
