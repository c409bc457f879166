from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from alerts.emails import source_failure_message
from config import get_settings
from store.models import Source


@pytest.mark.parametrize(("language", "words"), [("en", "failures in a row: 4"), ("zh", "连续失败：4 次")])
def test_source_failure_notice_lists_each_failing_source_escaped(language, words):
    failing = Source(
        slug="cn_cacs_trade_remedies",
        kind="spider",
        consecutive_failures=4,
        last_error="HTTP 503 <script>alert(1)</script>",
    )
    mail = source_failure_message(
        templates_dir=get_settings().templates_dir,
        language=language,
        sources=[failing],
        threshold=3,
        sender="BarrierWatch <a@b.example>",
        recipient="admin@bureau.example",
        message_id="<x@b.example>",
        sent_at=datetime(2026, 11, 25, tzinfo=UTC),
    )
    parsed = message_from_bytes(mail.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text_part, html_part = parsed.get_body(("plain",)), parsed.get_body(("html",))

    assert text_part is not None and html_part is not None
    assert words in text_part.get_content()
    html = html_part.get_content()

    assert "&lt;script&gt;" in html and "<script>" not in html
