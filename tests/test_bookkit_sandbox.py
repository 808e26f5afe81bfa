"""A worker that is not running answers like one that crashed: never with a Python error."""

import time

from bookkit.sandbox import Limits, Worker


def test_a_worker_without_a_process_reports_a_crash():
    worker = Worker("tests", Limits(), sandbox=False)
    for _ in range(2):  # before any start, and after kill() closed the (absent) pipes
        assert not worker.alive
        assert worker.receive(time.monotonic() + 1) == "crash"
        assert worker.receive(time.monotonic() + 1, raw=True) == "crash"
        assert worker.send({"run": "x"}) is False
        assert worker.send_line(b'{"run": "x"}') is False
        worker.kill()
