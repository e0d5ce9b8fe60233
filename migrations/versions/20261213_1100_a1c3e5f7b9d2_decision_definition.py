"""decision_definition: deployed decision tables, versioned by key

Filled from the DMN files deployed so far, in the order they were deployed: a key's
version goes up whenever its file's content changed, as deployment does from now on.

Revision ID: a1c3e5f7b9d2
Revises: f7a2c5d9e1b3
Create Date: 2026-12-13 11:00:00+08:00

"""
import uuid
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from lxml import etree

revision: str = 'a1c3e5f7b9d2'
down_revision: Union[str, Sequence[str], None] = 'f7a2c5d9e1b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The stored files passed the deploy checks; still, never resolve entities or the network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def upgrade() -> None:
    table = op.create_table('decision_definition',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('resource_name', sa.String(length=300), nullable=False),
    sa.Column('dmn_xml', sa.LargeBinary(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'],
                            name=op.f('fk_decision_definition_deployment_id_deployment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_definition')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_decision_definition_key'))
    )
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_definition_deployment_id'), ['deployment_id'], unique=False)
    op.bulk_insert(table, _deployed_decisions())


def _deployed_decisions() -> list[dict]:
    rows = op.get_bind().execute(sa.text(
        "SELECT r.deployment_id, r.name, r.content, r.content_hash FROM deployment_resource r "
        "JOIN deployment d ON d.id = r.deployment_id WHERE r.kind = 'dmn' ORDER BY d.deployed_at"
    )).all()
    latest: dict[str, dict] = {}
    definitions = []
    for deployment_id, name, content, digest in rows:
        decision = etree.fromstring(bytes(content), _PARSER).find("{*}decision")
        key = decision.get("id")
        previous = latest.get(key)
        if previous is not None and previous["content_hash"] == digest:
            continue
        version = previous["version"] + 1 if previous else 1
        latest[key] = {
            "id": f"{key}:{version}:{uuid.uuid4()}", "key": key, "version": version,
            "name": decision.get("name"), "deployment_id": deployment_id, "resource_name": name,
            "dmn_xml": bytes(content), "content_hash": digest,
        }
        definitions.append(latest[key])
    return definitions


def downgrade() -> None:
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_definition_deployment_id'))
    op.drop_table('decision_definition')
