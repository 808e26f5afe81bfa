"""The library and the book must not drift apart: every equation label a docstring cites exists.

And a chapter's claims fail plainly: every ``assert`` in a code cell carries a message.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABEL_DEFINITION = re.compile(r"\$\$\s*\((eq-[a-z0-9-]+)\)|^\((eq-[a-z0-9-]+)\)=", re.MULTILINE)
LABEL_CITATION = re.compile(r"\beq-[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def defined_labels() -> set[str]:
    labels = set()
    for page in ROOT.glob("chapters/*.md"):
        for match in LABEL_DEFINITION.finditer(page.read_text(encoding="utf-8")):
            labels.add(match.group(1) or match.group(2))
    return labels


def cited_labels() -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for source in sorted(ROOT.glob("mlp/**/*.py")):
        for label in LABEL_CITATION.findall(source.read_text(encoding="utf-8")):
            cited.setdefault(label, []).append(source.relative_to(ROOT).as_posix())
    return cited


def test_label_pattern_recognises_both_definition_styles():
    text = "$$ z = W a + b $$ (eq-forward-batch)\n\n(eq-delta-hidden)=\n"
    found = {m.group(1) or m.group(2) for m in LABEL_DEFINITION.finditer(text)}
    assert found == {"eq-forward-batch", "eq-delta-hidden"}


def test_the_backward_pass_cites_the_backpropagation_equations():
    cited = cited_labels()
    for label in ("eq-delta-hidden", "eq-grad-weights", "eq-grad-bias"):
        assert "mlp/network.py" in cited.get(label, []), f"mlp/network.py should cite {label}"


def test_every_cited_label_is_defined_in_a_chapter():
    defined = defined_labels()
    missing = {label: files for label, files in cited_labels().items() if label not in defined}
    assert not missing, f"docstrings cite equation labels that no chapter defines: {missing}"


def code_cells(text: str) -> list[tuple[int, str]]:
    """The code cells of a MyST page as (line of the cell's first line, Python source).

    A cell's option block (between ``---`` lines) and its magics and directives (lines starting
    with ``%`` or ``:``) are blanked, so that line numbers in the source are those of the page.
    """
    cells = []
    for match in CODE_CELL.finditer(text):
        lines = match.group(1).split("\n")
        if lines[0].strip() == "---":
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
            lines[: end + 1] = [""] * (end + 1)
        lines = ["" if line.lstrip().startswith(("%", ":")) else line for line in lines]
        cells.append((text.count("\n", 0, match.start(1)) + 1, "\n".join(lines)))
    return cells


def asserts_without_message(text: str, name: str) -> list[str]:
    """Each ``assert`` with no message in the page's code cells, as "page:line: source"."""
    found = []
    for first, source in code_cells(text):
        for node in ast.walk(ast.parse(source, filename=name)):
            if isinstance(node, ast.Assert) and node.msg is None:
                found.append((first + node.lineno - 1, ast.get_source_segment(source, node)))
    return [f"{name}:{line}: {statement}" for line, statement in sorted(found)]


def test_asserts_without_message_are_found_with_their_page_lines():
    text = (
        "# Title\n\n```{code-cell} ipython3\n---\ntags: [hide-input]\n---\n%matplotlib inline\n"
        "x = 1\nassert x == 1\nassert x > 0, f\"x is {x}, claimed positive\"\n```\n\n"
        "```python\nassert False\n```\n\n```{code-cell} ipython3\nif x:\n    assert (x <\n"
        "            2)\n```\n"
    )
    assert asserts_without_message(text, "page.md") == [
        "page.md:9: assert x == 1", "page.md:19: assert (x <\n            2)"]


def _bare_asserts(page: Path) -> list[str]:
    return asserts_without_message(page.read_text(encoding="utf-8"), page.name)


def test_every_assert_in_the_book_says_what_failed():
    pages = [*sorted(ROOT.glob("chapters/*.md")), ROOT / "errata.md"]
    missing = [entry for page in pages for entry in _bare_asserts(page)]
    assert not missing, (
        f"{len(missing)} asserts in the book's pages carry no message; give each one the "
        "measured value and the bound, e.g.\n"
        "`assert ratio > 5, f\"momentum only {ratio:.1f}x faster\"`:\n"
        + "\n".join(missing))


# Symbols the book gave up when it settled on one meaning per symbol (notation.md): the largest
# curvature is M, not L; the cost is \mathcal{L}; machine precision is \varepsilon_{\text{mach}};
# the gradient noise is \nu^2, not \sigma^2. Each pattern matches only the retired use.
RETIRED_SYMBOLS = {
    "curvature L": re.compile(r"\\frac\{2\}\{L\}|(?<![\w\]])[12]/L\b|\\eta L\b|\\mu \+ L\b|L/\\mu"),
    "cost L": re.compile(r"\\nabla_\\theta L\b|\\partial L/\\partial [WZbz]\b"),
    "machine precision as bare epsilon": re.compile(r"\\varepsilon\^\{[12]/3\}"),
    "noise variance sigma^2": re.compile(r"\\frac\{\\sigma\^2\}\{m\}"),
}


def retired_symbol_uses(text: str) -> list[str]:
    return [name for name, pattern in RETIRED_SYMBOLS.items() if pattern.search(text)]


def test_retired_symbol_patterns_match_old_text_and_not_new():
    old = r"$\eta < 2/L$, $\partial L/\partial W$, $\varepsilon^{1/3}$, $\frac{\sigma^2}{m}$"
    new = (r"$\eta < 2/M$, $\partial \mathcal{L}/\partial W$, $\varepsilon_{\text{mach}}^{1/3}$, "
           r"$\frac{\nu^2}{m}$, $a^{[L]}$, $n_L$, $l = 1, \dots, L$")
    assert retired_symbol_uses(old) == list(RETIRED_SYMBOLS)
    assert retired_symbol_uses(new) == []


def test_no_page_uses_a_retired_symbol():
    pages = [*ROOT.glob("chapters/*.md"), *ROOT.glob("*.md"), *ROOT.glob("exercises/*.ipynb")]
    found = {page.relative_to(ROOT).as_posix(): uses for page in sorted(pages)
             if (uses := retired_symbol_uses(page.read_text(encoding="utf-8")))}
    assert found == {}, f"pages that still use a retired symbol (see notation.md): {found}"
