"""A fair, seeded comparison of optimizers on the digits, shared by chapters 11, 12 and 14.

Every method (SGD, momentum, Nesterov, Adam, AdamW) is trained with and without a schedule
(constant rate, cosine annealing to zero), at every learning rate of one common grid, from five
seeds (each seed sets the initial weights and the order of the mini-batches; the data split is
fixed). A method's rate is tuned on the validation set: the rate with the lowest mean final
validation loss over the seeds. The test set is only reported.

The full study takes a few minutes, too long for a chapter, so this script writes its results to
``mlp/data/optimizer_study.npz`` and the chapters load that file. ``tests/test_optimizer_study.py``
checks the file against this script: the same configuration, and one run regenerated.

Run ``.venv/bin/python benchmarks/optimizer_study.py`` to regenerate the file: 400 runs of 20
epochs, about 4 minutes of CPU time (17 minutes on two cores shared with other jobs).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from mlp import MLP, train
from mlp.data import load_digits, train_test_split
from mlp.optimizers import SGD, Adam, AdamW, Momentum, Nesterov
from mlp.schedules import Constant, CosineAnnealing

PATH = Path(__file__).resolve().parents[1] / "mlp" / "data" / "optimizer_study.npz"

CONFIG: dict[str, Any] = {
    "methods": ["SGD", "Momentum", "Nesterov", "Adam", "AdamW"],
    "schedules": ["constant", "cosine"],
    "rates": [float(r) for r in np.geomspace(1e-3, 10**0.5, 8)],  # half-decades, for every method
    "seeds": [0, 1, 2, 3, 4],
    "epochs": 20,
    "batch_size": 32,
    "sizes": [64, 32, 10],
    "activation": "tanh",
    "momentum": 0.9,
    "weight_decay": 0.1,
}


def make_optimizer(method: str, lr: float, config: dict[str, Any] = CONFIG) -> Any:
    """Return a fresh optimizer of the named method at learning rate ``lr``.

    Parameters
    ----------
    method : str
        One of ``config["methods"]``.
    lr : float
        The (initial) learning rate.
    config : dict, optional
        The study's configuration (for momentum's beta and AdamW's weight decay).

    Returns
    -------
    optimizer : object with ``step(params, grads)``

    Raises
    ------
    ValueError
        If ``method`` is not one of the study's methods.
    """
    beta, decay = config["momentum"], config["weight_decay"]
    factories = {
        "SGD": lambda: SGD(lr),
        "Momentum": lambda: Momentum(lr, beta),
        "Nesterov": lambda: Nesterov(lr, beta),
        "Adam": lambda: Adam(lr),
        "AdamW": lambda: AdamW(lr, weight_decay=decay),
    }
    if method not in factories:
        raise ValueError(f"method must be one of {sorted(factories)}; got {method!r}")
    return factories[method]()


def load_data() -> dict[str, np.ndarray]:
    """The digits, pixels divided by 16, split 60/20/20 into training, validation and test sets."""
    X, y = load_digits()
    X_train, X_rest, y_train, y_rest = train_test_split(X / 16, y, test_size=0.4, seed=0)
    X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, seed=1)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val,
            "X_test": X_test, "y_test": y_test}


def run_one(method: str, schedule: str, lr: float, seed: int, data: dict[str, np.ndarray],
            config: dict[str, Any] = CONFIG) -> tuple[np.ndarray, np.ndarray, float]:
    """Train one network; return its per-epoch training and validation losses and test accuracy.

    Parameters
    ----------
    method, schedule : str
        One of ``config["methods"]`` and one of ``config["schedules"]``.
    lr : float
        The initial learning rate.
    seed : int
        Sets the initial weights and the shuffling.
    data : dict of ndarray
        As returned by :func:`load_data`.
    config : dict, optional
        The study's configuration.

    Returns
    -------
    train_loss, val_loss : ndarray of shape (epochs,)
        NaN after the epoch at which a run diverged.
    test_accuracy : float
        NaN for a diverged run.
    """
    epochs = config["epochs"]
    plan = {"constant": Constant(lr), "cosine": CosineAnnealing(lr, t_max=epochs)}[schedule]
    net = MLP(config["sizes"], activation=config["activation"], output="softmax", seed=seed)
    history = train(net, data["X_train"], data["y_train"], "cross_entropy",
                    make_optimizer(method, lr, config), epochs=epochs,
                    batch_size=config["batch_size"], schedule=plan, seed=seed,
                    validation=(data["X_val"], data["y_val"]), progress=False)
    losses = np.full((2, epochs), np.nan)
    finished = not history.diverged
    for row, values in enumerate((history.loss, history.val_loss)):
        values = np.asarray(values, dtype=float)[:epochs]
        losses[row, : len(values)] = values
    accuracy = np.nan
    if finished:
        accuracy = float(np.mean(net.predict(data["X_test"]).argmax(axis=1) == data["y_test"]))
    return losses[0], losses[1], accuracy


def run_study(config: dict[str, Any] = CONFIG) -> dict[str, np.ndarray]:
    """Run every (method, schedule, rate, seed) of ``config``; return the stacked results.

    Returns
    -------
    results : dict of ndarray
        ``train_loss`` and ``val_loss`` of shape (methods, schedules, rates, seeds, epochs),
        ``test_accuracy`` of shape (methods, schedules, rates, seeds), and ``config``, the
        configuration as a JSON string.
    """
    data = load_data()
    shape = tuple(len(config[k]) for k in ("methods", "schedules", "rates", "seeds"))
    train_loss = np.full(shape + (config["epochs"],), np.nan)
    val_loss = np.full_like(train_loss, np.nan)
    test_accuracy = np.full(shape, np.nan)
    for index in np.ndindex(shape):
        m, s, r, k = index
        train_loss[index], val_loss[index], test_accuracy[index] = run_one(
            config["methods"][m], config["schedules"][s], config["rates"][r],
            config["seeds"][k], data, config)
    return {"train_loss": train_loss, "val_loss": val_loss, "test_accuracy": test_accuracy,
            "config": np.array(json.dumps(config, sort_keys=True))}


def best_rates(val_loss: np.ndarray) -> np.ndarray:
    """Index of the tuned rate for each (method, schedule): the lowest mean final validation loss.

    Parameters
    ----------
    val_loss : ndarray of shape (methods, schedules, rates, seeds, epochs)

    Returns
    -------
    ndarray of int, shape (methods, schedules)
        A rate at which any seed diverged (NaN) never wins.
    """
    final = val_loss[..., -1].mean(axis=-1)  # NaN if any seed diverged
    return np.argmin(np.where(np.isnan(final), np.inf, final), axis=-1)


def main() -> None:
    """Run the study, write ``PATH`` and print the tuned results."""
    start = time.perf_counter()
    results = run_study()
    np.savez_compressed(PATH, **results)
    best = best_rates(results["val_loss"])
    print(f"wrote {PATH} in {time.perf_counter() - start:.0f} s")
    for m, method in enumerate(CONFIG["methods"]):
        for s, schedule in enumerate(CONFIG["schedules"]):
            r = best[m, s]
            final = results["val_loss"][m, s, r, :, -1]
            accuracy = results["test_accuracy"][m, s, r]
            print(f"{method:9} {schedule:9} lr {CONFIG['rates'][r]:.3g}: validation loss "
                  f"{final.mean():.4f} ± {final.std():.4f}, test accuracy "
                  f"{accuracy.mean():.3f} ± {accuracy.std():.3f}")


if __name__ == "__main__":
    main()
