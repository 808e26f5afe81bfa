"""Helpers of the accessibility audit: which pages, how to run axe-core, and how to report it.

Plain functions of what the browser returns, so that the rules are unit-tested without a browser
(tests/browser/test_accessibility.py). axe-core itself comes from the npm registry, pinned in
tests/browser/package.json and package-lock.json (``npm ci --prefix tests/browser``; ``make
browser`` does it).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

# WCAG 2.0 and 2.1, levels A and AA: the rule tags of axe-core that an audit for WCAG 2.1 AA runs.
WCAG21AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = frozenset({"critical", "serious"})
# The audit's summary, kept for the end of the run (conftest.pytest_terminal_summary).
AXE_REPORT = pytest.StashKey[str]()
# Folders of the built site that hold assets, not pages (sources, images, executed notebooks).
NOT_PAGES = frozenset({"_static", "_sources", "_images", "_downloads", "jupyter_execute"})

# Runs axe-core (already injected) on the document; answers its violations, reduced to what
# the report needs. ``arguments[0]`` is the list of rule tags.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(results => done(results.violations.map(v => ({
      rule: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({impact: n.impact || v.impact, target: n.target.join(" "),
                                html: n.html.slice(0, 160)}))}))),
        error => done("axe failed: " + error));
"""


def site_pages(site: Path) -> list[str]:
    """Return every HTML page of a built site, relative to it, sorted.

    Asset folders (``_static``, ``_sources``, ...) are left out; pages of the theme (search,
    index) and the redirecting ``index.html`` are pages like any other.
    """
    pages = []
    for path in site.rglob("*.html"):
        relative = path.relative_to(site)
        if not NOT_PAGES.intersection(relative.parts[:-1]):
            pages.append(relative.as_posix())
    return sorted(pages)


def findings(page: str, violations: list[dict]) -> list[dict]:
    """Flatten axe's violations of one page into one finding per element.

    Parameters
    ----------
    page : str
        The page, relative to the site.
    violations : list of dict
        What ``RUN_AXE`` answered: ``{"rule", "impact", "help", "nodes": [{"impact", "target",
        "html"}]}`` per violated rule.

    Returns
    -------
    list of dict
        ``{"page", "rule", "impact", "help", "target", "html"}`` per element.

    Raises
    ------
    ValueError
        If an impact is not one of axe's four.
    """
    flat = []
    for violation in violations:
        for node in violation["nodes"]:
            impact = node["impact"] or violation["impact"]
            if impact not in IMPACTS:
                raise ValueError(f"axe impact must be one of {IMPACTS}; got {impact!r} for "
                                 f"{violation['rule']} on {page}")
            flat.append({"page": page, "rule": violation["rule"], "impact": impact,
                         "help": violation["help"], "target": node["target"],
                         "html": node["html"]})
    return flat


def table(found: list[dict]) -> list[tuple[str, str, int, int]]:
    """Count findings per rule and impact: ``(rule, impact, pages, nodes)``, worst first."""
    pages: dict[tuple[str, str], set[str]] = defaultdict(set)
    nodes: dict[tuple[str, str], int] = defaultdict(int)
    for finding in found:
        key = (finding["rule"], finding["impact"])
        pages[key].add(finding["page"])
        nodes[key] += 1
    rows = [(rule, impact, len(pages[rule, impact]), nodes[rule, impact])
            for rule, impact in pages]
    return sorted(rows, key=lambda row: (IMPACTS.index(row[1]), row[0]))


def report(found: list[dict], n_pages: int) -> str:
    """The audit's summary: one line per rule and impact, then the count by impact."""
    lines = [f"axe-core, WCAG 2.1 A and AA rules, {n_pages} pages",
             f"{'rule':<32} {'impact':<9} {'pages':>5} {'nodes':>6}"]
    lines += [f"{rule:<32} {impact:<9} {pages:>5} {nodes:>6}"
              for rule, impact, pages, nodes in table(found)]
    counts = {impact: sum(1 for f in found if f["impact"] == impact) for impact in IMPACTS}
    lines.append("nodes by impact: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return "\n".join(lines)


def blocking(found: list[dict]) -> list[str]:
    """Return one line per serious or critical finding: rule, impact, page, element."""
    return [f"{f['rule']} ({f['impact']}) on {f['page']}: {f['target']}  {f['html']}"
            for f in found if f["impact"] in BLOCKING]
