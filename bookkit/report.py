"""Write grading reports as a text table, JSON and CSV.

Every text in a report was escaped when it was made (:func:`bookkit.intake.shown`), so no
control character reaches a terminal. Files are written whole or not at all: to a temporary
file in the same folder, then renamed over the target.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from bookkit.grade import Report

CSV_FIELDS = ("submission", "notebook", "exercise", "title", "score", "max_score", "status",
              "message", "flags")


def _points(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def table(reports: list[Report]) -> str:
    """Return a plain-text table: one block per submission, one line per exercise."""
    lines = []
    for report in reports:
        lines.append(f"{report.submission}  [{report.notebook or '?'}]  {report.status}  "
                     f"{_points(report.score)}/{_points(report.max_score)}")
        if report.message:
            lines.append(f"    {report.message}")
        lines += [f"    flag: {flag}" for flag in report.flags]
        for ex in report.exercises:
            lines.append(f"    {ex.number:<6} {_points(ex.score):>5}/{_points(ex.max_score):<5} "
                         f"{ex.status:<9} {ex.title}")
            lines += [f"{'':>29}{note}" for note in ex.notes]
    return "\n".join(lines)


def to_json(reports: list[Report]) -> dict:
    """Return the reports as a JSON-ready dict with per-submission totals."""
    return {"submissions": [{**asdict(report), "score": report.score} for report in reports]}


def _cell(value: object) -> object:
    """A spreadsheet shows text that starts with = + - @ as a formula: quote it."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def rows(reports: list[Report]) -> list[dict[str, object]]:
    """Return CSV rows: one per exercise and one ``total`` row per submission."""
    out: list[dict[str, object]] = []
    for report in reports:
        base = {"submission": report.submission, "notebook": report.notebook or ""}
        for ex in report.exercises:
            out.append({**base, "exercise": ex.number, "title": ex.title, "score": ex.score,
                        "max_score": ex.max_score, "status": ex.status,
                        "message": "; ".join(ex.notes), "flags": ""})
        out.append({**base, "exercise": "total", "title": "", "score": report.score,
                    "max_score": "" if report.max_score is None else report.max_score,
                    "status": report.status, "message": report.message,
                    "flags": "; ".join(report.flags)})
    return [{key: _cell(value) for key, value in row.items()} for row in out]


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step: a reader sees the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def write_json(reports: list[Report], path: str | Path) -> None:
    """Write :func:`to_json` to ``path``."""
    write_atomically(path, json.dumps(to_json(reports), indent=2, ensure_ascii=False) + "\n")


def write_csv(reports: list[Report], path: str | Path) -> None:
    """Write :func:`rows` to ``path`` with a header line."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    writer.writerows(rows(reports))
    write_atomically(path, buffer.getvalue())
