"""The two processes of a grading: the learner's code, and the tests that judge it.

``python -c "import sys; from bookkit.worker import main; main(sys.argv[1:])" learner IN OUT``
(see :data:`bookkit.sandbox.LAUNCH`) runs a learner's cells and answers calls of their
functions; the same with ``tests`` runs the instructor's test cells, where each
name a solution cell defines is a proxy that asks the grader to call the learner's function.
Each process reads one JSON message per line on file descriptor IN and writes its replies on
OUT. The grader starts each in its own sandbox and relays between them, so the reference
values, the hidden tests and the comparisons live only in the tests' process; what the
learner's process sends back is plain data (:mod:`bookkit.wire`), never code or pickles.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import os
import sys
import traceback
import types
from typing import Any

import numpy as np

from bookkit.notebook import BEGIN_HIDDEN, END_HIDDEN
from bookkit.wire import (
    Decoder,
    Encoder,
    WireError,
    fingerprint,
    shared_objects,
    trusted_class,
)

MAX_MESSAGE = 64 * 2**20  # bytes in one line from the other side


class Channel:
    """One line of JSON in, one line out, over two file descriptors."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._in = os.fdopen(read_fd, "rb", buffering=2**16)
        self._out = write_fd

    def send(self, message: dict) -> None:
        data = (json.dumps(message, allow_nan=True) + "\n").encode("utf-8", "surrogatepass")
        view = memoryview(data)
        while view:
            view = view[os.write(self._out, view):]

    def receive(self) -> dict:
        line = self._in.readline(MAX_MESSAGE)
        if not line:
            raise SystemExit(0)
        return json.loads(line)


def first_line(err: BaseException) -> str:
    """``"ValueError: first line of the message"``, as the report shows it."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


# ---------------------------------------------------------------------------- learner's side

def defined_by(namespace: dict[str, Any], before: dict[str, int]) -> dict[str, Any]:
    """Classes and functions a cell just defined: names new or rebound since ``before``."""
    return {name: value for name, value in namespace.items()
            if before.get(name) != id(value) and getattr(value, "__module__", None) == "__main__"
            and (isinstance(value, type) or isinstance(value, types.FunctionType))}


def _shared(name: str) -> Any:
    """Unpickling hook: the learner's process's own copy of a setup cell's class or function."""
    return _LEARNER.resolve(_LEARNER.shared[name])


def _handle(number: int) -> Any:
    """Unpickling hook: the learner's object behind a handle the tests passed back."""
    return _LEARNER.resolve(_LEARNER.handles[number])


def _learner_name(name: str) -> Any:
    """Unpickling hook: the learner's own function a proxy stands for."""
    return _LEARNER.resolve(_LEARNER.namespace[name])


class _Learner:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.handles: dict[int, Any] = {}
        self.shared: dict[str, Any] = {}
        self.resolved: set[int] = set()

    def resolve(self, value: Any) -> Any:
        """Note an object that stands for one of the tests' stand-ins (never walked)."""
        self.resolved.add(id(value))
        return value

    def run(self, code: str, name: str, plain: bool) -> dict:
        before = {key: id(value) for key, value in self.namespace.items()}
        try:
            exec(compile(code, name, "exec"), self.namespace)  # noqa: S102 - the sandbox's job
        except BaseException as err:  # noqa: BLE001 - SystemExit included: report, go on
            return {"status": "error", "message": first_line(err)}
        finally:
            if plain:
                self.shared.update(defined_by(self.namespace, before))
        return {"status": "ok"}

    def _trusted(self, cls: type) -> bool:
        return trusted_class(cls.__module__, cls.__qualname__) is cls or \
            any(cls is value for value in self.shared.values())

    def _target(self, message: dict) -> Any:
        if message.get("handle") is not None:
            return self.handles[int(message["handle"])]
        name = str(message["name"])
        if name not in self.namespace:
            raise NameError(f"name '{name}' is not defined (the submission does not define it)")
        return self.namespace[name]

    def call(self, message: dict) -> dict:
        saved: dict[str, Any] = {}
        try:
            self.resolved = set()
            args, kwargs, overrides = _loads(message["payload"])
            for name, value in overrides.items():
                saved[name] = self.namespace.get(name)
                self.namespace[name] = value
            moving = shared_objects((args, kwargs), lambda item: id(item) in self.resolved)
            before = [fingerprint(item) for item in moving]
            value = self._apply(self._target(message), message, args, kwargs)
            encoder = Encoder(moving, self.handles, self._trusted)
            return {"status": "ok", "value": encoder.encode(value),
                    "sync": encoder.sync(moving, before)}
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the tests
            bases = [cls.__name__ for cls in type(err).__mro__]
            return {"status": "raised", "types": bases, "message": str(err)[:2000]}
        finally:
            self.namespace.update(saved)

    @staticmethod
    def _apply(target: Any, message: dict, args: tuple, kwargs: dict) -> Any:
        kind = message["kind"]
        if kind == "getattr":
            return getattr(target, str(message["attr"]))
        if kind == "len":
            return len(target)
        if kind == "getitem":
            return target[args[0]]
        if kind == "list":
            return list(target)
        return target(*args, **kwargs)


