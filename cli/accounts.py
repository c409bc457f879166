"""The web UI and its accounts: users, serve."""

from __future__ import annotations

import getpass
import sys
from enum import StrEnum
from typing import Annotated

import typer

from cli.common import database, fail, say

users_app = typer.Typer(no_args_is_help=True, help="Inspector and admin accounts of the web UI.")
app = typer.Typer()


class AccountRole(StrEnum):
    inspector = "inspector"
    admin = "admin"


class AccountLanguage(StrEnum):
    zh = "zh"
    en = "en"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name to sign in with.")],
    role: Annotated[AccountRole, typer.Option(help="inspector reviews; admin also manages.")],
    language: Annotated[AccountLanguage, typer.Option(help="Interface language.")] = AccountLanguage.zh,
) -> None:
    """Add a web UI account; the password comes from BW_NEW_PASSWORD or a prompt."""
    import os

    from store.db import session_scope
    from store.users import add_user

    password = os.environ.get("BW_NEW_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    with database() as (_settings, engine), session_scope(engine) as session:
        add_user(session, username=name, password=password, role=role, language=language, actor=_cli_actor())
    say(f"added {role.value} {name}")


@users_app.command("token")
def users_token(name: Annotated[str, typer.Argument(help="User whose token is replaced.")]) -> None:
    """Issue a new API token for a user (replacing the old one) and print it once."""
    from store.db import session_scope
    from store.users import find_user, issue_api_token

    with database() as (_settings, engine), session_scope(engine) as session:
        user = find_user(session, username=name)
        if user is None or not user.active:
            fail(f"no active user {name!r}: add one with `barrierwatch users add {name} --role inspector`")
        token = issue_api_token(session, user, actor=_cli_actor())
    sys.stdout.write(token + "\n")


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the inspector UI and the JSON API (uvicorn)."""
    import uvicorn

    from web.access_log import log_config
    from web.app import create_app

    with database() as (settings, engine):
        say(f"BarrierWatch on http://{host}:{port} (database {settings.database_url})")
        proxies = settings.trusted_proxies.strip()
        uvicorn.run(
            create_app(settings, engine),
            host=host,
            port=port,
            # X-Forwarded-For decides the address the sign-in limit counts: believed
            # only from the proxies named in BW_TRUSTED_PROXIES (uvicorn's default
            # believes 127.0.0.1, which any local proxy passing the header through is).
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
            log_config=log_config(),
        )
