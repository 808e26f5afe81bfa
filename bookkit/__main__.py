"""Command line: ``python -m bookkit release | check-stubs | grade | lab``.

Examples
--------
python -m bookkit lab                           # the learner's workspace, opened in JupyterLab
python -m bookkit release                       # student, instructor and reader copies
python -m bookkit release --edition student     # reader pages without solutions
python -m bookkit check-stubs                   # every graded test fails on the stub
python -m bookkit grade submitted/ --json grades.json --csv grades.csv --timeout 30
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bookkit.grade import grade
from bookkit.lab import run_lab
from bookkit.notebook import SourceFormatError
from bookkit.release import EDITIONS, release
from bookkit.report import table, write_csv, write_json
from bookkit.stubs import check_stubs


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bookkit", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="write the student, instructor and reader copies")
    rel.add_argument("--source", default="exercises", help="folder of sources (exercises)")
    rel.add_argument("--out", default="_build/exercises",
                     help="receives student/ and instructor/ (_build/exercises)")
    rel.add_argument("--reader", default="exercises/_reader",
                     help="book folder for the web pages and downloads (exercises/_reader)")
    rel.add_argument("--edition", choices=EDITIONS, default="full",
                     help="full: solutions folded; student: solutions left out")
    stubs = commands.add_parser("check-stubs", help="prove every graded test fails on the stub")
    stubs.add_argument("notebooks", nargs="*", type=Path,
                       help="sources to check (default: every SOURCE/*.ipynb)")
    stubs.add_argument("--source", default="exercises", type=Path)
    stubs.add_argument("--timeout", type=_positive, default=30.0, help="seconds per cell (30)")
    grd = commands.add_parser("grade", help="grade submitted notebooks")
    grd.add_argument("submissions", nargs="+", type=Path,
                     help="notebooks, or folders searched for *.ipynb")
    grd.add_argument("--source", default="exercises", type=Path)
    grd.add_argument("--json", type=Path, help="also write the grades as JSON here")
    grd.add_argument("--csv", type=Path, help="also write the grades as CSV here")
    grd.add_argument("--timeout", type=_positive, default=30.0, help="seconds per cell (30)")
    lab = commands.add_parser("lab", help="open the learner's workspace in JupyterLab")
    lab.add_argument("--workspace", default="workspace", type=Path,
                     help="the learner's folder (workspace)")
    lab.add_argument("--book", default=".", type=Path,
                     help="the book's folder, holding chapters/ and exercises/ (.)")
    lab.add_argument("--port", type=int, default=8888,
                     help="first port tried; 0: any free port (8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    lab.add_argument("--sync-only", action="store_true",
                     help="only bring the workspace up to date; do not start JupyterLab")
    return parser


def _expand(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    return found


def _check_stubs(args: argparse.Namespace) -> int:
    notebooks = args.notebooks or sorted(args.source.glob("*.ipynb"))
    if not notebooks:
        print(f"error: no exercise notebook in {args.source}", file=sys.stderr)
        return 2
    failed = 0
    for path in notebooks:
        for check in check_stubs(path, args.timeout):
            print(check.describe())
            failed += not check.ok
    print(f"{failed} test(s) pass on the stub" if failed else "every graded test fails on the stub")
    return 1 if failed else 0


def _grade(args: argparse.Namespace) -> int:
    reports = grade(_expand(args.submissions), args.source, args.timeout)
    print(table(reports))
    if args.json:
        write_json(reports, args.json)
    if args.csv:
        write_csv(reports, args.csv)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 check failed, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "release":
            for path in release(args.source, args.out, args.reader, args.edition):
                print(path)
            return 0
        if args.command == "check-stubs":
            return _check_stubs(args)
        if args.command == "lab":
            return run_lab(args.book, args.workspace, args.port, not args.no_browser,
                           args.sync_only)
        return _grade(args)
    except (SourceFormatError, RuntimeError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
