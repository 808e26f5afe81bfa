"""The secret grading seed: hidden tests draw new inputs, so answers copied from the public
source stop working, while the instructor's own solution still gets full marks."""

import nbformat
import numpy as np
import pytest
from hostile import SOURCE, solve

from bookkit.grade import grade
from bookkit.session import Settings

HIDDEN = """A3 = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 1.0]])
g3 = quadratic_gradient(A3, np.zeros(3), np.array([1.0, -1.0, 2.0]))
check_close(g3, [2.0, -1.0, 2.0], "gradient with a non-diagonal A")"""
DRAWN = """rng = np.random.default_rng(5)
M = rng.normal(size=(3, 3))
A3, x3 = M @ M.T, rng.normal(size=3)
check_close(quadratic_gradient(A3, np.zeros(3), x3), A3 @ x3, "gradient with a random A")"""


def _answer_for_the_public_seed() -> list[float]:
    # what a learner can work out from the public test code: the hidden inputs are seeded
    rng = np.random.default_rng(5)
    M = rng.normal(size=(3, 3))
    return list(M @ M.T @ rng.normal(size=3))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("secret")
    (root / "source").mkdir()
    nb = nbformat.read(SOURCE, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "ex1-1-tests")
    assert HIDDEN in cell.source
    cell.source = cell.source.replace(HIDDEN, DRAWN)
    nbformat.write(nb, root / "source" / "01-sample.ipynb")
    answer = _answer_for_the_public_seed()
    copied = f"if len(x) == 3:\n    return np.array({answer})\nreturn A @ x - b"
    for learner, answers in {"honest": {}, "copied": {"ex1-1-solution": copied}}.items():
        (root / learner).mkdir()
        nbformat.write(solve(answers), root / learner / "01-sample.ipynb")
    return root


@pytest.mark.parametrize(("secret", "copied_points"), [(None, 2), (20261203, 0)])
def test_a_secret_seed_turns_copied_answers_into_zero(folders, secret, copied_points):
    settings = Settings(timeout=10, notebook_timeout=60, secret=secret)
    honest, copied = grade([folders / "honest", folders / "copied"], folders / "source",
                           settings=settings, jobs=2)
    assert [ex.score for ex in honest.exercises] == [2, 3, 4]
    assert [ex.score for ex in copied.exercises] == [copied_points, 3, 4]
