"""Alembic environment: runs against the engine BarrierWatch hands over."""

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)

config = context.config
engine = config.attributes["engine"]

# APScheduler keeps its job table in the product's database but owns it.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name in FOREIGN_TABLES)


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        include_object=include_object,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    context.run_migrations()
