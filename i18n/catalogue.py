"""Keeping the catalogue: extract the messages, update the ``.po`` files.

``python -m i18n.catalogue update`` (``make messages``) extracts every
message of the code and templates (mapping in ``i18n/babel.cfg``) into
``i18n/locale/messages.pot`` and merges it into each language's ``.po``
with Babel's own commands: new messages arrive untranslated, changed ones
marked fuzzy, removed ones dropped. Translate, clear the
``fuzzy`` flags, and ``tests/test_i18n.py`` passes again.

The keywords say where the message id is: our API takes the language
first (``gettext(lang, msgid)``, ``ngettext(lang, singular, plural, n)``),
templates call ``_``, ``gettext`` and ``ngettext`` with the id first, and
``N_`` marks a label where it is defined. Templates pass values as keyword
arguments, which Jinja's extractor counts as arguments: a template's call
of ``ngettext`` with two values would look like our four-argument API, so
templates are read by :func:`extract_jinja`, which names their calls
apart.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.frontend import CommandLineInterface
from jinja2.ext import babel_extract

from i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, po_path

ROOT = LOCALE_DIR.parent.parent
MAPPING = LOCALE_DIR.parent / "babel.cfg"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = ("_", "N_", "gettext:2,2t", "ngettext:2,3,4t", "template_gettext", "template_ngettext:1,2")


def extract(output: Path = TEMPLATE) -> None:
    """Write every message of the code and the templates to ``output``."""
    arguments = ["extract", "--no-default-keywords", "-F", str(MAPPING), "-o", str(output)]
    arguments += [f"--keyword={keyword}" for keyword in KEYWORDS]
    # Sorted by message, located by file only: two branches adding messages rarely touch the same lines.
    arguments += ["--sort-output", "--add-location=file", "--project=BarrierWatch", "--no-wrap"]
    arguments += ["--omit-header", "-c", "Translators:", "."]
    cwd = Path.cwd()
    os.chdir(ROOT)  # locations relative to the project
    try:
        _pybabel(arguments)
    finally:
        os.chdir(cwd)


def update() -> None:
    """Extract, then merge the template into the ``.po`` of each language."""
    extract()
    for lang in LANGUAGES:
        if lang != SOURCE_LANGUAGE:
            arguments = ["update", "-i", str(TEMPLATE), "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", lang]
            _pybabel([*arguments, "--no-wrap", "--ignore-obsolete"])
            _drop_dates(po_path(lang))


def _drop_dates(po: Path) -> None:
    """Leave out the header's dates: they change at every update, and two
    branches adding messages would conflict on them."""
    lines = po.read_text(encoding="utf-8").splitlines(keepends=True)
    po.write_text(
        "".join(x for x in lines if not x.startswith(('"POT-Creation-Date:', '"PO-Revision-Date:'))),
        encoding="utf-8",
    )


def extract_jinja(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Jinja's own extractor, with the templates' ``_``/``gettext`` and
    ``ngettext`` calls reported as ``template_gettext`` and
    ``template_ngettext`` (see the module docstring)."""
    names = {"_": "template_gettext", "gettext": "template_gettext", "ngettext": "template_ngettext"}
    for lineno, function, messages, comments in babel_extract(fileobj, list(names), comment_tags, options):
        yield lineno, names[function], messages, comments


def _pybabel(arguments: list[str]) -> None:
    CommandLineInterface().run(["pybabel", "-q", *arguments])


def main(argv: list[str]) -> None:
    commands = {"extract": extract, "update": update}
    if len(argv) != 1 or argv[0] not in commands:
        sys.exit("usage: python -m i18n.catalogue extract|update")
    commands[argv[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
