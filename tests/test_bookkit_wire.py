"""What the learner's process may send the tests' process: plain values only, rebuilt exactly."""

import json

import numpy as np
import pytest

from bookkit.wire import (
    Decoder,
    Encoder,
    WireError,
    fingerprint,
    shared_objects,
    trusted_class,
)
from mlp import MLP
from mlp.schedules import InverseTimeDecay


def _round_trip(value, arguments=None, mine=None):
    message = json.loads(json.dumps(Encoder(arguments).encode(value)))
    return Decoder(mine if mine is not None else arguments).decode(message)


def test_plain_values_come_back_with_their_types():
    value = (1, 2.5, "a", None, True, [np.float32(1.5), np.int64(3)], {"k": np.arange(3)},
             np.array(4.0), np.dtype(np.float32))
    back = _round_trip(value)
    assert type(back) is tuple and type(back[5]) is list
    assert type(back[5][0]) is np.float32 and type(back[5][1]) is np.int64
    np.testing.assert_array_equal(back[6]["k"], np.arange(3))
    assert back[7].shape == () and back[7] == 4.0   # a 0-d array stays 0-d
    assert back[8] == np.dtype(np.float32)


def test_library_objects_are_rebuilt_and_others_become_handles():
    net = MLP([2, 3, 1], seed=0)
    back = _round_trip([InverseTimeDecay(0.5, k=0.01), net])
    assert type(back[0]) is InverseTimeDecay and back[0](10) == InverseTimeDecay(0.5, k=0.01)(10)
    np.testing.assert_array_equal(back[1].weights[0], net.weights[0])
    handles = {}
    record = Encoder(handles=handles).encode(lambda t: t)
    assert record["t"] == "handle" and record["callable"] and handles[record["id"]](3) == 3
    with pytest.raises(WireError, match="unknown value kind 'handle'"):
        Decoder().decode(record)


def test_arguments_come_back_as_the_tests_own_objects():
    x, theirs = np.ones(2), np.ones(2)
    assert _round_trip((x, 1), [x], [theirs])[0] is theirs


def test_a_result_cannot_carry_code_or_untrusted_classes():
    with pytest.raises(WireError, match="not a numeric array: dtype object"):
        Decoder().decode({"t": "nd", "dtype": "|O", "shape": [1], "b64": ""})
    with pytest.raises(WireError, match="array data does not match its shape"):
        Decoder().decode({"t": "nd", "dtype": "<f8", "shape": [2], "b64": "AAAAAAAAAAA="})
    with pytest.raises(WireError, match="an object of class Popen cannot be sent"):
        Decoder().decode({"t": "obj", "module": "subprocess", "class": "Popen", "id": 0,
                          "state": []})
    with pytest.raises(WireError, match="unexpected list in a result"):
        Decoder().decode([1, 2])
    with pytest.raises(WireError, match="not a numeric dtype"):
        Decoder().decode({"t": "dtype", "v": "|O"})
    assert trusted_class("os", "system") is None and trusted_class("mlp", "MLP") is MLP


def test_changed_arguments_are_written_back_in_place():
    x, rng = np.zeros(3), np.random.default_rng(0)
    mine, my_rng = x.copy(), np.random.default_rng(0)
    arguments = shared_objects(([mine], my_rng))
    assert arguments[0] is mine and arguments[1] is my_rng
    encoder = Encoder(arguments)
    before = [fingerprint(item) for item in arguments]
    mine += 1.0
    my_rng.random()
    states = json.loads(json.dumps(encoder.sync(arguments, before)))
    decoder = Decoder(shared_objects(([x], rng)))
    for item, state in zip([x, rng], states, strict=True):
        decoder.restore(item, state)
    np.testing.assert_array_equal(x, np.ones(3))
    assert rng.random() == my_rng.random()
