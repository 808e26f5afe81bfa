"""Saving a network to an ``.npz`` file of plain arrays and reading it back (never pickle)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import activations as act

if TYPE_CHECKING:
    from .network import MLP


def save_network(net: MLP, path: Any) -> None:
    """Write ``net`` to ``path``: sizes, activation names and slopes, dtype, dropout rates, W1, b1,
    ..., WL, bL.

    Raises
    ------
    ValueError
        If an activation is not one of the built-in kinds (it could not be stored by name).
    """
    for g in net.activations:
        if type(g) is not type(act.ACTIVATIONS.get(g.name)):
            raise ValueError(f"only built-in activations can be saved; got {g!r}")
    np.savez(
        path,
        sizes=np.array(net.sizes),
        activations=np.array([g.name for g in net.activations]),
        slopes=np.array([getattr(g, "slope", 0.0) for g in net.activations]),
        dtype=np.array(net.dtype.name),
        dropout=np.array(net.dropout, dtype=np.float64),
        **dict(zip(_keys(net.n_layers), net.parameters(), strict=True)),
    )


def load_network(cls: type[MLP], path: Any) -> MLP:
    """Read a network written by ``save_network`` (``np.load`` with ``allow_pickle=False``).

    Raises
    ------
    ValueError
        If the file lacks an entry or an array has the wrong shape.
    """
    with np.load(path, allow_pickle=False) as data:
        try:
            names, slopes = data["activations"].tolist(), data["slopes"].tolist()
            acts = [
                act.LeakyReLU(s) if n == "leaky_relu" else n
                for n, s in zip(names, slopes, strict=True)
            ]
            # files written before dropout existed have no rates: no dropout
            rates = data["dropout"].tolist() if "dropout" in data.files else 0.0
            net = cls(data["sizes"].tolist(), acts[:-1], acts[-1], _zeros, None, str(data["dtype"]),
                      dropout=rates)
            for key, p in zip(_keys(net.n_layers), net.parameters(), strict=True):
                if data[key].shape != p.shape:
                    raise ValueError(f"{key} has shape {data[key].shape}; expected {p.shape}")
                p[...] = data[key]
        except KeyError as error:
            raise ValueError(f"{path} is not a saved MLP: {error}") from error
    return net


def _keys(n_layers: int) -> list[str]:
    """The .npz keys of the parameters: ["W1", "b1", ..., "WL", "bL"]."""
    return [f"{kind}{l}" for l in range(1, n_layers + 1) for kind in "Wb"]


def _zeros(n_out: int, n_in: int, rng: np.random.Generator, dtype: Any) -> np.ndarray:
    """An initializer for ``load_network``, which overwrites every weight anyway."""
    return np.zeros((n_out, n_in), dtype=dtype)
