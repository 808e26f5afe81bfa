"""One grading session: the learner's process and the tests' process, and the grader between.

The grader starts both workers (:mod:`bookkit.worker`) in their own sandboxes and relays each
call of a learner's function from the tests' process to the learner's, with the time that the
test cell has left. A learner's process that runs over the time or dies is killed, and started
again (its earlier cells run again) only when a later cell needs it; the whole notebook has a
time limit of its own, which bounds the cost of restarts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bookkit.sandbox import Limits, Worker

GRACE = 10.0  # seconds the tests' process gets to report after the learner's was stopped


@dataclass
class Outcome:
    """What happened when a cell ran: status ``ok``, ``error``, ``timeout`` or ``crash``."""

    status: str
    message: str = ""


@dataclass
class Settings:
    """How to grade.

    Attributes
    ----------
    timeout : float
        Seconds per cell (a solution cell, or a test cell with the learner's calls it makes).
    notebook_timeout : float
        Seconds for a whole notebook, restarts included.
    limits : Limits
        Resource limits of each sandboxed process.
    sandbox : bool
        Run the workers in bubblewrap (False only with the command line's loud flag).
    secret : int or None
        Grading seed for the hidden tests' random inputs.
    """

    timeout: float = 30.0
    notebook_timeout: float = 300.0
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    secret: int | None = None


class Session:
    """A learner's process and a tests' process for one submission; a context manager."""

    def __init__(self, settings: Settings, slot: int = 0) -> None:
        self.settings = settings
        self.learner = Worker("learner", settings.limits, slot, settings.sandbox)
        self.tests = Worker("tests", settings.limits, slot, settings.sandbox)
        self.deadline = time.monotonic() + settings.notebook_timeout
        self._learner_cells: list[tuple[str, str, bool]] = []
        self._test_cells: list[tuple[str, str]] = []
        self.restarts = 0

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.learner.kill()
        self.tests.kill()

    @property
    def out_of_time(self) -> bool:
        """True once the notebook's time limit has passed."""
        return time.monotonic() >= self.deadline

    def _limit(self) -> float:
        return min(time.monotonic() + self.settings.timeout, self.deadline)

    def _learner_run(self, code: str, name: str, plain: bool) -> Outcome:
        self.learner.send({"op": "run", "code": code, "name": name, "plain": plain})
        reply = self.learner.receive(self._limit())
        if isinstance(reply, str):
            self.learner.kill()
            return Outcome(reply, _STOPPED[reply].format(self.settings.timeout))
        status = reply.get("status")
        return Outcome("ok" if status == "ok" else "error", str(reply.get("message", ""))[:2000])

    def _ensure_learner(self) -> bool:
        if self.learner.alive:
            return True
        if self.out_of_time:
            return False
        self.learner.start()
        if self._learner_cells:
            self.restarts += 1
        for cell in list(self._learner_cells):
            if self._learner_run(*cell).status in ("timeout", "crash"):
                self._learner_cells.remove(cell)
                if not self.learner.alive:
                    self.learner.start()
        return True

    def run_learner(self, code: str, name: str, plain: bool = False) -> Outcome:
        """Run a cell in the learner's process (kept for replay unless it timed out or died).

        ``plain`` marks a setup cell, whose classes and functions the tests' process shares.
        """
        if not self._ensure_learner():
            return Outcome("timeout", self._late())
        outcome = self._learner_run(code, name, plain)
        if outcome.status in ("ok", "error"):
            self._learner_cells.append((code, name, plain))
        return outcome

    def _ensure_tests(self) -> None:
        if self.tests.alive:
            return
        self.tests.start()
        for code, name in self._test_cells:
            self._tests_run(code, name, [], plain=True)

    def run_tests(self, code: str, name: str, proxies: list[str], plain: bool = False) -> Outcome:
        """Run a cell in the tests' process, relaying its calls of the learner's functions.

        ``plain`` marks a setup cell: it is run again if the tests' process is replaced.
        """
        if self.out_of_time:
            return Outcome("timeout", self._late())
        self._ensure_tests()
        outcome = self._tests_run(code, name, proxies, plain)
        if plain:
            self._test_cells.append((code, name))
        return outcome

    def _tests_run(self, code: str, name: str, proxies: list[str], plain: bool) -> Outcome:
        self.tests.send({"op": "run", "code": code, "name": name, "proxies": proxies,
                         "secret": self.settings.secret, "plain": plain})
        limit, learner_stopped = self._limit(), None
        while True:
            wait = limit + GRACE if learner_stopped else limit
            message = self.tests.receive(wait)
            if isinstance(message, str):
                self.tests.kill()
                if learner_stopped:
                    return learner_stopped
                if message == "timeout" and self.out_of_time:
                    return Outcome("timeout", self._late())
                return Outcome(message, _STOPPED[message].format(self.settings.timeout))
            if message.get("op") == "done":
                status = message.get("status")
                if learner_stopped is not None:
                    return learner_stopped
                return Outcome(status if status in _STOPPED or status == "error" else "ok",
                               str(message.get("message", ""))[:2000])
            reply = self._relay(message, limit)
            if isinstance(reply, bytes):  # the learner's answer, read only by the tests
                self.tests.send_line(reply)
            else:
                learner_stopped = Outcome(reply["status"], reply["message"])
                self.tests.send(reply)

    def _relay(self, message: dict, limit: float) -> dict | bytes:
        if not self._ensure_learner():
            return {"status": "timeout", "message": self._late()}
        self.learner.send(message)
        reply = self.learner.receive(limit, raw=True)
        if isinstance(reply, str):
            self.learner.kill()
            if reply == "timeout" and self.out_of_time:
                return {"status": "timeout", "message": self._late()}
            return {"status": reply, "message": _STOPPED[reply].format(self.settings.timeout)}
        return reply

    def _late(self) -> str:
        return (f"not run: the notebook ran over its time limit of "
                f"{self.settings.notebook_timeout:g} s")


_STOPPED = {"timeout": "the cell ran longer than {:g} s",
            "crash": "the learner's process died (os._exit, a crash, or out of memory)"}
