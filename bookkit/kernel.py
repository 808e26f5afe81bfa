"""Run code cells one at a time in a Jupyter kernel that survives time-outs and crashes.

Used by the stub check and the grader. Each cell runs under a time limit. A cell that runs
over it is interrupted; if the kernel then stays busy (the code swallows KeyboardInterrupt) or
the kernel dies (``os._exit``, a segfault, running out of memory), a fresh kernel is started and
the cells marked ``replay`` that had run before are run again, so that later cells find the
names they need.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

KERNEL = "python3"
TIMED_OUT = "CellTimeoutError"
PROBE = 3  # seconds an interrupted kernel gets to become idle again before it is replaced
_QUIET = logging.getLogger("bookkit.kernel")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass
class Outcome:
    """What happened when a cell ran.

    Attributes
    ----------
    status : {"ok", "error", "timeout", "crash"}
        ``"error"`` means the cell raised; ``"timeout"`` that it ran over its time limit;
        ``"crash"`` that the kernel died while running it.
    message : str
        ``"ExceptionName: first line of the message"`` for errors, a sentence otherwise.
    output : str
        The cell's printed output (stdout), e.g. the self-checks' "passed" lines.
    """

    status: str
    message: str = ""
    output: str = ""


def _outcome(cell: nbformat.NotebookNode, reply: dict | None) -> Outcome:
    stdout = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
    content = (reply or {}).get("content", {})
    if content.get("ename") == TIMED_OUT:
        return Outcome("timeout", content.get("evalue", ""), stdout)
    if reply is None or content.get("status") == "error":
        errors = [out for out in cell.outputs if out.output_type == "error"]
        name = content.get("ename") or (errors[0].ename if errors else "Error")
        value = content.get("evalue") or (errors[0].evalue if errors else "no reply")
        first = (value.strip().splitlines() or [""])[0]
        return Outcome("error", f"{name}: {first}" if first else name, stdout)
    return Outcome("ok", "", stdout)


class CellRunner:
    """A kernel that runs one cell at a time; use it as a context manager.

    Parameters
    ----------
    timeout : float
        Time limit of one cell, in seconds.
    cwd : str or Path, optional
        Working directory of the kernel; a fresh temporary folder by default.
    """

    def __init__(self, timeout: float = 30.0, cwd: str | Path | None = None) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
        self.timeout = timeout
        self._tmp = None if cwd is not None else tempfile.TemporaryDirectory(prefix="bookkit-")
        self.cwd = str(cwd if cwd is not None else self._tmp.name)
        self.restarts = 0
        self._replay: list[str] = []
        self._client: NotebookClient | None = None
        self._kernel: ExitStack | None = None
        self._reply: dict | None = None

    def __enter__(self) -> CellRunner:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def _start(self) -> None:
        nb = nbformat.v4.new_notebook()
        timeout = max(1, round(self.timeout))
        self._client = NotebookClient(
            nb, timeout=timeout, kernel_name=KERNEL, allow_errors=True,
            interrupt_on_timeout=True, startup_timeout=60, iopub_timeout=2, log=_QUIET,
            error_on_timeout={"ename": TIMED_OUT, "traceback": [],
                              "evalue": f"the cell ran longer than {timeout} s"},
            on_cell_executed=self._keep_reply, shutdown_kernel="immediate",
        )
        self._kernel = ExitStack()
        # the kernel's own output (not the cells' output, which comes over IOPub) is dropped:
        # code that writes to file descriptor 1 or 2 never reaches the caller's terminal
        self._kernel.enter_context(self._client.setup_kernel(
            cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def _keep_reply(self, execute_reply: dict | None = None, **_: object) -> None:
        self._reply = execute_reply

    def _stop(self) -> None:
        kernel, self._kernel, self._client = self._kernel, None, None
        if kernel is not None:
            kernel.close()

    def _execute(self, source: str, timeout: int | None = None) -> Outcome:
        assert self._client is not None
        limit = self._client.timeout
        self._client.timeout = timeout or limit
        cell = nbformat.v4.new_code_cell(source)
        self._client.nb.cells.append(cell)
        self._reply = None
        try:
            self._client.execute_cell(cell, len(self._client.nb.cells) - 1)
        except DeadKernelError:
            return Outcome("crash", "the kernel died (os._exit, a crash or out of memory)")
        finally:
            self._client.timeout = limit
        return _outcome(cell, self._reply)

    def _restart(self) -> None:
        self._stop()
        self._start()
        self.restarts += 1
        for source in self._replay:
            if self._execute(source).status in ("timeout", "crash"):
                self._stop()
                self._start()

    def run(self, source: str, replay: bool = False) -> Outcome:
        """Run one cell and return its outcome; the kernel is usable again afterwards.

        Parameters
        ----------
        source : str
            The code.
        replay : bool
            Run this cell again after a restart if it finished (passed or raised).

        Returns
        -------
        Outcome
        """
        outcome = self._execute(source)
        if outcome.status == "crash" or (
            outcome.status == "timeout" and self._execute("pass", PROBE).status != "ok"
        ):
            self._restart()
        elif replay:
            self._replay.append(source)
        return outcome
