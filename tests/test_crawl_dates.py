"""Dates as sources write them, read into ISO dates."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import source_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2026-07-02T00:00:00+00:00", "2026-07-02"),
        ("2026-03-13 16:51:29 商务部贸易救济调查局", "2026-03-13"),
        ("[2026-03-13]", "2026-03-13"),
        ("发布时间：2026/03/13", "2026-03-13"),
        ("2026年3月13日", "2026-03-13"),
        ("28/08/2026", "2026-08-28"),
        ("15-01-2026", "2026-01-15"),
        ("12 March 2026", "2026-03-12"),
        ("March 12, 2026", "2026-03-12"),
        (1772496000000, "2026-03-03"),
        ("1772496000000", "2026-03-03"),
        (date(2026, 1, 2), "2026-01-02"),
        ("Not applicable", None),
        ("N/A", None),
        ("", None),
        (None, None),
        ("31/02/2026", None),
        (2026, None),
    ],
)
def test_source_dates_are_read_in_every_written_form(written, iso):
    assert source_date(written) == iso
