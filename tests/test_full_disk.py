"""`send` into an outbox on a full disk: a real filesystem of 96 KiB (tmpfs,
mounted in a mount namespace of the send's own), not an imitation of one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from store.db import open_database
from store.models import Delivery
from tests.scenario import approved_digests

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = 60
MARGIN_KIB = 96


def _can_mount() -> bool:
    probe = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"], capture_output=True
    )
    return probe.returncode == 0


@pytest.fixture
def small_filesystem():
    if shutil.which("unshare") is None or not _can_mount():
        reason = "a tmpfs cannot be mounted here (unshare -Urm needs user namespaces)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to mount a small filesystem: {reason}")
        pytest.skip(reason)


def _send_on_a_small_disk(database_url: str, outbox: Path) -> tuple[int, int, str]:
    """`barrierwatch send` with its outbox on a 96 KiB tmpfs: (exit code, files written, stderr)."""
    outbox.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update(BW_DATABASE_URL=database_url, BW_OUTBOX=str(outbox), BW_SECRET_KEY="full-disk")
    script = (
        f'mount -t tmpfs -o size=96k tmpfs "{outbox}" || exit 99; '
        f'"{sys.executable}" -m cli send; echo "exit=$? files=$(ls "{outbox}/new" | wc -l)" >&2'
    )
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r"exit=(\d+) files=(\d+)", done.stderr)
    assert found, done.stderr
    return int(found.group(1)), int(found.group(2)), done.stderr


def test_send_into_a_full_disk_stops_marks_only_what_was_written_and_exits_non_zero(
    tmp_path, small_filesystem
):
    database_url = f"sqlite:///{tmp_path / 'bw.db'}"
    engine = open_database(database_url)
    approved_digests(engine, DIGESTS)

    code, written, stderr = _send_on_a_small_disk(database_url, tmp_path / "outbox")

    assert code == 1 and "Traceback" not in stderr
    assert "BW_OUTBOX" in stderr and "No space left on device" in stderr
    with Session(engine) as session:
        rows = session.exec(select(Delivery)).all()
    sent = [d for d in rows if d.status == "sent"]
    assert 0 < written < DIGESTS and len(sent) == written  # nothing marked sent that was not written
    waiting = [d for d in rows if d.status != "sent"]
    assert {(d.status, d.attempts) for d in waiting} == {("pending", 0)}  # not failed, not counted
    assert any("No space left on device" in str(d.last_error) for d in waiting)

    # With room again, the next run sends exactly the rest.
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update(BW_DATABASE_URL=database_url, BW_OUTBOX=str(tmp_path / "roomy"), BW_SECRET_KEY="full-disk")
    rerun = subprocess.run([sys.executable, "-m", "cli", "send"], cwd=ROOT, env=env, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    assert len(os.listdir(tmp_path / "roomy" / "new")) == DIGESTS - written
    with Session(engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} == {"sent"}
    engine.dispose()


def test_send_with_the_database_on_a_full_disk_exits_non_zero_and_marks_nothing_unsent(
    tmp_path, small_filesystem
):
    database = tmp_path / "bw.db"
    engine = open_database(f"sqlite:///{database}")
    approved_digests(engine, DIGESTS)
    engine.dispose()
    disk, outbox, after = tmp_path / "disk", tmp_path / "outbox", tmp_path / "after"
    disk.mkdir()
    after.mkdir()
    size_kib = database.stat().st_size // 1024 + MARGIN_KIB  # the database, a little room for its journal
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update(BW_DATABASE_URL=f"sqlite:///{disk / 'bw.db'}", BW_OUTBOX=str(outbox), BW_SECRET_KEY="full")
    script = (
        f'mount -t tmpfs -o size={size_kib}k tmpfs "{disk}" && cp "{database}" "{disk}/" || exit 99; '
        f'"{sys.executable}" -m cli send; echo "exit=$?" >&2; cp "{disk}"/bw.db* "{after}/"'
    )
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "exit=1" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "its disk is full or failing" in done.stderr
    written = set(os.listdir(outbox / "new")) if (outbox / "new").is_dir() else set()
    copy = open_database(f"sqlite:///{after / 'bw.db'}")
    with Session(copy) as session:
        sent = [d for d in session.exec(select(Delivery)) if d.status == "sent"]
    copy.dispose()
    assert len(sent) <= len(written) < DIGESTS  # every row marked sent was written; some were not
