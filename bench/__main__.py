"""``python -m bench [all|NAME ...] [--quick]``: run benchmark parts, print one JSON object per figure.

Each figure is ``{name, value, unit, baseline, ratio}``; the baseline is
measured in the same run, on the same machine, so the ratio means
something on a noisy machine where absolute times drift.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable, Iterator
from typing import Any

from bench import match, send
from bench.figures import Figure


def _crawl(quick: bool) -> Iterator[Figure | dict[str, Any]]:
    from bench.crawl import run  # needs the bench extra (httpx)

    return run(quick)


PARTS: dict[str, Callable[[bool], Iterator[Figure | dict[str, Any]]]] = {
    "crawl": _crawl,
    "match": match.run,
    "send": send.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("parts", nargs="*", default=["all"], help=f"all or any of: {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, well under a minute")
    args = parser.parse_args(argv)
    names = list(PARTS) if args.parts in (["all"], []) else args.parts
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: expected all or {', '.join(PARTS)}")
    print(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "cpus": __import__("os").cpu_count(),
                "quick": args.quick,
            }
        ),
        flush=True,
    )
    for name in names:
        for figure in PARTS[name](args.quick):
            print(json.dumps(figure.to_json() if isinstance(figure, Figure) else figure), flush=True)

    return 0


if __name__ == "__main__":
    sys.exit(main())
