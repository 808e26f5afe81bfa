"""Open the book in JupyterLab for a learner: ``python -m bookkit lab`` (``make lab`` calls it).

The command brings the workspace up to date (:mod:`bookkit.workspace`), picks a free port on
127.0.0.1 and a random token, prints the address to open, and runs JupyterLab in the workspace
until Ctrl-C. It works the same on every system with the environment installed::

    python -m bookkit lab                  # workspace/, port 8888 or the next free one
    python -m bookkit lab --sync-only      # only bring workspace/ up to date
    python -m bookkit lab --port 0 --no-browser   # any free port, no browser window
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from bookkit.workspace import sync

HOST = "127.0.0.1"
# Nothing is fetched from the internet: no news feed, no check for a newer JupyterLab, and the
# extension manager lists what is installed instead of searching the package index.
OFFLINE = ("--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")

__all__ = ["free_port", "lab_command", "run_lab"]


def free_port(start: int = 8888, tries: int = 100) -> int:
    """Return the first port from ``start`` on that 127.0.0.1 can listen on.

    Parameters
    ----------
    start : int, default 8888
        The first port tried; 0 lets the system pick any free port.
    tries : int, default 100
        How many consecutive ports to try.

    Returns
    -------
    int
        A port that was free a moment ago.

    Raises
    ------
    ValueError
        If ``start`` is not in 0..65535.
    RuntimeError
        If none of the ports tried is free.
    """
    if not 0 <= start <= 65535:
        raise ValueError(f"port must be in 0..65535; got {start}")
    for port in range(start, min(start + tries, 65536)) if start else [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in {start}..{start + tries - 1}; pass --port with another")


def lab_command(workspace: str | Path, port: int, open_browser: bool = True) -> list[str]:
    """Return the command that runs JupyterLab on ``HOST:port`` with ``workspace`` as its root.

    The token is not on the command line: :func:`run_lab` passes it in ``JUPYTER_TOKEN``. As
    root (a container, a CI machine) the server needs ``allow_root``; it listens on 127.0.0.1
    only, behind the token, either way.
    """
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(workspace)}",
            f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.open_browser={open_browser}", f"--ServerApp.allow_root={as_root}",
            *OFFLINE]


def run_lab(root: str | Path = ".", workspace: str | Path = "workspace", port: int = 8888,
            open_browser: bool = True, sync_only: bool = False) -> int:
    """Bring the workspace up to date, then run JupyterLab in it until it stops.

    Parameters
    ----------
    root : str or Path, default "."
        The book's folder (``chapters/``, ``exercises/``).
    workspace : str or Path, default "workspace"
        The learner's folder.
    port : int, default 8888
        The first port tried (0: any free port).
    open_browser : bool, default True
        Whether JupyterLab opens a browser window.
    sync_only : bool, default False
        Stop after bringing the workspace up to date.

    Returns
    -------
    int
        JupyterLab's exit status, or 0 with ``sync_only``.
    """
    actions = sync(root, workspace)
    for action in actions:
        print(action.describe())
    print(f"Your workspace: {Path(workspace).resolve()} ({len(actions)} notebook(s) copied or "
          "updated; files you changed are never overwritten)")
    if sync_only:
        return 0
    port = free_port(port)
    token = secrets.token_hex(24)
    print(f"\nJupyterLab: http://{HOST}:{port}/lab?token={token}\n"
          "Open that address in a browser (JupyterLab may open it for you); Ctrl-C stops it.\n",
          flush=True)
    # The environment's kernel (with mlp and bookkit) before any "python3" kernel of the user's.
    environment = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_PREFER_ENV_PATH": "1"}
    server = subprocess.Popen(lab_command(workspace, port, open_browser), env=environment)
    while True:
        try:
            return server.wait()
        except KeyboardInterrupt:  # JupyterLab got the same Ctrl-C: it asks, then stops or not
            continue
