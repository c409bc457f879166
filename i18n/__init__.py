"""The product's language: one gettext catalogue for the web UI, the mails and the CLI.

Message ids are the English text; ``i18n/locale/<lang>/LC_MESSAGES/messages.po``
holds the other languages (today ``zh``). English needs no catalogue: its
translations are :class:`gettext.NullTranslations`, which return the id.

The ``.po`` file is compiled in memory the first time a language is asked
for (Babel reads it, fuzzy entries left out), not to a ``.mo`` file at
install: nothing built can go stale behind an edited ``.po`` (a test run
or a server started without ``make`` would otherwise use old words), and
an installed wheel needs no build hook. It costs 0.12-0.18 s once per
process and language (286 messages, measured on a loaded 2-core machine);
rendering is unaffected.

This package is a bottom layer: it imports nothing of ours but config, so
every layer may use it. Labels of stored values are marked with :func:`N_`
where they are defined and translated where they are shown.

Adding a message: write it in English in the code (``gettext(lang, "…")``,
``N_("…")``) or a template (``{{ _("…") }}``), then ``make messages``
(extract and update the ``.po``), translate the new entries in
``i18n/locale/zh/LC_MESSAGES/messages.po`` and clear their ``fuzzy`` flag;
``tests/test_i18n.py`` fails while any message lacks its translation.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"

__all__ = ["LANGUAGES", "N_", "gettext", "language", "ngettext", "po_path", "translations"]


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction where it is defined (a label table) and
    return it unchanged: it is translated where it is shown."""
    return msgid


def language(value: str | None) -> str:
    """``value`` if it is one of :data:`LANGUAGES`, else English."""
    return value if value in LANGUAGES else SOURCE_LANGUAGE


def po_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The translations of ``lang``, compiled once per process from its ``.po``.

    English and unknown languages get :class:`gettext.NullTranslations` (the
    ids are English). Raises ``FileNotFoundError`` naming the file when a
    language of :data:`LANGUAGES` has no catalogue.
    """
    lang = language(lang)
    if lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    with open(po_path(lang), "rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(lang: str, msgid: str) -> str:
    """``msgid`` (English) in ``lang``; the id itself when it has no translation."""
    return translations(lang).gettext(msgid)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in ``lang``."""
    return translations(lang).ngettext(singular, plural, n)