def _loads(payload: str) -> Any:
    import pickle

    return pickle.loads(base64.b64decode(payload))  # noqa: S301 - from the trusted tests


_LEARNER = _Learner()


def serve_learner(channel: Channel) -> None:
    """Answer ``run`` and ``call`` messages until the grader closes the pipe."""
    while True:
        message = channel.receive()
        if message.get("op") == "run":
            reply = _LEARNER.run(str(message["code"]), str(message.get("name", "<cell>")),
                                 bool(message.get("plain")))
        else:
            reply = _LEARNER.call(message)
        try:
            channel.send(reply)
        except (TypeError, ValueError, OverflowError) as err:
            channel.send({"status": "raised", "types": ["TypeError"],
                          "message": f"the result cannot be sent to the grader ({err})"})


# ------------------------------------------------------------------------------ tests' side

class LearnerTimeout(BaseException):  # noqa: N818 - not an Exception: test code must not catch it
    """The learner's code ran over the time limit; the test cell ends here."""


class LearnerCrash(BaseException):  # noqa: N818
    """The learner's process died (os._exit, a crash, out of memory)."""


class LearnerError(Exception):
    """An exception of the learner's own class, raised in the learner's process."""


def _exception(reply: dict) -> BaseException:
    types_ = [str(name) for name in reply.get("types", [])] or ["Exception"]
    message = str(reply.get("message", ""))
    for name in types_:
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            return cls(message) if name == types_[0] else LearnerError(f"{types_[0]}: {message}")
    return LearnerError(f"{types_[0]}: {message}")


class _Tests:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.shared: dict[str, Any] = {}

    def _class(self, module: str, qualname: str) -> type | None:
        if module == "__main__":
            cls = self.shared.get(qualname)
            return cls if isinstance(cls, type) else None
        return trusted_class(module, qualname)

    def _payload(self, args: tuple, kwargs: dict) -> str:
        import cloudpickle

        names = {id(value): name for name, value in self.shared.items()}
        overrides = {name: self.namespace[name] for name, value in self.shared.items()
                     if self.namespace.get(name, value) is not value}

        class Pickler(cloudpickle.Pickler):
            def reducer_override(self, obj: Any) -> Any:
                if id(obj) in names and isinstance(obj, type | types.FunctionType):
                    return _shared, (names[id(obj)],)
                return super().reducer_override(obj)

        buffer = io.BytesIO()
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 100_000))  # deep graphs (a 5000-step chain of Values)
        try:
            Pickler(buffer, protocol=5).dump((args, kwargs, overrides))
        finally:
            sys.setrecursionlimit(limit)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def request(self, message: dict, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        moving = shared_objects((args, kwargs), lambda item: isinstance(item, Remote | Proxy))
        self.channel.send({"op": "call", **message, "payload": self._payload(args, kwargs)})
        try:
            reply = self.channel.receive()
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise LearnerError("the learner's process sent a malformed result")
        status = reply.get("status")
        if status == "timeout":
            raise LearnerTimeout(str(reply.get("message", "")))
        if status == "crash":
            raise LearnerCrash(str(reply.get("message", "")))
        if status == "raised":
            raise _exception(reply)
        if status != "ok":
            raise LearnerError(f"the learner's process sent no result ({str(status)[:40]!r})")
        decoder = Decoder(moving, self._class, lambda record: Remote(self, record))
        states = reply.get("sync")
        if not isinstance(states, list) or len(states) != len(moving):
            raise WireError("the learner's process sent the arguments back malformed")
        for item, state in zip(moving, states, strict=True):
            decoder.restore(item, state)
        return decoder.decode(reply.get("value"))


class Remote:
    """The tests' view of an object that lives in the learner's process."""

    def __init__(self, tests: _Tests, record: dict) -> None:
        object.__setattr__(self, "_tests", tests)
        object.__setattr__(self, "_record", record)

    def _ask(self, kind: str, *args: Any, **extra: Any) -> Any:
        return self._tests.request({"handle": self._record["id"], "kind": kind, **extra}, args)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._record["callable"]:
            raise TypeError(f"'{self._record['repr']}' is not callable")
        return self._tests.request({"handle": self._record["id"], "kind": "call"}, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", attr=name)

    def __len__(self) -> int:
        value = self._ask("len")
        if type(value) is not int:
            raise TypeError("len() of the learner's object is not an int")
        return value

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key)

    def __iter__(self):  # noqa: ANN204
        return iter(self._ask("list"))

    def __repr__(self) -> str:
        return self._record["repr"]

    def __reduce__(self) -> tuple:
        return _handle, (self._record["id"],)


class Proxy:
    """A name defined by a solution cell: calling it calls the learner's function."""

    def __init__(self, tests: _Tests, name: str) -> None:
        self._tests, self.__name__ = tests, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._tests.request({"name": self.__name__, "kind": "call"}, args, kwargs)

    def __repr__(self) -> str:
        return f"<learner's {self.__name__}>"

    def __reduce__(self) -> tuple:
        return _learner_name, (self.__name__,)


def _with_secret(code: str, secret: int | None) -> str:
    """Make each hidden-test region draw its random inputs from the secret grading seed."""
    if secret is None:
        return code
    lines = code.split("\n")
    for number, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip())]
        if line.strip() == BEGIN_HIDDEN:
            lines[number] = f"{indent}__bookkit_secret__.enter(globals())"
        elif line.strip() == END_HIDDEN:
            lines[number] = f"{indent}__bookkit_secret__.leave()"
    return "\n".join(lines)


