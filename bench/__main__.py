"""``python -m bench [all|NAME] [--quick]``: run benchmark parts, one JSON object per figure.

Each part is a function ``(quick: bool) -> Iterator[Figure]`` listed in ``PARTS``;
add a part by adding one entry.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator

from bench.figures import Figure

PartFunction = Callable[[bool], Iterator[Figure]]


def _crawl(quick: bool) -> Iterator[Figure]:
    from bench.crawl import run

    return run(quick)


PARTS: dict[str, PartFunction] = {
    "crawl": _crawl,
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("part", nargs="?", default="all", choices=["all", *PARTS])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, one round")
    args = parser.parse_args(argv)
    for name, part in PARTS.items():
        if args.part in ("all", name):
            for figure in part(args.quick):
                sys.stdout.write(json.dumps(figure.to_json()) + "\n")
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
