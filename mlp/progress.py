"""The optional progress bar of ``train``: a tqdm bar over the epochs, shown only where it helps.

Whether a bar is shown by default depends on where the code runs (a terminal or a Jupyter kernel:
yes; a script whose output goes to a file, or a test: no); the environment variable MLP_PROGRESS
overrides that. tqdm is imported only when a bar is wanted, so the numpy core does not need it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["progress_bar"]


def _interactive() -> bool:
    """True in a terminal or a Jupyter kernel, unless MLP_PROGRESS=0 (MLP_PROGRESS=1 forces it)."""
    setting = os.environ.get("MLP_PROGRESS", "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if type(shell).__name__ == "ZMQInteractiveShell":
        return True
    return hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def progress_bar(progress: bool | None, epochs: int) -> Any:
    """Return a tqdm bar over the epochs, or None where no bar is wanted.

    Parameters
    ----------
    progress : bool or None
        True: a bar (needs tqdm); False: none; None: a bar in a terminal or a Jupyter kernel
        (MLP_PROGRESS=0 or 1 overrides), and none, quietly, if tqdm is not installed.
    epochs : int
        The bar's total.

    Returns
    -------
    tqdm or None

    Raises
    ------
    TypeError
        If ``progress`` is not True, False or None.
    ImportError
        If ``progress`` is True and tqdm is not installed.
    """
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None; got {progress!r}")
    if not (_interactive() if progress is None else progress):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as error:
        if progress is None:
            return None
        raise ImportError(
            "progress=True needs tqdm; install it (pip install tqdm) or pass progress=False"
        ) from error
    return tqdm(total=epochs, unit="epoch", desc="train")
