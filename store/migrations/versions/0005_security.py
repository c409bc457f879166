"""security: ids never reused, contact link secrets, session generations, tagging notes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00

- SQLite: every table that hands out ids is rebuilt with AUTOINCREMENT, so
  an id whose row was deleted is never handed out again (PostgreSQL's
  sequences never do; nothing to do there).
- ``contact.link_secret``: a random secret per contact, signed into its
  mail links; existing contacts get one each (links mailed before this
  revision stop working: they named a bare id).
- ``app_user.session_generation``: bumped on logout and password change,
  which ends the user's sign-in cookies.
- ``notice.tag_chars_read`` and ``notice.tag_error``: how much of a long
  notice the tagger read, and why tagging a notice failed.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Every table whose primary key is an integer id handed out by the database.
ID_TABLES = (
    "source",
    "notice",
    "noticeversion",
    "trade_case",
    "casenotice",
    "tag",
    "enterprise",
    "contact",
    "enterpriseproduct",
    "enterprisemarket",
    "alert",
    "digest",
    "delivery",
    "run",
    "auditevent",
    "app_user",
)


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("link_secret", sa.String(length=32), nullable=True))
    _fill_link_secrets()
    with op.batch_alter_table("contact") as batch:
        batch.alter_column("link_secret", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("tag_chars_read", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tag_error", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_with_autoincrement()


def _fill_link_secrets() -> None:
    bind = op.get_bind()
    contact = sa.table("contact", sa.column("id", sa.Integer), sa.column("link_secret", sa.String))
    ids = [row.id for row in bind.execute(sa.select(contact.c.id))]
    if ids:
        update = contact.update().where(contact.c.id == sa.bindparam("b_id"))
        bind.execute(
            update.values(link_secret=sa.bindparam("b_secret")),
            [{"b_id": i, "b_secret": secrets.token_urlsafe(12)} for i in ids],
        )


def _rebuild_with_autoincrement() -> None:
    # The rebuild drops tables that others reference: store/migrations/env.py
    # switches foreign keys off around SQLite migrations and checks them after.
    for table in ID_TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("tag_error")
        batch.drop_column("tag_chars_read")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("link_secret")
