"""``python -m bench [all|NAME ...] [--quick]``: run benchmark parts, print one JSON object per figure.

Each figure is ``{name, value, unit, baseline, ratio}``; the baseline is
measured in the same run, on the same machine, so the ratio means
something on a noisy machine where absolute times drift. A part whose
optional dependency is missing (``pip install -e '.[bench]'``) is skipped
with a line on stderr. Several parts each run in a process of their own,
so that one part's memory (a trained model, a large queue) does not show
in the next one's peak RSS.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
from typing import Any

from bench.figures import Figure

# name -> module with run(quick) yielding Figure objects or figure dicts
PARTS = {
    "classify": "bench.classify",
    "baseline": "bench.baseline",
    "crossval": "bench.crossval",
    "crawl": "bench.crawl",
    "match": "bench.match",
    "send": "bench.send",
    "weekly": "bench.weekly",
    "web": "bench.web",
}


def _line(figure: Figure | dict[str, Any]) -> str:
    return json.dumps(figure.to_json() if isinstance(figure, Figure) else figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("parts", nargs="*", default=["all"], help=f"all or any of: {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, well under a minute")
    args = parser.parse_args(argv)
    names = list(PARTS) if args.parts in (["all"], []) else args.parts
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: expected all or {', '.join(PARTS)}")
    machine = {"machine": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    print(json.dumps({**machine, "quick": args.quick}), flush=True)
    if len(names) == 1:
        return _run_part(names[0], args.quick)
    failed = []
    for name in names:
        command = [sys.executable, "-m", "bench", name, *(["--quick"] if args.quick else [])]
        part = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        sys.stdout.writelines(part.stdout.splitlines(keepends=True)[1:])  # its machine line is ours
        sys.stdout.flush()
        if part.returncode:
            failed.append(name)
    return 1 if failed else 0


def _run_part(name: str, quick: bool) -> int:
    try:
        module = importlib.import_module(PARTS[name])
    except ModuleNotFoundError as exc:
        print(f"bench {name}: skipped, {exc} (pip install -e '.[bench]')", file=sys.stderr)
        return 0
    try:
        for figure in module.run(quick):
            print(_line(figure), flush=True)
    except Exception as exc:  # say which part failed and why, in one line
        print(f"bench {name}: failed, {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
