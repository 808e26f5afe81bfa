"""Start the grader's worker processes, each in its own bubblewrap sandbox.

A sandbox (Debian's ``bubblewrap``, ``bwrap``) gives its process new PID, network, IPC and UTS
namespaces and a mount namespace that holds only a read-only view of the system's programs, the
Python environment and the two packages ``mlp`` and ``bookkit``, plus an empty private ``/tmp``.
The exercise sources, the submissions, the outputs and the grader's own process are not in it.
Its only channel to the grader is a pair of pipes. Resource limits (memory, processes, file
size, CPU time, open files) are set with ``prlimit``; when the grader runs as root, the
process also drops to an unprivileged user of its own (``setpriv``), so that the process limit
counts only the sandbox's processes. Killing the sandbox's process group ends the PID
namespace, and with it every process the learner's code started.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bookkit
import mlp

LAUNCH = "import sys; from bookkit.worker import main; main(sys.argv[1:])"
MAX_MESSAGE = 64 * 2**20
FIRST_UID = 61000  # unprivileged user ids used for sandboxes when the grader runs as root
SYSTEM_DIRS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin")


class SandboxError(RuntimeError):
    """The sandbox cannot be started (bubblewrap missing or refused)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process.

    Attributes
    ----------
    memory : int
        Address space, bytes.
    processes : int
        Processes and threads of the sandbox's user (enforced when the grader runs as root).
    file_size : int
        Largest file the process may write, bytes.
    cpu : int
        CPU seconds of the process.
    open_files : int
        File descriptors.
    """

    memory: int = 4 * 2**30
    processes: int = 64
    file_size: int = 64 * 2**20
    cpu: int = 600
    open_files: int = 256


def bwrap_path() -> str | None:
    """Path of ``bwrap``, or None if bubblewrap is not installed."""
    return shutil.which("bwrap")


def _read_only_paths() -> list[str]:
    """What the sandbox may read: the system, the Python environment, mlp and bookkit."""
    paths = [p for p in SYSTEM_DIRS if os.path.isdir(p) and not os.path.islink(p)]
    paths += [sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix),
              str(Path(mlp.__file__).parent), str(Path(bookkit.__file__).parent)]
    paths += [p for p in ("/etc/ld.so.cache", "/etc/localtime") if os.path.exists(p)]
    chosen: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path == c or path.startswith(c.rstrip("/") + "/") for c in chosen):
            chosen.append(path)
    return chosen


def bwrap_arguments(as_root: bool) -> list[str]:
    """The ``bwrap`` options, up to and including ``--``."""
    args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if not as_root:
        args.insert(0, "--unshare-user")
    # /tmp first: a checkout or environment that lives under /tmp is bound on top of it below
    args += ["--perms", "1777", "--tmpfs", "/tmp"]
    made: set[str] = {"/", "/tmp"}
    for link in SYSTEM_DIRS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
            made.add(link)
    for path in _read_only_paths():
        parents = [str(p) for p in reversed(Path(path).parents) if str(p) not in made]
        for parent in parents:
            args += ["--perms", "0755", "--dir", parent]
            made.add(parent)
        args += ["--ro-bind", path, path]
        made.add(path)
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--dir", "/tmp/work", "--chdir", "/tmp/work"]
    if as_root:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*args, "--"]


def _limits_prefix(limits: Limits, uid: int | None) -> list[str]:
    prefix = []
    if uid is not None:
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                  "--inh-caps=-all", "--bounding-set=-all"]
    options = [f"--as={limits.memory}", f"--fsize={limits.file_size}", f"--cpu={limits.cpu}",
               f"--nofile={limits.open_files}", "--core=0"]
    if uid is not None:
        options.append(f"--nproc={limits.processes}")
    return [*prefix, "prlimit", *options, "--"]


ENVIRONMENT = {"PATH": "/usr/bin:/bin", "HOME": "/tmp/work", "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": "/tmp/mpl", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
               "PYTHONHASHSEED": "0"}


class Worker:
    """One sandboxed worker process (``learner`` or ``tests``) and its pipes.

    Parameters
    ----------
    role : {"learner", "tests"}
        Which side of :mod:`bookkit.worker` to run.
    limits : Limits
        Its resource limits.
    slot : int
        Index of the grading job, which picks the unprivileged user id when running as root.
    sandbox : bool
        False runs the worker without bubblewrap (resource limits still apply).
    """

    def __init__(self, role: str, limits: Limits, slot: int = 0, sandbox: bool = True) -> None:
        self.role, self.limits, self.slot, self.sandbox = role, limits, slot, sandbox
        self._process: subprocess.Popen | None = None
        self._buffer = b""
        self._to: int | None = None
        self._from: int | None = None

    def command(self, read_fd: int, write_fd: int) -> list[str]:
        """The full command line of the worker."""
        python = [sys.executable, "-I", "-c", LAUNCH, self.role, str(read_fd), str(write_fd)]
        as_root = os.geteuid() == 0
        uid = FIRST_UID + self.slot if as_root and self.sandbox else None
        inner = [*_limits_prefix(self.limits, uid), *python]
        if not self.sandbox:
            return inner
        bwrap = bwrap_path()
        if bwrap is None:
            raise SandboxError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
        return [bwrap, *bwrap_arguments(as_root), *inner]

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the process; a running one is killed first."""
        self.kill()
        child_read, self._to = os.pipe()
        self._from, child_write = os.pipe()
        env = dict(ENVIRONMENT)
        if not self.sandbox:
            env["PYTHONPATH"] = os.pathsep.join(
                str(Path(m.__file__).parent.parent) for m in (mlp, bookkit))
        try:
            self._process = subprocess.Popen(
                self.command(child_read, child_write), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                pass_fds=(child_read, child_write), start_new_session=True,
                cwd="/tmp" if self.sandbox else None)
        finally:
            os.close(child_read)
            os.close(child_write)
        self._buffer = b""

    def send(self, message: dict) -> bool:
        """Write one message; False if the process is gone."""
        return self.send_line(json.dumps(message).encode("utf-8", "surrogatepass"))

    def send_line(self, line: bytes) -> bool:
        """Write one message received from the other worker, unread; False if the process is
        gone (or was never started)."""
        if self._to is None:
            return False
        try:
            view = memoryview(line + b"\n")
            while view:
                view = view[os.write(self._to, view):]
        except OSError:  # BrokenPipeError included: the process is gone
            return False
        return True

    def receive(self, deadline: float, raw: bool = False) -> dict | bytes | str:
        """One message, or ``"timeout"`` at ``deadline`` (``time.monotonic()``), ``"crash"``
        if the process died or sent something that is not one JSON object per line.

        With ``raw``, the message's line is returned unread (bytes), for relaying to the other
        worker, which reads it.
        """
        if self._from is None:  # never started, or killed: there is nothing to read
            return "crash"
        chunks, size = [self._buffer], len(self._buffer)
        while b"\n" not in chunks[-1]:
            left = deadline - time.monotonic()
            if left <= 0:
                self._buffer = b"".join(chunks)
                return "timeout"
            ready, _, _ = select.select([self._from], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from, 2**20)
            size += len(chunk)
            if not chunk or size > MAX_MESSAGE:
                return "crash"
            chunks.append(chunk)
        line, _, self._buffer = b"".join(chunks).partition(b"\n")
        if raw:
            return line
        try:
            message = json.loads(line)
        except ValueError:
            return "crash"
        return message if isinstance(message, dict) else "crash"

    def kill(self) -> None:
        """Kill the process and everything it started; close the pipes."""
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process.wait()
            self._process = None
        for fd in (self._to, self._from):
            if fd is not None:
                os.close(fd)
        self._to = self._from = None


def check_sandbox() -> None:
    """Start a sandboxed Python once and check that it is isolated.

    Raises
    ------
    SandboxError
        If bubblewrap is missing or the sandbox does not start.
    """
    worker = Worker("tests", Limits(), slot=0)
    worker.start()
    try:
        worker.send({"op": "run", "code": "pass"})
        reply = worker.receive(time.monotonic() + 60)
    finally:
        worker.kill()
    if not isinstance(reply, dict) or reply.get("status") != "ok":
        raise SandboxError(
            f"the bubblewrap sandbox did not start ({reply}); check that "
            "`bwrap --ro-bind / / --unshare-pid --unshare-net true` works here, and that "
            f"`{sys.executable} -I -c 'import bookkit'` imports bookkit (an editable install that "
            "points into another checkout does not: reinstall with `make env`)")
