"""Reference data: HS codes by name and names by code, in the reader's language."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.common import ListFormat, fail, print_json
from hs.codes import InvalidHSCode, display, normalise
from hs.nomenclature import name, search
from i18n import N_, gettext

hs_app = typer.Typer(no_args_is_help=True, help="The HS nomenclature: names of codes, codes of products.")

CODE, NAME = N_("HS code"), N_("Name")


class Language(StrEnum):
    zh = "zh"
    en = "en"


LanguageOption = Annotated[Language, typer.Option("--language", help="zh or en")]


@hs_app.command("name")
def hs_name(
    codes: Annotated[list[str], typer.Argument(help="HS codes or national tariff lines (4418.75, 6115)")],
    language: LanguageOption = Language.zh,
) -> None:
    """The name of each code at its own level (chapter, heading or subheading)."""
    table = Table(gettext(language, CODE), gettext(language, NAME))
    for raw in codes:
        try:
            code = normalise(raw)
        except InvalidHSCode as exc:
            fail(str(exc))
        table.add_row(display(code), name(code, language) or "—")
    Console().print(table)


@hs_app.command("find")
def hs_find(
    product: Annotated[str, typer.Argument(help="A product name in Chinese or English")],
    language: LanguageOption = Language.zh,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many codes.")] = 10,
    format: Annotated[ListFormat, typer.Option(help="table or json")] = ListFormat.table,
) -> None:
    """Headings and subheadings whose names match a product name, best first."""
    found = search(product, limit=limit)
    if format == ListFormat.json:
        print_json([asdict(m) for m in found])
        return
    if not found:
        fail(f"no HS heading or subheading is named like {product!r}")
    table = Table(gettext(language, CODE), gettext(language, NAME))
    for match in found:
        table.add_row(display(match.code), match.name_zh if language == Language.zh else match.name_en)
    Console().print(table)
