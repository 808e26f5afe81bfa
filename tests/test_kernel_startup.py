"""The notebooks stage's kernel guard: a comparison that only numpy's default atol lets pass fails.

Each case runs in a fresh interpreter, since the startup file patches numpy for its process.
Code "in a cell" is compiled under a file name like ipykernel's, as the guard expects.
"""

import subprocess
import sys
from pathlib import Path

import pytest

STARTUP = Path(__file__).parent / "kernel_startup" / "strict_tolerances.py"


def run_in_kernel(source: str,
                  filename: str = "/tmp/ipykernel_1/cell.py") -> subprocess.CompletedProcess:
    program = (f"exec(open({str(STARTUP)!r}).read(), {{}})\n"
               f"exec(compile({source!r}, {filename!r}, 'exec'), {{}})\n")
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("source", [
    "import numpy as np\nassert np.isclose(8.5e-14, 0.0, rtol=1e-6)",
    "import numpy as np\nassert np.allclose([1.0, 3e-9], [1.0, 0.0], rtol=1e-12)",
])
def test_a_pass_granted_only_by_the_default_atol_fails_in_a_cell(source):
    result = run_in_kernel(source)
    assert result.returncode != 0
    assert "passes only through numpy's default atol=1e-8" in result.stderr


@pytest.mark.parametrize("source", [
    # an explicit atol, a pass that rtol alone grants, a failure, equal arrays, numpy's answer
    "import numpy as np\nassert np.isclose(8.5e-14, 0.0, rtol=0, atol=1e-13)",
    "import numpy as np\nassert np.isclose(1.0, 1.0 + 1e-7, rtol=1e-6)",
    "import numpy as np\nassert not np.isclose(1.0, 2.0)",
    "import numpy as np\nassert np.allclose(np.ones(3), np.ones(3))",
    "import numpy as np\nassert np.isclose([1.0, 2.0], [1.0, 2.1], atol=0).tolist() == [1, 0]",
])
def test_comparisons_that_do_not_lean_on_the_default_behave_as_in_numpy(source):
    result = run_in_kernel(source)
    assert result.returncode == 0, result.stderr


def test_library_code_is_left_alone():
    # the same vacuous comparison, made by code that is not a notebook cell
    result = run_in_kernel("import numpy as np\nassert np.isclose(8.5e-14, 0.0, rtol=1e-6)",
                           filename="/usr/lib/python3/dist-packages/somelib.py")
    assert result.returncode == 0, result.stderr
