"""measures: a measure key on each notice; alerts carry measure, update flag, evidence level

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:00:00
"""

import json
from datetime import date

from alembic import op
import sqlalchemy as sa
import sqlmodel

from store.measures import measure_key


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice') as batch:
        batch.add_column(
            sa.Column('measure_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default='')
        )
        batch.create_index('ix_notice_measure_key', ['measure_key'], unique=False)
    with op.batch_alter_table('alert') as batch:
        batch.add_column(sa.Column('measure_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch.add_column(sa.Column('is_update', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('evidence_level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch.create_index('ix_alert_measure_key', ['measure_key'], unique=False)
    _backfill()


def _backfill() -> None:
    """Every notice gets its measure key, every alert its notice's (the next match run
    sets the update flag and evidence level)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text('SELECT id, source, external_id, case_numbers, case_stage, published_on FROM notice')
    ).fetchall()
    updates = []
    for notice_id, source, external_id, cases, stage, published in rows:
        if isinstance(cases, str):
            cases = json.loads(cases)
        if isinstance(published, str):
            published = date.fromisoformat(published[:10])
        updates.append({'k': measure_key(source, external_id, cases or [], stage, published), 'i': notice_id})
    for start in range(0, len(updates), 1000):
        bind.execute(sa.text('UPDATE notice SET measure_key = :k WHERE id = :i'), updates[start : start + 1000])
    bind.execute(
        sa.text('UPDATE alert SET measure_key = (SELECT measure_key FROM notice WHERE notice.id = alert.notice_id)')
    )


def downgrade() -> None:
    with op.batch_alter_table('alert') as batch:
        batch.drop_index('ix_alert_measure_key')
        batch.drop_column('evidence_level')
        batch.drop_column('is_update')
        batch.drop_column('measure_key')
    with op.batch_alter_table('notice') as batch:
        batch.drop_index('ix_notice_measure_key')
        batch.drop_column('measure_key')
