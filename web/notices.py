"""The notices page: search and filter every gathered notice, page through
the result, and export it to CSV or XLSX (:mod:`store.search`,
:mod:`store.notice_export`)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from i18n import N_, gettext
from store.notice_export import notice_row, to_csv, to_xlsx
from store.search import (
    RANK_LIMIT,
    NoticePage,
    NoticeQuery,
    QueryRefused,
    parse_paging,
    parse_query,
    search_notices,
)
from web.deps import SessionDep, SettingsDep, UserDep, local_today
from web.queries import filter_choices
from web.render import language_of, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# An export holds the whole result up to this many notices (the rows a workbook
# BarrierWatch itself reads back may hold, store.spreadsheet.MAX_XLSX_ROWS).
EXPORT_CAP = 100_000
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BAD_FORMAT = N_("format: expected csv or xlsx")


@router.get("/notices")
def notices_page(request: Request, user: UserDep, session: SessionDep, settings: SettingsDep) -> Response:
    params = dict(request.query_params)
    try:
        query = parse_query(params)
        offset, limit = parse_paging(params, PAGE_SIZE)
    except QueryRefused as exc:
        return _page(request, session, NoticeQuery(), None, exc.message(language_of(request)))
    found = search_notices(session, query, today=local_today(settings), offset=offset, limit=limit)
    return _page(request, session, query, found, None)


def _page(
    request: Request, session: SessionDep, query: NoticeQuery, found: NoticePage | None, error: str | None
) -> Response:
    params = query.params()
    context = {
        "query": query,
        "found": found,
        "error": error,
        "choices": filter_choices(session),
        "query_string": urlencode(params),
        "rank_limit": f"{RANK_LIMIT:,}",
        "page_link": lambda offset: "/notices?" + urlencode({**params, "offset": offset}),
    }
    return page(request, "notices.html", context, status_code=422 if error else 200)


@router.get("/notices/export")
def export_notices(
    request: Request, user: UserDep, session: SessionDep, settings: SettingsDep, format: str = "xlsx"
) -> Response:
    """The whole current result (up to :data:`EXPORT_CAP`) as a file."""
    lang = language_of(request)
    if format not in EXPORT_TYPES:
        return Response(gettext(lang, BAD_FORMAT), status_code=422, media_type="text/plain; charset=utf-8")
    try:
        query = parse_query(dict(request.query_params))
    except QueryRefused as exc:
        return Response(exc.message(lang), status_code=422, media_type="text/plain; charset=utf-8")
    found = search_notices(session, query, today=local_today(settings), limit=EXPORT_CAP)
    rows = [notice_row(n, found.tags.get(n.id or 0, [])) for n in found.notices]
    body = to_xlsx(rows, lang) if format == "xlsx" else to_csv(rows, lang)
    name = f"notices-{local_today(settings).isoformat()}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Total-Count": str(found.total)}
    return Response(body, media_type=EXPORT_TYPES[format], headers=headers)
