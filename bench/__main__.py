"""``python -m bench [all|NAME] [--quick]``: run benchmark parts by name."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> module with run(quick) yielding bench.Figure
PARTS = {
    "classify": "bench.classify",
    "baseline": "bench.baseline",
    "crossval": "bench.crossval",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("part", nargs="?", default="all", choices=["all", *PARTS])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke run")
    args = parser.parse_args(argv)
    names = list(PARTS) if args.part == "all" else [args.part]
    for name in names:
        try:
            module = importlib.import_module(PARTS[name])
        except ModuleNotFoundError as exc:
            # A part's optional dependency (scikit-learn for "baseline") is missing.
            print(f"bench {name}: skipped, {exc} (pip install -e '.[bench]')", file=sys.stderr)
            continue
        for figure in module.run(args.quick):
            figure.emit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