class Secret:
    """While active, every random generator of the tests draws from the secret seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._original = np.random.default_rng

    def _rng(self, seed: Any = None) -> np.random.Generator:
        if isinstance(seed, np.random.Generator):
            return seed
        words = [] if seed is None else [int(s) for s in np.atleast_1d(seed)]
        return self._original(np.random.SeedSequence([self.seed, *words]))

    def enter(self, namespace: dict) -> None:
        np.random.default_rng = self._rng
        for index, (name, value) in enumerate(sorted(namespace.items())):
            if isinstance(value, np.random.Generator):
                fresh = self._original(np.random.SeedSequence([self.seed, index, len(name)]))
                value.bit_generator.state = fresh.bit_generator.state

    def leave(self) -> None:
        np.random.default_rng = self._original


def serve_tests(channel: Channel) -> None:
    """Run setup and test cells on the grader's request, with proxies for the learner's names."""
    tests = _Tests(channel)
    secret: Secret | None = None
    while True:
        message = channel.receive()
        for name in message.get("proxies", []):
            tests.namespace[str(name)] = Proxy(tests, str(name))
        seed = message.get("secret")
        if seed is not None and secret is None:
            secret = Secret(int(seed))
            tests.namespace["__bookkit_secret__"] = secret
        code = _with_secret(str(message["code"]), secret.seed if secret else None)
        before = {key: id(value) for key, value in tests.namespace.items()}
        try:
            exec(compile(code, str(message.get("name", "<cell>")), "exec"), tests.namespace)  # noqa: S102
            reply = {"op": "done", "status": "ok", "message": ""}
        except LearnerTimeout as err:
            reply = {"op": "done", "status": "timeout", "message": str(err)}
        except LearnerCrash as err:
            reply = {"op": "done", "status": "crash", "message": str(err)}
        except Exception as err:  # noqa: BLE001 - a failing test is a result, not a crash
            reply = {"op": "done", "status": "error", "message": first_line(err)}
            if message.get("debug"):
                reply["traceback"] = traceback.format_exc()
        finally:
            if secret is not None:
                secret.leave()
            if message.get("plain"):
                tests.shared.update(defined_by(tests.namespace, before))
        channel.send(reply)


def main(argv: list[str]) -> None:
    """``python -m bookkit.worker learner|tests IN_FD OUT_FD``."""
    role, read_fd, write_fd = argv[0], int(argv[1]), int(argv[2])
    channel = Channel(read_fd, write_fd)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - input() in a cell must not wait forever
    if role == "learner":
        serve_learner(channel)
    else:
        serve_tests(channel)


