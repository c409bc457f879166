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


# --- Feeds as they really are --------------------------------------------------------------

FEED_URL = "https://www.example.gov/news/feeds/notices.xml"


def entries_of(body: bytes, content_type: str | None = "application/rss+xml") -> list[dict]:
    entries, _note = parse_feed(body, content_type)
    return [entry_fields(e, FEED_URL) for e in entries]


def test_description_only_item_is_titled_with_its_first_sentence():
    body = b"""<rss version="2.0"><channel><title>t</title>
    <item><guid>n-1</guid><description>&lt;p&gt;Notice of initiation of an anti-dumping proceeding
    concerning steel wheels. The Commission has received a complaint.&lt;/p&gt;</description></item>
    </channel></rss>"""
    (entry,) = entries_of(body)
    assert entry["title"] == "Notice of initiation of an anti-dumping proceeding concerning steel wheels."
    assert entry["text"].endswith("The Commission has received a complaint.")


def test_long_untitled_description_gives_a_shortened_title():
    words = " ".join(["tariff"] * 60)
    body = f"<rss version='2.0'><channel><title>t</title><item><description>{words}</description></item>"
    (entry,) = entries_of((body + "</channel></rss>").encode())
    assert entry["title"].endswith("…") and len(entry["title"]) <= 121


@pytest.mark.parametrize("entity", ["&nbsp;", "&eacute;", "&mdash;", "&hellip;", "&rsquo;"])
def test_html_named_entities_are_read_as_their_characters(entity):
    item = f"<item><guid>1</guid><title>Règlement{entity}2026</title></item>"
    (entry,) = entries_of(f"<rss version='2.0'><channel><title>t</title>{item}</channel></rss>".encode())
    assert entry["title"].startswith("Règlement") and entry["title"].endswith("2026")
    assert "&" not in entry["title"]


def test_entity_in_cdata_stays_text_and_declared_entities_stay_refused():
    item = b"<item><guid>1</guid><title><![CDATA[AT&amp;T &nbsp;x]]></title></item>"
    (entry,) = entries_of(b"<rss version='2.0'><channel><title>t</title>" + item + b"</channel></rss>")
    assert entry["title"] == "AT&T x"  # the CDATA holds HTML, read as HTML
    declared = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;">]>
    <rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>a&nbsp;b</title></item>
    </channel></rss>"""
    with pytest.raises(FeedProblem, match="refused: the feed declares XML entities"):
        parse_feed(declared, "application/xml")


def test_unknown_entity_is_still_malformed_xml():
    item = b"<item><guid>1</guid><title>a&bogusname;b</title></item>"
    body = b"<rss version='2.0'><channel><title>t</title>" + item + b"</channel></rss>"
    with pytest.raises(FeedProblem, match="malformed XML"):
        parse_feed(body, "application/xml")


def test_relative_links_are_resolved_against_the_feed_url():
    body = b"""<rss version="2.0"><channel><title>t</title><link>/news</link>
    <item><guid>1</guid><title>a</title><link>/notices/2026/1.html</link></item>
    <item><guid>2</guid><title>b</title><link>2.html</link></item></channel></rss>"""
    assert [e["url"] for e in entries_of(body)] == [
        "https://www.example.gov/notices/2026/1.html",
        "https://www.example.gov/news/feeds/2.html",
    ]


def test_plain_text_atom_title_keeps_its_angle_brackets_and_html_title_loses_its_tags():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><id>urn:1</id><updated>2026-01-01T00:00:00Z</updated>
      <title type="text">Limits for PM&lt;2.5&gt; where a &lt; b &amp; c</title></entry>
    <entry><id>urn:2</id><updated>2026-01-01T00:00:00Z</updated>
      <title type="html">&lt;b&gt;Bold&lt;/b&gt; title</title></entry></feed>"""
    assert [e["title"] for e in entries_of(body, "application/atom+xml")] == [
        "Limits for PM<2.5> where a < b & c",
        "Bold title",
    ]


WIDE_TITLE = "Règlement 对华 2026"


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", True),
        ("utf-16-be", True),
        ("utf-16-le", False),
        ("utf-16-be", False),
        ("utf-32-le", True),
        ("utf-32-be", True),
        ("utf-32-le", False),
        ("utf-32-be", False),
    ],
)
@pytest.mark.parametrize("declared", [True, False])
def test_utf16_and_utf32_feeds_are_read_with_or_without_bom(codec, bom, declared):
    family = codec[:6]
    text = RSS.format(declared=family.upper(), title=WIDE_TITLE)
    if not declared:
        text = text.replace(f' encoding="{family.upper()}"', "")
    body = ("\ufeff" if bom else "").encode(codec) + text.encode(codec)
    assert titles(body, "application/xml") == [WIDE_TITLE]
    assert titles(body, f"application/xml; charset={family}") == [WIDE_TITLE]


def test_utf16_label_on_utf8_bytes_is_refused_clearly():
    body = RSS.format(declared="UTF-8", title="plain").encode("utf-8")
    _entries, note = parse_feed(body, "application/xml; charset=utf-16")  # the declaration wins, noted
    assert note is not None and "not UTF-16/UTF-32" in note
    odd = "\ufeff".encode("utf-32-le") + RSS.format(declared="UTF-32", title="x").encode("utf-32-le")[:-2]
    with pytest.raises(FeedProblem, match="cannot decode the feed: not valid utf-32"):
        parse_feed(odd, "application/xml")


def test_rss_091_with_the_netscape_doctype_and_html_entities_is_read():
    body = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>t</title><link>http://x.org/</link><description>d</description>
<item><title>Caf&eacute; &amp; tea&nbsp;prices</title><link>http://x.org/1</link></item></channel></rss>"""
    assert [e["title"] for e in entries_of(body)] == ["Café & tea prices"]
