"""Alembic environment: runs against the engine BarrierWatch hands over."""

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    context.run_migrations()
