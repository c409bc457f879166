"""SMTP failures that a setting causes stop the run, against a real relay
(aiosmtpd on 127.0.0.1 asking for STARTTLS and a login, with a certificate
of a private CA made here)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import pipeline
from alerts.transports import ConfigurationError, SendingStopped, link_base_problem
from cli import app
from config import Settings, get_settings
from store.models import Delivery, Run
from tests.scenario import NOW
from tests.smtp_server import Sink, free_port
from tests.smtp_tls import PASSWORD, USERNAME, make_private_ca, relay
from tests.test_alerts_delivery import prepare

runner = CliRunner()


@pytest.fixture
def ca(tmp_path):
    return make_private_ca(tmp_path / "pki")


def use_relay(monkeypatch, port, *, password=PASSWORD, ca_file=None, verify=True):
    monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BW_SMTP_PORT", str(port))
    monkeypatch.setenv("BW_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("BW_SMTP_USERNAME", USERNAME)
    monkeypatch.setenv("BW_SMTP_PASSWORD", password)
    monkeypatch.setenv("BW_SMTP_CONNECTIONS", "4")
    monkeypatch.setenv("BW_SMTP_VERIFY", "true" if verify else "false")
    if ca_file:
        monkeypatch.setenv("BW_SMTP_CA_FILE", str(ca_file))


def deliveries(engine):
    with Session(engine) as session:
        return session.exec(select(Delivery).order_by(col(Delivery.id))).all()


def test_a_wrong_password_stops_the_run_after_one_login_and_leaves_every_mail_pending(
    engine, monkeypatch, ca
):
    sink = Sink()
    with relay(sink, ca) as (port, seen):
        use_relay(monkeypatch, port, password="an-old-password", ca_file=ca.ca_file)
        settings = prepare(engine)
        with pytest.raises(ConfigurationError, match="BW_SMTP_USERNAME and BW_SMTP_PASSWORD"):
            pipeline.send(engine, settings, NOW)
        # One connection per run, not one per mail; aiosmtplib tries each mechanism the server
        # offers (PLAIN, LOGIN) on it.
        assert seen.connections == 1 and seen.logins == ["refused", "refused"]
        rows = deliveries(engine)
        assert len(rows) == 3 and {(d.status, d.attempts) for d in rows} == {("pending", 0)}
        assert sink.received == []
        with Session(engine) as session:
            run = session.exec(select(Run).where(Run.stage == "send")).one()
        assert run.status == "failed" and "535" in str(run.error)

        use_relay(monkeypatch, port, ca_file=ca.ca_file)  # the password is fixed
        _, sent = pipeline.send(engine, get_settings(), NOW)
    assert sent.sent == 3 and {d.status for d in deliveries(engine)} == {"sent"}
    assert len(sink.received) == 3


def test_send_exits_non_zero_naming_the_password_setting(engine, monkeypatch, ca):
    with relay(Sink(), ca) as (port, _seen):
        use_relay(monkeypatch, port, password="wrong", ca_file=ca.ca_file)
        prepare(engine)
        result = runner.invoke(app, ["send"])
    assert result.exit_code == 1
    assert "BW_SMTP_PASSWORD" in result.output and "barrierwatch deliveries list" in result.output
    assert {d.status for d in deliveries(engine)} == {"pending"}


def test_a_certificate_of_an_unknown_ca_names_bw_smtp_ca_file(engine, monkeypatch, ca):
    with relay(Sink(), ca) as (port, seen):
        use_relay(monkeypatch, port)  # no BW_SMTP_CA_FILE: the system CAs do not know the bureau's
        settings = prepare(engine)
        with pytest.raises(ConfigurationError, match="BW_SMTP_CA_FILE") as refused:
            pipeline.send(engine, settings, NOW)
    assert "could not be verified" in str(refused.value)
    assert seen.connections == 1 and seen.logins == []  # no password went over an unverified link
    assert {(d.status, d.attempts) for d in deliveries(engine)} == {("pending", 0)}


def test_bw_smtp_verify_false_sends_to_a_server_whose_certificate_is_not_checked(engine, monkeypatch, ca):
    sink = Sink()
    with relay(sink, ca) as (port, _seen):
        use_relay(monkeypatch, port, verify=False)
        settings = prepare(engine)
        _, sent = pipeline.send(engine, settings, NOW)
    assert sent.sent == 3 and len(sink.received) == 3


def test_a_server_without_starttls_is_a_configuration_error(engine, monkeypatch, ca):
    with relay(Sink(), ca, starttls=False) as (port, seen):
        use_relay(monkeypatch, port, ca_file=ca.ca_file)
        settings = prepare(engine)
        with pytest.raises(ConfigurationError, match=r"does not offer STARTTLS.*BW_SMTP_SECURITY"):
            pipeline.send(engine, settings, NOW)
    assert seen.connections == 1
    assert {(d.status, d.attempts) for d in deliveries(engine)} == {("pending", 0)}


def test_a_missing_ca_file_is_refused_with_the_setting_name(monkeypatch, tmp_path):
    monkeypatch.setenv("BW_SMTP_CA_FILE", str(tmp_path / "no-such-ca.pem"))
    with pytest.raises(ValueError, match=r"smtp_ca_file[\s\S]*no-such-ca.pem is not a readable file"):
        get_settings()


def test_send_to_a_dead_smtp_port_exits_non_zero_and_keeps_every_mail(engine, monkeypatch):
    monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BW_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("BW_SMTP_SECURITY", "none")
    prepare(engine)
    result = runner.invoke(app, ["send"])
    assert result.exit_code == 1
    assert "could not connect to the SMTP server" in result.output and "BW_SMTP_PORT" in result.output
    assert {(d.status, d.attempts) for d in deliveries(engine)} == {("pending", 0)}


def test_send_exits_non_zero_when_a_mail_failed_and_says_where_the_reason_is(engine, monkeypatch):
    from tests.smtp_server import smtp_server

    with smtp_server(Sink(refuse={"b@socks.example"})) as port:
        monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BW_SMTP_PORT", str(port))
        monkeypatch.setenv("BW_SMTP_SECURITY", "none")
        prepare(engine)
        result = runner.invoke(app, ["send"])
    assert result.exit_code == 1
    assert "1 mails not delivered (1 failed, 0 waiting" in result.output
    assert "barrierwatch deliveries list" in result.output
    listed = runner.invoke(app, ["deliveries", "list", "--format", "json"])
    assert '"b@socks.example"' in listed.output and "550" in listed.output


def test_deliveries_retry_failed_requeues_them_for_the_next_send(engine, monkeypatch):
    from tests.smtp_server import smtp_server

    sink = Sink(refuse={"b@socks.example"})
    with smtp_server(sink) as port:
        monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BW_SMTP_PORT", str(port))
        monkeypatch.setenv("BW_SMTP_SECURITY", "none")
        settings = prepare(engine)
        pipeline.send(engine, settings, NOW)
        assert runner.invoke(app, ["deliveries", "retry"]).exit_code == 0
        assert [d.status for d in deliveries(engine) if d.email == "b@socks.example"] == ["failed"]
        later = runner.invoke(app, ["deliveries", "retry", "--failed", "--since", "2999-01-01"])
        assert "0 deliveries due again" in later.output  # none was tried that late
        sink.refuse.clear()  # the mailbox exists now
        result = runner.invoke(app, ["deliveries", "retry", "--failed", "--since", "2000-01-01"])
        assert result.exit_code == 0 and "1 deliveries due again (1 failed" in result.output
        row = next(d for d in deliveries(engine) if d.email == "b@socks.example")
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, None)
        _, sent = pipeline.send(engine, settings, NOW)
    assert sent.sent == 1 and {d.status for d in deliveries(engine)} == {"sent"}
    assert [to for _, to in sink.envelopes].count(["b@socks.example"]) == 1


def test_deliveries_retry_lifts_the_backoff_of_deferred_mails(engine, monkeypatch):
    from tests.smtp_server import smtp_server

    sink = Sink(defer={"trade@fusong.example"})
    with smtp_server(sink) as port:
        monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BW_SMTP_PORT", str(port))
        monkeypatch.setenv("BW_SMTP_SECURITY", "none")
        monkeypatch.setenv("BW_RETRY_BASE_SECONDS", "0.01")
        settings = prepare(engine)
        pipeline.send(engine, settings, NOW)
        sink.defer.clear()
        _, too_early = pipeline.send(engine, settings, NOW)
        assert too_early.sent == 0  # backing off
        assert runner.invoke(app, ["deliveries", "retry"]).exit_code == 0
        _, sent = pipeline.send(engine, settings, NOW)
    assert sent.sent == 1


def test_a_real_smtp_host_refuses_links_to_loopback_or_plain_http():
    host = "smtp.bureau.example"
    default = Settings(smtp_host=host)
    assert "BW_BASE_URL=http://127.0.0.1:8000 is on loopback" in str(link_base_problem(default))
    plain = Settings(smtp_host=host, base_url="http://barrierwatch.bureau.example")
    assert "not https" in str(link_base_problem(plain))
    public = Settings(smtp_host=host, base_url="https://barrierwatch.bureau.example")
    assert link_base_problem(public) is None
    assert link_base_problem(Settings(smtp_host=host, allow_insecure_links=True)) is None
    assert link_base_problem(Settings(smtp_host="127.0.0.1")) is None  # a local test relay
    assert link_base_problem(Settings()) is None  # the Maildir outbox


def test_send_refuses_loopback_links_through_a_real_host_before_touching_the_queue(engine, monkeypatch):
    monkeypatch.setenv("BW_SMTP_HOST", "smtp.bureau.example")
    settings = prepare(engine)
    with pytest.raises(SendingStopped, match="BW_ALLOW_INSECURE_LINKS"):
        pipeline.send(engine, settings, NOW)
    with Session(engine) as session:
        assert session.exec(select(Delivery)).all() == []  # no digest was even made
    result = runner.invoke(app, ["send"])
    assert result.exit_code == 1 and "--allow-insecure-links" in result.output


def test_weekly_against_a_dead_smtp_port_exits_non_zero_and_keeps_the_mails(engine, monkeypatch):
    monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BW_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("BW_SMTP_SECURITY", "none")
    prepare(engine)
    result = runner.invoke(app, ["weekly", "--no-crawl"])
    assert result.exit_code == 1 and "could not connect to the SMTP server" in result.output
    assert "barrierwatch deliveries list" in result.output
    assert {(d.status, d.attempts) for d in deliveries(engine)} == {("pending", 0)}


def test_demo_against_a_dead_smtp_port_does_not_report_success(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update(
        BW_MODEL_DIR=str(tmp_path / "no-model"),
        BW_SMTP_HOST="127.0.0.1",
        BW_SMTP_PORT=str(free_port()),
        BW_SMTP_SECURITY="none",
    )
    demo = subprocess.run(
        [sys.executable, "-m", "cli", "demo"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert demo.returncode == 1, demo.stderr
    assert "0 mails written, 0 failed" not in demo.stderr
    assert "could not connect to the SMTP server" in demo.stderr and "BW_SMTP_PORT" in demo.stderr


def test_a_worker_with_a_wrong_password_stops_with_the_setting_named(engine, monkeypatch, ca):
    with relay(Sink(), ca) as (port, seen):
        use_relay(monkeypatch, port, password="wrong", ca_file=ca.ca_file)
        prepare(engine)
        from alerts.digest import build_digests
        from store.db import session_scope

        with session_scope(engine) as session:
            build_digests(session, NOW, get_settings().zone, "example.org")
        monkeypatch.setattr("signal.signal", lambda *_args: None)  # keep pytest's own handlers
        result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 1 and "BW_SMTP_PASSWORD" in result.output
    assert seen.connections == 1
    assert {(d.status, d.attempts) for d in deliveries(engine)} == {("pending", 0)}
