"""Training throughput of one step of mlp (forward, backward, Adam update) against its GEMMs.

Model 784-256-128-10, ReLU, softmax + cross-entropy, Adam; batches 32, 128, 512; float32 and
float64. For each setting, three contenders are timed in turns (interleaved, after a warm-up):

- ``mlp``: ``net.loss_and_grad(X, y, "cross_entropy", out=grads)`` then ``opt.step(params, grads)``;
- ``gemm``: the same step's matrix products alone, on arrays of the same shapes and layouts (3
  forward, 3 weight gradients, 2 back-propagated deltas): the limit for this machine's BLAS;
- ``torch``: the same model and step in PyTorch on the CPU, if ``torch`` can be imported.

Throughput is reported as examples/s and as GFLOP/s with the usual nominal count of
6 m sum_l n_l n_(l-1) flops per step (2 m sum for the forward pass, 4 m sum for the backward).
Every ratio compares medians taken in the same run. Run::

    .venv/bin/python benchmarks/bench_step.py [--threads 1] [--json results.json] [--quick]

``--threads`` sets the BLAS and OpenMP thread counts of numpy and torch before they load (default
1: on a small shared machine, threads of one contender left spinning slow down the next one, and
single-threaded ratios are the ones that repeat).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (default 1)")
    parser.add_argument("--json", help="write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:  # before numpy and torch load their thread pools
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mlp import MLP  # noqa: E402
from mlp.optimizers import Adam  # noqa: E402

SIZES = [784, 256, 128, 10]
BATCHES = [32, 128, 512]
DTYPES = ["float32", "float64"]


def nominal_flops(m: int) -> float:
    """6 m sum_l n_l n_(l-1): the step's multiply-adds, counted twice, forward plus backward."""
    return 6.0 * m * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))


def mlp_step(m: int, dtype: str, rng: np.random.Generator):
    """A closure taking one mlp training step on a fixed random batch."""
    net = MLP(SIZES, activation="relu", output="softmax", seed=0, dtype=dtype)
    X = rng.normal(size=(m, SIZES[0])).astype(dtype)
    y = rng.integers(0, SIZES[-1], m)
    params, opt = net.parameters(), Adam(lr=1e-4)
    grads = [np.empty_like(p) for p in params]

    def step():
        _, g = net.loss_and_grad(X, y, "cross_entropy", out=grads)
        opt.step(params, g)

    return step


def gemm_step(m: int, dtype: str, rng: np.random.Generator):
    """A closure doing only the step's matrix products, into preallocated outputs."""
    W = [rng.normal(size=(n, k)).astype(dtype) for k, n in zip(SIZES[:-1], SIZES[1:], strict=True)]
    A = [rng.normal(size=(m, n)).astype(dtype) for n in SIZES]
    delta = [rng.normal(size=(m, n)).astype(dtype) for n in SIZES]
    grad_W = [np.empty_like(w) for w in W]

    def step():
        for layer, w in enumerate(W):  # forward: Z = A W^T
            np.matmul(A[layer], w.T, out=A[layer + 1])
        for layer in range(len(W), 0, -1):  # backward
            np.matmul(delta[layer].T, A[layer - 1], out=grad_W[layer - 1])
            if layer > 1:
                np.matmul(delta[layer], W[layer - 1], out=delta[layer - 1])

    return step


def torch_step(m: int, dtype: str, rng: np.random.Generator):
    """A closure taking one PyTorch CPU training step, or None if torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    layers = []
    for k, n in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [torch.nn.Linear(k, n), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).to(getattr(torch, dtype))
    X = torch.from_numpy(rng.normal(size=(m, SIZES[0])).astype(dtype))
    y = torch.from_numpy(rng.integers(0, SIZES[-1], m))
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=False)
        torch.nn.functional.cross_entropy(model(X), y).backward()
        opt.step()

    return step


def seconds_per_call(step, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    return (time.perf_counter() - start) / repeats


def measure(m: int, dtype: str, rounds: int, budget: float) -> dict:
    """Time the contenders in turns; return the median seconds per step of each."""
    rng = np.random.default_rng(0)
    steps = {"mlp": mlp_step(m, dtype, rng), "gemm": gemm_step(m, dtype, rng)}
    torch_closure = torch_step(m, dtype, rng)
    if torch_closure is not None:
        steps["torch"] = torch_closure
    repeats = {}
    for name, step in steps.items():  # warm-up, and calls per timing block of about `budget` s
        seconds_per_call(step, 3)
        repeats[name] = max(1, int(budget / seconds_per_call(step, 3)))
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            times[name].append(seconds_per_call(step, repeats[name]))
    return {name: float(np.median(t)) for name, t in times.items()}


def main(args: argparse.Namespace) -> None:
    rounds, budget = (3, 0.02) if args.quick else (11, 0.15)
    rows = []
    header = (f"{'dtype':8} {'batch':>5} {'contender':9} {'ms/step':>8} {'examples/s':>11} "
              f"{'GFLOP/s':>8} {'vs gemm':>8} {'vs torch':>8}")
    print(header)
    print("-" * len(header))
    for dtype in DTYPES:
        for m in BATCHES:
            seconds = measure(m, dtype, rounds, budget)
            for name, s in seconds.items():
                row = {"dtype": dtype, "batch": m, "contender": name, "ms_per_step": 1e3 * s,
                       "examples_per_s": m / s, "gflops": nominal_flops(m) / s / 1e9,
                       "speed_vs_gemm": seconds["gemm"] / s,
                       "speed_vs_torch": seconds["torch"] / s if "torch" in seconds else None}
                rows.append(row)
                vs_torch = "" if row["speed_vs_torch"] is None else f"{row['speed_vs_torch']:.2f}"
                print(f"{dtype:8} {m:5d} {name:9} {row['ms_per_step']:8.3f} "
                      f"{row['examples_per_s']:11.0f} {row['gflops']:8.1f} "
                      f"{row['speed_vs_gemm']:8.2f} {vs_torch:>8}")
    if args.json:
        info = {"python": platform.python_version(), "numpy": np.__version__,
                "machine": platform.machine(), "cpus": os.cpu_count(), "sizes": SIZES,
                "rounds": rounds, "threads": args.threads,
                "torch": sys.modules["torch"].__version__ if "torch" in sys.modules else None}
        Path(args.json).write_text(json.dumps({"info": info, "results": rows}, indent=2))


if __name__ == "__main__":
    main(ARGS)
