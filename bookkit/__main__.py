"""Command line: ``python -m bookkit release | check-stubs | grade | lab``.

Examples
--------
python -m bookkit lab                           # the learner's workspace, opened in JupyterLab
python -m bookkit release                       # student, instructor and reader copies
python -m bookkit release --edition student     # reader pages without solutions
python -m bookkit check-stubs                   # every graded test fails on the stub
python -m bookkit grade submitted/ --out grading/ --timeout 30 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bookkit.grade import grade
from bookkit.lab import run_lab
from bookkit.notebook import SourceFormatError
from bookkit.release import EDITIONS, release
from bookkit.report import table, write_atomically, write_csv, write_json
from bookkit.sandbox import Limits, SandboxError, check_sandbox
from bookkit.session import Settings
from bookkit.stubs import check_stubs

NO_SANDBOX = "--no-sandbox-i-trust-these-files"
SEED_VARIABLE = "BOOKKIT_GRADING_SEED"


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the grading seed must be a whole number, got "
                                         f"{text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the grading seed must be >= 0, got {text}")
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
    grd.add_argument("submissions", nargs="+",
                     help="notebooks, or folders searched for *.ipynb")
    grd.add_argument("--source", default="exercises", type=Path)
    grd.add_argument("--out", type=Path, default=None,
                     help="folder for grades.json, grades.csv and report.txt (grading/ when "
                          "neither --json nor --csv is given)")
    grd.add_argument("--json", type=Path, help="write the JSON here instead of OUT/grades.json")
    grd.add_argument("--csv", type=Path, help="write the CSV here instead of OUT/grades.csv")
    grd.add_argument("--timeout", type=_positive, default=30.0, help="seconds per cell (30)")
    grd.add_argument("--notebook-timeout", type=_positive, default=300.0,
                     help="seconds per notebook, restarts included (300)")
    grd.add_argument("--memory", type=_count, default=4096,
                     help="megabytes of address space per sandboxed process (4096)")
    grd.add_argument("--jobs", type=_count, default=os.cpu_count() or 1,
                     help="submissions graded at once (the number of cores)")
    grd.add_argument("--secret-seed", type=_seed, default=None,
                     help=f"grading seed for the hidden tests' inputs (or set {SEED_VARIABLE}); "
                          "keep it secret")
    grd.add_argument(NO_SANDBOX, dest="no_sandbox", action="store_true",
                     help="DANGEROUS: run learners' code without the bubblewrap sandbox")
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
    seed = args.secret_seed
    if seed is None and os.environ.get(SEED_VARIABLE):
        seed = _seed(os.environ[SEED_VARIABLE])
    if args.no_sandbox:
        print(f"WARNING: {NO_SANDBOX}: learners' code runs WITHOUT a sandbox, with your "
              "rights, your files and your network", file=sys.stderr)
    else:
        try:
            check_sandbox()
        except SandboxError as err:
            print(f"error: {err}\nThe grader runs learners' code only in a sandbox; "
                  f"to grade without one, pass {NO_SANDBOX}", file=sys.stderr)
            return 2
    settings = Settings(args.timeout, args.notebook_timeout,
                        Limits(memory=args.memory * 2**20), not args.no_sandbox, seed)
    reports = grade(args.submissions, args.source, settings=settings, jobs=args.jobs)
    text = table(reports)
    out = args.out or (Path("grading") if args.json is None and args.csv is None else None)
    if args.json or out:
        write_json(reports, args.json or out / "grades.json")
    if args.csv or out:
        write_csv(reports, args.csv or out / "grades.csv")
    if out:
        write_atomically(out / "report.txt", text + "\n")
    print(text)
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
