"""Alembic environment: runs against the engine BarrierWatch hands over."""

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)

config = context.config
engine = config.attributes["engine"]

# APScheduler keeps its job table in the product's database but owns it.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to):
    # notice_fts* are SQLite's full-text index of notices (migration 0009, store/search.py).
    return not (type_ == "table" and (name in FOREIGN_TABLES or name.startswith("notice_fts")))


def run_migrations(connection):
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        include_object=include_object,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    context.run_migrations()


if engine.dialect.name == "sqlite":
    # Batch mode rebuilds a table by dropping it, which SQLite refuses while
    # other tables reference it and foreign keys are on; the pragma cannot
    # change inside a transaction, so it is switched off around it and the
    # keys are checked before the migration commits.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                run_migrations(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
else:
    with engine.begin() as connection:
        run_migrations(connection)
