"""What CI must not skip: a run with CI set and no PostgreSQL fails, where a
developer's run skips (the Chromium test follows the same rule)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
A_POSTGRES_TEST = "tests/test_store_db.py::test_empty_database_is_initialised_on_first_use[postgresql]"


def _pytest(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "BW_TEST_POSTGRES_URL")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", A_POSTGRES_TEST, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_ci_run_without_postgresql_fails():
    result = _pytest(CI="true")
    assert result.returncode != 0
    assert "CI must test on PostgreSQL: set BW_TEST_POSTGRES_URL" in result.stdout


def test_a_developer_run_without_postgresql_skips_with_the_reason():
    result = _pytest()
    assert result.returncode == 0 and "1 skipped" in result.stdout
    assert "BW_TEST_POSTGRES_URL is not set" in result.stdout


def test_ci_run_script_sets_ci_and_the_postgresql_url():
    script = (ROOT / ".ci" / "run").read_text()
    assert 'export CI="${CI:-true}"' in script and "export BW_TEST_POSTGRES_URL=" in script
