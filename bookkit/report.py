"""Write grading reports as a text table, JSON and CSV."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path

from bookkit.grade import Report

CSV_FIELDS = ("submission", "notebook", "exercise", "title", "score", "max_score", "status",
              "message")


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
        for ex in report.exercises:
            lines.append(f"    {ex.number:<6} {_points(ex.score):>5}/{_points(ex.max_score):<5} "
                         f"{ex.status:<9} {ex.title}")
            lines += [f"{'':>29}{note}" for note in ex.notes]
    return "\n".join(lines)


def to_json(reports: list[Report]) -> dict:
    """Return the reports as a JSON-ready dict with per-submission totals."""
    return {"submissions": [{**asdict(report), "score": report.score} for report in reports]}


def rows(reports: list[Report]) -> list[dict[str, object]]:
    """Return CSV rows: one per exercise and one ``total`` row per submission."""
    out: list[dict[str, object]] = []
    for report in reports:
        base = {"submission": report.submission, "notebook": report.notebook or ""}
        for ex in report.exercises:
            out.append({**base, "exercise": ex.number, "title": ex.title, "score": ex.score,
                        "max_score": ex.max_score, "status": ex.status,
                        "message": "; ".join(ex.notes)})
        out.append({**base, "exercise": "total", "title": "", "score": report.score,
                    "max_score": "" if report.max_score is None else report.max_score,
                    "status": report.status, "message": report.message})
    return out


def write_json(reports: list[Report], path: str | Path) -> None:
    """Write :func:`to_json` to ``path``."""
    Path(path).write_text(json.dumps(to_json(reports), indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")


def write_csv(reports: list[Report], path: str | Path) -> None:
    """Write :func:`rows` to ``path`` with a header line."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows(reports))
