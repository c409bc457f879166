"""The catalogue: every message translated, and no English label left on a
Chinese page or in a Chinese mail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from sqlmodel import Session, select

import i18n
import pipeline
from alerts.emails import MAIL_KINDS, DigestItem, alerts_context, render_mail
from alerts.tokens import make_token
from config import Settings
from i18n.catalogue import extract
from store.models import Contact, Enterprise, Source
from store.stages import KeyDate, stage_guide
from store.summary import deadline_view
from tests.web_personas import ADMIN, CHEAP_HASHER, INSPECTOR, build_app, csrf_of, persona

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages of today's code and templates, extracted as ``make messages`` does."""
    pot = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    extract(pot)
    with open(pot, "rb") as f:
        return read_po(f)


def _chinese() -> Catalog:
    with open(i18n.po_path("zh"), "rb") as f:
        return read_po(f, locale="zh")


# --- the catalogue ---------------------------------------------------------------------------


def test_every_extracted_message_has_a_chinese_translation(extracted):
    chinese = _chinese()
    assert len(extracted) > 250  # the web UI, the mails and the labels of stored values
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = chinese.get(message.id)
        strings = translated.string if translated else None
        forms = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or not all(forms):
            problems.append(f"no translation: {message.id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    # Babel's own checks: the same %(name)s fields in the translation as in the id.
    problems += [f"{m.id!r}: {'; '.join(map(str, errors))}" for m, errors in chinese.check() if errors]
    assert not problems, "\n".join(problems)


def test_the_chinese_catalogue_is_compiled_on_first_use_and_english_is_the_id():
    assert i18n.gettext("zh", "Approve ticked") == "批准所选"
    assert i18n.gettext("en", "Approve ticked") == "Approve ticked"
    assert i18n.ngettext("zh", "%(num)s held run", "%(num)s held runs", 2) == "%(num)s 次运行被暂停"
    assert i18n.ngettext("en", "%(num)s held run", "%(num)s held runs", 1) == "%(num)s held run"
    assert i18n.gettext("fr", "Approve ticked") == "Approve ticked"  # unknown languages get English


def test_a_fuzzy_translation_is_not_used(tmp_path, monkeypatch):
    po = tmp_path / "zh" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh\\n"\n\n#, fuzzy\nmsgid "Save"\nmsgstr "保存"\n\n'
        'msgid "Sign out"\nmsgstr "退出"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert (i18n.gettext("zh", "Save"), i18n.gettext("zh", "Sign out")) == ("Save", "退出")
    finally:
        i18n.translations.cache_clear()


# --- no English label where Chinese is asked for --------------------------------------------


class _Text(HTMLParser):
    """Visible text and labelling attributes of a page, leaving out parts
    marked as being in another language (``lang``), e.g. the preview of an
    English enterprise's mail."""

    LABELS = ("title", "aria-label", "placeholder", "alt")

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.texts: list[str] = []
        self.foreign: list[bool] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        # Code (API field names, stored JSON) is no language.
        other = tag == "code" or (values.get("lang") and not str(values["lang"]).startswith(self.language))
        if tag not in ("br", "meta", "input", "link", "img", "hr"):
            self.foreign.append(bool(other) or (bool(self.foreign) and self.foreign[-1]))
        if not (self.foreign and self.foreign[-1]):
            self.texts += [str(values[a]) for a in self.LABELS if values.get(a)]

    def handle_endtag(self, tag):
        if self.foreign and tag not in ("br", "meta", "input", "link", "img", "hr"):
            self.foreign.pop()

    def handle_data(self, data):
        if data.strip() and not (self.foreign and self.foreign[-1]):
            self.texts.append(data.strip())


def _patterns(catalogue: Catalog) -> list[tuple[str, re.Pattern[str]]]:
    """A pattern per English message id that a translation changes: the id
    with its ``%(name)s`` fields as wildcards. One-word ids must fill a
    whole piece of text (``Save``), longer ones may sit inside one."""
    patterns = []
    for message in catalogue:
        forms = [str(i) for i in message.id] if isinstance(message.id, tuple | list) else [str(message.id)]
        chinese = (
            i18n.ngettext("zh", forms[0], forms[1], 2) if len(forms) > 1 else i18n.gettext("zh", forms[0])
        )
        for msgid in forms:
            words = re.sub(r"%\(\w+\)s", " ", msgid)
            if not re.search(r"[A-Za-z]{2}", words) or chinese == msgid:
                continue
            body = ".+?".join(
                re.escape(part.strip()) for part in re.split(r"%\(\w+\)s", msgid) if part.strip()
            )
            whole = len(re.findall(r"[A-Za-z]+", words)) < 3
            patterns.append(
                (msgid, re.compile(rf"^{body}$" if whole else rf"(?<![A-Za-z]){body}(?![A-Za-z])"))
            )
    return patterns


def english_labels(texts: list[str], patterns: list[tuple[str, re.Pattern[str]]]) -> set[str]:
    """The message ids whose English text appears in ``texts``."""
    return {msgid for text in texts for msgid, pattern in patterns if pattern.search(text)}


def _page_texts(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    return parser.texts


def _routes(app) -> list:
    """The app's routes, those of included routers too (FastAPI wraps them)."""
    return [
        r for route in app.routes for r in getattr(getattr(route, "original_router", None), "routes", [route])
    ]


def _pages(app) -> list[str]:
    """Every HTML page a signed-in user can open (``{id}`` as 1), plus an error page."""
    paths = [
        re.sub(r"\{[a-z_]+\}", "1", route.path)
        for route in _routes(app)
        if "GET" in getattr(route, "methods", ())
        and not route.path.startswith(("/api/v1", "/static", "/u/", "/p/"))
        and route.path not in ("/health", "/api/openapi.json", "/login")
    ]
    return [*paths, "/notices/999999", "/?status=nonsense"]


def _switch_to_chinese(client) -> None:
    client.post("/language", data={"language": "zh", "next": "/", "csrf_token": csrf_of(client, "/")})


def test_every_page_in_chinese_shows_no_english_label(engine, extracted):
    app = build_app(engine)
    patterns = _patterns(extracted)
    found: dict[str, set[str]] = {}
    shown = set()
    for credentials in (INSPECTOR, ADMIN):
        client = persona(app, credentials)
        english = {path: client.get(path).text for path in _pages(app)}
        _switch_to_chinese(client)
        for path in _pages(app):
            response = client.get(path)
            labels = english_labels(_page_texts(response.text, "zh"), patterns)
            if labels:
                found[f"{credentials[0]} {path}"] = labels
            shown |= english_labels(_page_texts(english[path], "en"), patterns)
        pipeline.approve(engine, None, "t")  # the admin's pass sees digests waiting, not a queue
    visitor = persona(app, None)
    _switch_to_chinese(visitor)
    with Session(engine) as session:
        contact = session.exec(select(Contact)).first()
    assert contact is not None and contact.id is not None
    key = Settings().signing_key()
    links = [
        make_token(key, contact.id, contact.link_secret, purpose)
        for purpose in ("unsubscribe", "preferences")
    ]
    for path in ("/login", f"/u/{links[0]}", f"/p/{links[1]}", "/u/not-a-token"):
        labels = english_labels(_page_texts(visitor.get(path).text, "zh"), patterns)
        if labels:
            found[f"visitor {path}"] = labels
    assert len(_pages(app)) > 15 and len(shown) > 120  # the check finds the labels of the English pages
    assert not found, found


def _digest_context(kind: str) -> dict:
    item = DigestItem(
        alert_id=1,
        severity="critical",
        title="Multilayered Wood Flooring From the People's Republic of China: Continuation of Orders",
        country="美国",
        kind="反倾销",
        products=["4418.75 其他多层已装拼的木地板"],
        reason="HS 4418.75 与贵司产品 4418.75 相符",
        url="https://www.federalregister.gov/d/2026-12345",
        summary="美国 · 反倾销 · 继续征税 · 多层已装拼的木地板（HS 4418.75） · 涉及中国 · "
        "评议截止 2026年12月5日（还剩 10 天）",
        stage=stage_guide("US", "continuation", "zh"),
        deadline=deadline_view(KeyDate("comment", date(2026, 12, 5)), "zh", date(2026, 11, 25)),
        published="2026年11月20日",
        effective="2027年1月1日",
        message="请于12月5日前联系我们",
        section="action",
    )
    second = DigestItem(
        **{**item.__dict__, "alert_id": 2, "severity": "normal", "section": "updates", "update": True}
    )
    enterprise = Enterprise(name="抚松木业", language="zh", frequency="weekly")
    return {
        **alerts_context([item, second], enterprise, kind, "2026-W48", date(2026, 11, 25)),
        "unsubscribe_url": "https://bw.example/u/x",
        "preferences_url": "https://bw.example/p/x",
    }


def _mail_context(kind: str) -> dict:
    if kind == "source_failure":
        failing = Source(slug="wto_eping", kind="feed", url="https://eping.example", consecutive_failures=4)
        run = type("Run", (), {"id": 3, "started_at": datetime(2026, 11, 24, tzinfo=UTC), "error": "held"})
        crawl = type(
            "FailedCrawl", (), {"id": 4, "started_at": datetime(2026, 11, 24, tzinfo=UTC), "failed": ["x"]}
        )
        return {"sources": [failing], "held_runs": [run], "failed_crawls": [crawl], "threshold": 3}
    return _digest_context("weekly" if kind == "digest" else "critical")


@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_every_mail_in_chinese_shows_no_english_label(kind, extracted):
    patterns = _patterns(extracted)
    templates = Settings().templates_dir
    subject, text, html = render_mail(templates, kind, "zh", _mail_context(kind))
    texts = [subject, *text.splitlines(), *_page_texts(html, "zh")]
    assert not english_labels(texts, patterns)
    subject, text, html = render_mail(templates, kind, "en", _mail_context(kind))
    assert len(english_labels([subject, *text.splitlines(), *_page_texts(html, "en")], patterns)) >= 3


# --- no English written into a template by hand ------------------------------------------------

# Names that are the same in every language of the product.
_SAME_IN_EVERY_LANGUAGE = {"BarrierWatch", "API", "JSON", "HS", "openapi", "json", "CSV", "XLSX", "UTF"}


def _literal_words(source: str) -> set[str]:
    """English words a template writes outside Jinja's ``{{ }}``/``{% %}``
    and HTML's tags (labelling attributes kept): those no catalogue sees."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.DOTALL)
    labels = re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text) + " " + " ".join(labels)
    text = re.sub(r"&[a-z]+;|https?://\S+", " ", text)
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in _SAME_IN_EVERY_LANGUAGE}


def test_templates_take_every_word_from_the_catalogue():
    written = {
        str(path.relative_to(ROOT)): words
        for path in sorted((ROOT / "templates").rglob("*.*"))
        if (words := _literal_words(path.read_text(encoding="utf-8")))
    }
    assert not written, written


def test_the_catalogue_is_a_bottom_layer_like_hs():
    """i18n imports nothing of ours but config; hs nothing of ours at all: every layer may use them."""
    ours = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {
        "config",
        "pipeline",
        "scheduler",
    }
    allowed = {"i18n": {"i18n", "config"}, "hs": {"hs"}}
    for package, may_use in allowed.items():
        for module in (ROOT / package).rglob("*.py"):
            imported = set(re.findall(r"^\s*(?:from|import) (\w+)", module.read_text(encoding="utf-8"), re.M))
            assert imported & ours <= may_use, (module.name, imported & ours)


def test_a_message_without_values_is_translated_once_when_its_template_is_compiled():
    from jinja2 import Environment

    from i18n.templates import FoldedWords, install

    environment = Environment(extensions=["jinja2.ext.i18n", FoldedWords], autoescape=True)
    install(environment, "zh")
    source = (
        '{{ _("Save") }}|{{ _("Alerts approved: %(count)s.", count=n) }}'
        '|{{ ngettext("%(num)s held run", "%(num)s held runs", n) }}'
    )
    assert environment.from_string(source).render(n=2) == "保存|已批准预警：2 条。|2 次运行被暂停"
    compiled = environment.compile(source, raw=True)
    assert "保存" in compiled and "已批准预警" not in compiled  # only the message without values is folded
    assert environment.from_string('{{ _("%(who)s", who="<b>") }}').render() == "&lt;b&gt;"
