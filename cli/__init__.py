"""The ``barrierwatch`` command line: a thin layer over :mod:`pipeline`.

One module per subject (intake, review, operations, tagging, accounts,
demo); each holds its top-level commands in an ``app`` merged here and
its command groups (``notices``, ``alerts``, …) added here by name.
"""

from __future__ import annotations

import typer

from cli import accounts, deliveries, demo, intake, operations, reference, review, tagging

app = typer.Typer(no_args_is_help=True, help="BarrierWatch: trade-barrier alerts for exporters.")
for commands in (intake.app, review.app, operations.app, demo.app, accounts.app):
    app.add_typer(commands)
for name, group in {
    "notices": intake.notices_app,
    "sources": intake.sources_app,
    "alerts": review.alerts_app,
    "enterprises": review.enterprises_app,
    "digests": review.digests_app,
    "runs": operations.runs_app,
    "db": operations.db_app,
    "users": accounts.users_app,
    "nlp": tagging.nlp_app,
    "hs": reference.hs_app,
    "deliveries": deliveries.deliveries_app,
}.items():
    app.add_typer(group, name=name)


def main() -> None:
    app()
