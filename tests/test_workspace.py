"""Tests for mlp._workspace: arrays reused per batch size, never shared between sizes."""

import numpy as np

from mlp._workspace import Workspace


def test_the_same_array_comes_back_for_the_same_name_layer_and_batch_size():
    ws = Workspace([3, 4, 2], np.dtype(np.float32))
    z = ws.array("z", 1, 5)
    assert z.shape == (5, 4) and z.dtype == np.float32
    assert ws.array("z", 1, 5) is z
    others = [ws.array("a", 1, 5), ws.array("z", 2, 5), ws.array("z", 1, 6)]
    assert not any(np.shares_memory(z, other) for other in others)


def test_a_third_batch_size_drops_the_oldest_and_clear_drops_all():
    ws = Workspace([3, 4, 2], np.dtype(np.float64), keep=2)
    first, second = ws.array("z", 1, 5), ws.array("z", 1, 6)
    ws.array("z", 1, 7)  # drops m = 5, keeps m = 6
    assert ws.array("z", 1, 6) is second and ws.array("z", 1, 5) is not first
    ws.clear()
    assert ws.array("z", 1, 6) is not second


def test_forward_and_backward_arrays_have_the_layer_shapes():
    ws = Workspace([3, 4, 5, 2], np.dtype(np.float64))
    assert [(z.shape, a.shape) for z, a in ws.forward_arrays(7)] == [
        ((7, 4), (7, 4)), ((7, 5), (7, 5)), ((7, 2), (7, 2))
    ]
    deltas, slopes = ws.backward_arrays(7)
    assert deltas[0] is None and slopes[0] is None
    assert [d.shape for d in deltas[1:]] == [s.shape for s in slopes[1:]] == [(7, 4), (7, 5)]


def test_flat_views_tile_one_buffer_and_flat_buffer_finds_it():
    from mlp._workspace import flat_buffer, flat_views

    views = flat_views([(2, 3), (2,), (1, 2), (1,)], np.float32)
    buffer = flat_buffer(views)
    assert buffer is not None and buffer.size == 11 and buffer.dtype == np.float32
    buffer[...] = np.arange(11)
    assert views[1].tolist() == [6, 7] and views[3].tolist() == [10]
    assert flat_buffer(views[::-1]) is None  # another order
    assert flat_buffer(views[:2]) is None  # does not cover the buffer
    assert flat_buffer([np.zeros((2, 3)), np.zeros(2)]) is None  # separate arrays
    whole = np.zeros(8)
    assert flat_buffer([whole[0:8:2], whole[1:8:2]]) is None  # strided views
    assert flat_buffer([whole[:3], whole[4:]]) is None  # a gap
