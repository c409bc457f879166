"""End to end in real headless Chromium against a real uvicorn server on
127.0.0.1: sign in, filter the queue, approve an alert, see it in the
digest preview. Screenshots go to test-output/ beside the test report."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from config import Settings
from store.db import open_database, session_scope
from store.users import add_user
from tests.web_personas import CHEAP_HASHER, build_app

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app on an ephemeral port of 127.0.0.1, served by uvicorn in a thread."""
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)
    engine = open_database(os.environ["BW_DATABASE_URL"])
    app = build_app(engine, Settings())
    with session_scope(engine) as session:
        add_user(
            session, username="zhang", password="zhang-password", role="inspector", language="zh", actor="t"
        )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start within 10 s"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()
    engine.dispose()


@pytest.fixture
def page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must provide /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("no /usr/bin/chromium: apt-get install chromium fonts-wqy-microhei")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def test_inspector_filters_approves_and_sees_the_alert_in_the_digest_preview(server: str, page: Page) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.goto(f"{server}/")
    expect(page).to_have_url(f"{server}/login?next=/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill("zhang-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="审核队列")).to_be_visible()
    expect(page.get_by_text("Multilayered Wood Flooring From the People's Republic of China")).to_be_visible()

    page.get_by_label("措施类型").select_option("tbt")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]doc_type=tbt(&|$)"))
    expect(page.get_by_text("Multilayered Wood Flooring")).to_have_count(0)
    expect(
        page.get_by_role("link", name="Safer Products Restrictions and Reporting <b>PFAS</b>")
    ).to_be_visible()

    page.get_by_label("选择 Liaoyuan Socks").check()
    page.get_by_label("备注 Liaoyuan Socks").fill("内部：已核对")
    page.get_by_label("给企业的留言 Liaoyuan Socks").fill("已核对 HS 6115")
    page.screenshot(path=str(OUTPUT / "web-queue-filtered.png"), full_page=True)
    page.get_by_role("button", name="批准所选").click()
    expect(page.get_by_role("status")).to_have_text("已批准预警：1 条。")
    expect(page.get_by_text("没有符合条件的预警。")).to_be_visible()

    page.get_by_role("link", name="企业").click()
    page.get_by_role("row", name="Liaoyuan Socks").get_by_role("link", name="摘要预览").click()
    expect(page.locator("#digest-text")).to_contain_text(
        "Safer Products Restrictions and Reporting <b>PFAS</b>"
    )
    expect(page.locator("#digest-text")).to_contain_text("已核对 HS 6115")
    mail = page.frame_locator("iframe.mail")
    expect(mail.get_by_text("Safer Products Restrictions and Reporting <b>PFAS</b>")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "web-digest-preview.png"), full_page=True)


def _sign_in(server: str, page: Page) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill("zhang-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="审核队列")).to_be_visible()


def test_inspector_approves_every_alert_shown_under_a_filter(server: str, page: Page) -> None:
    OUTPUT.mkdir(exist_ok=True)
    _sign_in(server, page)
    expect(page.get_by_label("按严重程度统计预警")).to_be_visible()
    page.get_by_label("措施类型").select_option("tbt")
    page.get_by_role("button", name="筛选").click()
    shown = page.locator('input[name="shown_id"]').count()
    assert shown >= 1
    page.get_by_role("button", name=f"批准本页显示的全部 {shown} 条…").click()
    expect(page.get_by_role("heading", name=f"批准这 {shown} 条预警？")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("技术法规")  # the filter the count is under
    page.screenshot(path=str(OUTPUT / "web-queue-approve-shown.png"), full_page=True)
    page.get_by_role("button", name=f"是，批准 {shown} 条预警").click()
    expect(page.get_by_role("status")).to_have_text(f"已批准预警：{shown} 条。")
    expect(page).to_have_url(re.compile(r"[?&]doc_type=tbt(&|$)"))
    expect(page.get_by_text("没有符合条件的预警。")).to_be_visible()
    page.get_by_label("措施类型").select_option("")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("Multilayered Wood Flooring From the People's Republic of China")).to_be_visible()


def test_search_then_export_xlsx_holds_the_result(server: str, page: Page, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _sign_in(server, page)
    page.get_by_role("link", name="通报", exact=True).click()
    page.get_by_label("关键词").fill("flooring")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status")).to_contain_text("找到 1 条通报")
    references = page.locator("table.notices tbody tr td:nth-child(2)").all_inner_texts()
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    saved = tmp_path / "notices.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0][1] == "编号"  # the headings in the page's language
    assert [r[1] for r in rows[1:]] == references == ["2017-28202"]
    assert rows[1][3] == "反倾销" and rows[1][5] == "美国"


def test_chinese_pages_show_no_untranslated_label(server: str, page: Page) -> None:
    from i18n.catalogue import extract
    from tests.test_i18n import _page_texts, _patterns, english_labels

    pot = OUTPUT / "messages-browser.pot"
    OUTPUT.mkdir(exist_ok=True)
    extract(pot)
    from babel.messages.pofile import read_po

    with open(pot, "rb") as f:
        patterns = _patterns(read_po(f))
    _sign_in(server, page)
    found = {}
    for path in ("/", "/notices", "/notices?q=flooring", "/notices/1", "/cases", "/cases/1", "/enterprises"):
        page.goto(f"{server}{path}")
        # The DOM as Chromium built it; parts marked lang="en" (the switch to English) are left out.
        labels = english_labels(_page_texts(page.content(), "zh"), patterns)
        if labels:
            found[path] = labels
    assert not found, found


def test_enterprise_sets_its_keywords_and_followed_cases_through_its_link(server: str, page: Page) -> None:
    from sqlmodel import Session, select

    from alerts.tokens import make_token
    from store.models import Contact, Enterprise

    engine = open_database(os.environ["BW_DATABASE_URL"])
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.email == "trade@fusong.example")).one()
        assert contact.id is not None
        token = make_token(Settings().signing_key(), contact.id, contact.link_secret, "preferences")
    page.goto(f"{server}/p/{token}")
    page.get_by_label("关键词").fill("multilayered wood flooring; 地板")
    page.get_by_label("关注的案件").fill("A-570-970; not a case")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("'not a case' 不是案件编号")
    page.get_by_label("关注的案件").fill("A-570-970; C-570-971")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("偏好已保存。")
    page.get_by_label("产品名称（中文或英文）").fill("木地板")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("table.hs-lookup")).to_contain_text("4418.75")
    page.screenshot(path=str(OUTPUT / "web-self-service.png"), full_page=True)
    with Session(engine) as session:
        maker = session.exec(select(Enterprise).where(Enterprise.name == "抚松地板")).one()
    assert maker.keywords == ["multilayered wood flooring", "地板"]
    assert maker.followed_cases == ["A-570-970", "C-570-971"]
    engine.dispose()
