"""Plain values on the wire between the learner's process and the tests' process.

The learner's process sends its results as JSON built only from numbers, strings, booleans,
None, lists, tuples, dicts, numeric numpy arrays, and the attributes of objects whose class the
tests' process already trusts (a class of the library ``mlp`` or one defined by the notebook's
own setup cells), which it rebuilds without running any of the learner's code. An object the
tests passed in comes back as a reference to the tests' own object, so ``result is argument``
means what it says. Anything else travels as an opaque *handle* that the learner's process
resolves. Nothing it sends is ever unpickled or executed by the receiver: a result cannot carry
code, and ``__array__`` or ``__eq__`` tricks run only in the process that wrote them.

Examples
--------
>>> import numpy as np
>>> Decoder().decode(json.loads(json.dumps(Encoder().encode((1, np.arange(3.0), "a")))))
(1, array([0., 1., 2.]), 'a')
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np

MAX_DEPTH = 200
MAX_OBJECTS = 200_000
NUMERIC_KINDS = "biufc"


class WireError(ValueError):
    """A message that is not a well-formed plain value."""


def _array(value: np.ndarray) -> dict:
    data = np.array(value, copy=True, order="C")
    return {"t": "nd", "dtype": data.dtype.str, "shape": list(data.shape),
            "b64": base64.b64encode(data.tobytes()).decode("ascii")}


def shared_objects(value: Any, skip: Callable[[Any], bool] = lambda item: False) -> list[Any]:
    """Arrays, random generators and plain objects reachable from ``value``, each once.

    Both sides of a call walk the arguments in the same order, so the i-th object on one side
    is the i-th on the other: the learner's side refers to an argument by its index, and sends
    back the state of those it changed (an optimizer step, a generator that moved on).
    Objects for which ``skip`` is true (stand-ins for the other side's objects) are left out.
    """
    found: list[Any] = []
    seen: set[int] = set()
    stack = [value]
    while stack and len(found) < MAX_OBJECTS:
        item = stack.pop()
        if id(item) in seen or item is None or isinstance(item, bool | int | float | str) \
                or skip(item):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray | np.random.Generator):
            found.append(item)
        elif type(item) in (list, tuple):
            stack.extend(reversed(item))
        elif type(item) is dict:
            stack.extend(reversed(list(item.values())))
        elif _portable(type(item)):
            found.append(item)
            stack.extend(reversed(list(vars(item).values())))
    return found


def _portable(cls: type) -> bool:
    """Objects that can be rebuilt from their attributes alone (no __new__, no __slots__)."""
    return (cls.__new__ is object.__new__ and cls.__dictoffset__ != 0
            and not issubclass(cls, BaseException | type)
            and "<locals>" not in cls.__qualname__)


def fingerprint(item: Any) -> str:
    """A digest of an array's bytes or a generator's state (what a call may change)."""
    if isinstance(item, np.random.Generator):
        return json.dumps(item.bit_generator.state, sort_keys=True, default=str)
    if isinstance(item, np.ndarray):
        data = np.ascontiguousarray(item).view(np.uint8) if item.dtype.kind in NUMERIC_KINDS \
            else np.zeros(0, np.uint8)
        return hashlib.sha256(data.tobytes()).hexdigest() + str(item.shape)
    return ""


class Encoder:
    """Turns the learner's values into JSON (runs in the learner's process).

    Parameters
    ----------
    arguments : list, optional
        :func:`shared_objects` of the call's arguments, sent back as references.
    handles : dict of int to object, optional
        Receives each object sent as a handle.
    trusted : callable, optional
        ``trusted(cls)``: whether the tests' side can rebuild objects of ``cls`` (a class of
        ``mlp`` or of the notebook's setup cells); other objects become handles.
    """

    def __init__(self, arguments: list[Any] | None = None,
                 handles: dict[int, Any] | None = None,
                 trusted: Callable[[type], bool] | None = None) -> None:
        self.arguments = {id(item): index for index, item in enumerate(arguments or [])}
        self.handles = handles if handles is not None else {}
        self.trusted = trusted or (lambda cls: trusted_class(cls.__module__, cls.__qualname__)
                                   is cls)
        self._memo: dict[int, int] = {}
        self._kept: list[Any] = []

    def encode(self, value: Any, depth: int = 0) -> Any:
        """JSON-ready form of ``value``."""
        if value is None or isinstance(value, bool | str) or type(value) in (int, float):
            return value
        if id(value) in self.arguments:
            return {"t": "arg", "i": self.arguments[id(value)]}
        if isinstance(value, np.ndarray) and value.dtype.kind in NUMERIC_KINDS:
            return _array(value)
        if isinstance(value, np.generic) and np.dtype(type(value)).kind in NUMERIC_KINDS:
            return {**_array(np.asarray(value)), "t": "np"}
        if isinstance(value, np.dtype) and value.kind in NUMERIC_KINDS:
            return {"t": "dtype", "v": value.str}
        if depth >= MAX_DEPTH:
            return self._handle(value)
        if type(value) in (list, tuple):
            return {"t": type(value).__name__, "v": [self.encode(v, depth + 1) for v in value]}
        if type(value) is dict:
            return {"t": "dict", "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                       for k, v in value.items()]}
        if _portable(type(value)) and self.trusted(type(value)):
            if id(value) in self._memo:
                return {"t": "ref", "i": self._memo[id(value)]}
            self._memo[id(value)] = len(self._memo)
            self._kept.append(value)
            return {"t": "obj", "module": type(value).__module__,
                    "class": type(value).__qualname__, "id": self._memo[id(value)],
                    "state": self.state(value, depth)}
        return self._handle(value)

    def state(self, value: Any, depth: int = 0) -> list:
        """The attributes of a portable object, encoded."""
        return [[str(k), self.encode(v, depth + 1)] for k, v in vars(value).items()]

    def _handle(self, value: Any) -> dict:
        number = len(self.handles) + 1
        self.handles[number] = value
        try:
            text = repr(value)[:200]
        except Exception:  # noqa: BLE001 - a learner's __repr__ may raise anything
            text = f"<{type(value).__name__}>"
        return {"t": "handle", "id": number, "callable": callable(value), "repr": text}

    def sync(self, arguments: list[Any], before: list[str]) -> list[Any]:
        """States of the arguments' arrays, generators and objects; None where unchanged."""
        out: list[Any] = []
        for item, old in zip(arguments, before, strict=True):
            if isinstance(item, np.ndarray | np.random.Generator):
                out.append(None if fingerprint(item) == old else _state_of(item))
            else:
                out.append({"t": "attrs", "v": self.state(item)})
        return out


