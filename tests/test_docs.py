"""The library and the book must not drift apart: every equation label a docstring cites exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABEL_DEFINITION = re.compile(r"\$\$\s*\((eq-[a-z0-9-]+)\)|^\((eq-[a-z0-9-]+)\)=", re.MULTILINE)
LABEL_CITATION = re.compile(r"\beq-[a-z0-9]+(?:-[a-z0-9]+)*")


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
