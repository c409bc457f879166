"""Notices as rows: the API's and ``notices list --format json``'s shape,
and the CSV and XLSX exports of a search result.

Export cells pass through :func:`store.spreadsheet.safe_cell`: a title
starting with ``=`` from a foreign site is text, never a formula. Column
headings and kinds are in the reader's language; codes stay as stored in
their own columns so a file can be filtered and read back by a program.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from hs.codes import display
from hs.markets import country_name
from i18n import N_, gettext
from store.labels import label
from store.models import Notice, Tag
from store.spreadsheet import safe_cell

# (key of notice_row, heading)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", N_("ID")),
    ("external_id", N_("Reference")),
    ("doc_type", N_("Kind code")),
    ("kind", N_("Kind of measure")),
    ("country", N_("Country code")),
    ("country_name", N_("Country")),
    ("title", N_("Title")),
    ("published", N_("Published")),
    ("comment_deadline", N_("Comment deadline")),
    ("hs_codes", N_("HS codes")),
    ("case_numbers", N_("Case numbers")),
    ("source", N_("Source")),
    ("url", N_("Link")),
)


def notice_row(notice: Notice, tags: Sequence[Tag]) -> dict[str, Any]:
    """One notice with its tags, newest shape of ``notices list --format json``."""
    return {
        "id": notice.id,
        "external_id": notice.external_id,
        "measure": notice.measure_key,
        "source": notice.source,
        "doc_type": notice.doc_type,
        "country": notice.country,
        "subject_countries": notice.subject_countries,
        "case_numbers": notice.case_numbers,
        "title": notice.title,
        "url": notice.url,
        "published": notice.published_on,
        "comment_deadline": notice.comment_deadline,
        "tags": [{"code": t.code, "score": t.score, "method": t.method} for t in tags],
        "tag_chars_read": notice.tag_chars_read,
        "tag_error": notice.tag_error,
    }


def _cells(row: dict[str, Any], lang: str) -> list[Any]:
    values = {
        **row,
        "kind": label(lang, "kind", row["doc_type"]),
        "country_name": country_name(row["country"], lang),
        "hs_codes": "; ".join(display(t["code"]) for t in row["tags"]),
        "case_numbers": "; ".join(row["case_numbers"]),
    }
    return [safe_cell(values[key]) for key, _heading in COLUMNS]


def headings(lang: str) -> list[str]:
    return [gettext(lang, heading) for _key, heading in COLUMNS]


def to_csv(rows: Sequence[dict[str, Any]], lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads Chinese text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings(lang))
    for row in rows:
        writer.writerow(["" if v is None else v for v in _cells(row, lang)])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(rows: Sequence[dict[str, Any]], lang: str) -> bytes:
    """One sheet, headings frozen; dates are dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext(lang, "Notices"))
    sheet.freeze_panes = "A2"
    sheet.append(headings(lang))
    for row in rows:
        sheet.append(_cells(row, lang))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
