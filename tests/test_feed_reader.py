"""Reading feed bytes: declared encodings, unsafe or broken XML refused with a clear reason."""

from __future__ import annotations

import pytest

from crawler.feeds.reader import FeedProblem, entry_fields, parse_feed
from crawler.text import html_to_text

RSS = """<?xml version="1.0" encoding="{declared}"?>
<rss version="2.0"><channel><title>t</title>
<item><title>{title}</title><guid>1</guid><description>&lt;p&gt;{title}&lt;/p&gt;</description></item>
</channel></rss>"""
CHINESE = "美国对华甘氨酸反倾销行政复审初裁"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>x</title>
<item><title>&lol3;</title><guid>1</guid></item></channel></rss>"""


def titles(body: bytes, content_type: str | None = "application/rss+xml") -> list[str]:
    entries, _note = parse_feed(body, content_type)
    return [entry_fields(e)["title"] for e in entries]


@pytest.mark.parametrize("declared", ["GB2312", "GBK", "gb18030", "UTF-8"])
def test_chinese_feed_reads_in_its_declared_encoding(declared):
    body = RSS.format(declared=declared, title=CHINESE).encode("gb18030" if declared != "UTF-8" else "utf-8")
    assert titles(body) == [CHINESE]


def test_latin1_feed_reads_correctly():
    body = RSS.format(declared="ISO-8859-1", title="Règlement d'exécution").encode("latin-1")
    assert titles(body) == ["Règlement d'exécution"]


def test_wrong_http_charset_falls_back_to_the_xml_declaration_with_a_note():
    body = RSS.format(declared="GB2312", title=CHINESE).encode("gb2312")
    entries, note = parse_feed(body, "application/xml; charset=utf-8")
    assert [entry_fields(e)["title"] for e in entries] == [CHINESE]
    assert note is not None and "not valid utf-8 (HTTP Content-Type)" in note


def test_undeclared_non_utf8_feed_is_refused_not_garbled():
    body = RSS.format(declared="GB2312", title=CHINESE).encode("gb2312").replace(b' encoding="GB2312"', b"")
    with pytest.raises(
        FeedProblem, match=r"cannot decode the feed: not valid utf-8 \(no declaration, XML default\)"
    ):
        parse_feed(body, "application/xml")


def test_entity_expansion_is_refused():
    with pytest.raises(FeedProblem, match="refused: the feed declares XML entities"):
        parse_feed(BILLION_LAUGHS, "application/xml")


def test_truncated_feed_is_malformed_xml():
    body = RSS.format(declared="UTF-8", title="ok").encode()[:-40]
    with pytest.raises(FeedProblem, match=r"malformed XML: .*line"):
        parse_feed(body, "application/xml")


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedProblem, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>Maintenance</p></body></html>", "text/html")


def test_html_summary_becomes_text_one_line_per_block():
    html = "<p>First <b>bold</b>&nbsp;part.</p><ul><li>one</li><li>two</li></ul><script>x()</script>tail"
    assert html_to_text(html) == "First bold part.\none\ntwo\ntail"
