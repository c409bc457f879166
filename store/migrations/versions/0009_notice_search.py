"""notice search and triage: SQLite FTS5 table kept by triggers, PostgreSQL GIN full-text index, queue indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:50:00
"""

from alembic import op

from store.search import PG_INDEX_DOCUMENT, install_sqlite_index

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    # The triage queue groups pending alerts by notice and severity from this index alone.
    op.execute('CREATE INDEX ix_alert_triage ON alert (status, severity, notice_id)')
    if connection.dialect.name == 'postgresql':
        op.execute(f'CREATE INDEX IF NOT EXISTS ix_notice_fulltext ON notice USING gin (({PG_INDEX_DOCUMENT}))')
        # Newest first (the notices page without words): NULL dates last, as the query asks.
        op.execute('CREATE INDEX ix_notice_published ON notice (published_on DESC NULLS LAST, id DESC)')
    else:
        install_sqlite_index(connection, rebuild=True)  # the backfill of existing notices
        op.execute('CREATE INDEX ix_notice_published ON notice (published_on, id)')


def downgrade() -> None:
    connection = op.get_bind()
    op.execute('DROP INDEX IF EXISTS ix_notice_published')
    op.execute('DROP INDEX IF EXISTS ix_alert_triage')
    if connection.dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_notice_fulltext')
        return
    for trigger in ('inserted', 'deleted', 'updated'):
        op.execute(f'DROP TRIGGER IF EXISTS notice_fts_{trigger}')
    op.execute('DROP TABLE IF EXISTS notice_fts')