def _state_of(item: Any) -> Any:
    if isinstance(item, np.random.Generator):
        return {"t": "rng", "state": json.loads(json.dumps(item.bit_generator.state))}
    return _array(item) if item.dtype.kind in NUMERIC_KINDS else None


def _decode_array(data: dict) -> np.ndarray:
    dtype = np.dtype(str(data["dtype"]))
    shape = tuple(int(n) for n in data["shape"])
    if dtype.kind not in NUMERIC_KINDS or any(n < 0 for n in shape):
        raise WireError(f"not a numeric array: dtype {dtype}, shape {shape}")
    raw = base64.b64decode(data["b64"], validate=True)
    if len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


class Decoder:
    """Rebuilds values from :class:`Encoder`'s JSON (runs in the tests' process).

    Parameters
    ----------
    arguments : list, optional
        The tests' own :func:`shared_objects` of the call's arguments.
    classes : callable, optional
        ``classes(module, qualname)`` returns a class the tests trust, or None.
    make_handle : callable, optional
        Turns a handle record into the tests' view of a learner's object.
    """

    def __init__(self, arguments: list[Any] | None = None,
                 classes: Callable[[str, str], type | None] | None = None,
                 make_handle: Callable[[dict], Any] | None = None) -> None:
        self.arguments = arguments or []
        self.classes = classes or trusted_class
        self.make_handle = make_handle
        self._objects: dict[int, Any] = {}

    def decode(self, data: Any, depth: int = 0) -> Any:
        """Inverse of :meth:`Encoder.encode`.

        Raises
        ------
        WireError
            On anything that :class:`Encoder` does not write, or a class the tests do not trust.
        """
        if data is None or isinstance(data, bool | str) or type(data) in (int, float):
            return data
        if depth > MAX_DEPTH + 1 or not isinstance(data, dict):
            raise WireError(f"unexpected {type(data).__name__} in a result")
        kind = data.get("t")
        try:
            return self._decode(kind, data, depth)
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise WireError(f"malformed {kind} in a result ({err})") from None

    def _decode(self, kind: Any, data: dict, depth: int) -> Any:
        if kind in ("nd", "np"):
            array = _decode_array(data)
            return array[()] if kind == "np" else array
        if kind in ("list", "tuple"):
            items = [self.decode(v, depth + 1) for v in data["v"]]
            return tuple(items) if kind == "tuple" else items
        if kind == "dict":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in data["v"]}
        if kind == "arg":
            return self.arguments[int(data["i"])]
        if kind == "dtype":
            dtype = np.dtype(str(data["v"]))
            if dtype.kind not in NUMERIC_KINDS:
                raise WireError(f"not a numeric dtype: {dtype}")
            return dtype
        if kind == "ref":
            return self._objects[int(data["i"])]
        if kind == "obj":
            cls = self.classes(str(data["module"]), str(data["class"]))
            if cls is None or not _portable(cls):
                raise WireError(f"an object of class {str(data['class'])[:80]} cannot be sent")
            obj = object.__new__(cls)
            self._objects[int(data["id"])] = obj
            obj.__dict__.update(self.attributes(data["state"], depth))
            return obj
        if kind == "handle" and self.make_handle is not None:
            return self.make_handle({"id": int(data["id"]), "callable": bool(data["callable"]),
                                     "repr": str(data["repr"])[:200]})
        raise WireError(f"unknown value kind {str(kind)[:40]!r} in a result")

    def attributes(self, state: list, depth: int = 0) -> dict[str, Any]:
        """Decode an object's attribute list."""
        return {str(name): self.decode(value, depth + 1) for name, value in state}

    def restore(self, item: Any, state: Any) -> None:
        """Write the learner's side's state of an argument back into the tests' own object."""
        if state is None:
            return
        if isinstance(item, np.random.Generator):
            wanted, got = item.bit_generator.state, state.get("state")
            if state.get("t") != "rng" or not isinstance(got, dict) or \
                    got.get("bit_generator") != wanted["bit_generator"]:
                raise WireError("expected a generator state of the same kind")
            item.bit_generator.state = got
        elif isinstance(item, np.ndarray):
            array = _decode_array(state)
            if array.shape == item.shape and item.flags.writeable:
                item[...] = array.astype(item.dtype, copy=False)
        elif state.get("t") == "attrs":
            item.__dict__.update(self.attributes(state["v"]))


def trusted_class(module: str, qualname: str) -> type | None:
    """A class of the library ``mlp``, found by module and name (never anything else)."""
    if (module != "mlp" and not module.startswith("mlp.")) or not qualname.isidentifier():
        return None
    try:
        cls = getattr(importlib.import_module(module), qualname, None)
    except ImportError:
        return None
    return cls if isinstance(cls, type) else None
