"""The README's examples run as printed, and say what they print."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_the_two_library_examples():
    assert len(python_blocks()) == 2


def test_gradient_example_runs_and_its_gradient_is_correct(capsys):
    namespace: dict = {}
    exec(python_blocks()[0], namespace)
    printed = float(capsys.readouterr().out.split()[-1])
    assert printed < 1e-7, "the README claims backpropagation matches finite differences"


def test_training_example_reaches_the_accuracy_it_claims(capsys):
    namespace: dict = {}
    exec(python_blocks()[1], namespace)
    accuracy = float(capsys.readouterr().out.split()[-1])
    claimed = float(re.search(r"# about (0\.\d+)", python_blocks()[1]).group(1))
    # 450 test digits: one flipped prediction moves the accuracy by 0.0022, and another BLAS
    # kernel's rounding, amplified over 20 epochs, may flip a few; 0.02 is nine of them
    assert abs(accuracy - claimed) <= 0.02, f"accuracy {accuracy:.4f}, the README says {claimed}"
