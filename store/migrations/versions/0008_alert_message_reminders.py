"""alert message to the enterprise, deadline reminders

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00

The reviewer's note stays in ``alert.note`` and is internal from now on: the
existing notes are migrated as internal simply by staying there, and the new
``alert.message`` (what the mail shows the enterprise) starts empty.
"""

from alembic import op
import sqlalchemy as sa

import store.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert') as batch:
        batch.add_column(sa.Column('message', sa.Text(), nullable=True))
    op.create_table(
        'alert_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('digest_id', sa.Integer(), nullable=True),
        sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alert.id']),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id']),
        sa.ForeignKeyConstraint(['digest_id'], ['digest.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('alert_id', 'deadline', 'threshold'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_alert_reminder_alert_id', 'alert_reminder', ['alert_id'])
    op.create_index('ix_alert_reminder_enterprise_id', 'alert_reminder', ['enterprise_id'])
    op.create_index('ix_alert_reminder_digest_id', 'alert_reminder', ['digest_id'])


def downgrade() -> None:
    op.drop_table('alert_reminder')
    with op.batch_alter_table('alert') as batch:
        batch.drop_column('message')
