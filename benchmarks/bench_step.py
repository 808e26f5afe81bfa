"""Training throughput of one step of mlp (forward, backward, Adam update) against its rivals.

Model 784-256-128-10, ReLU, softmax + cross-entropy, Adam; batches 32, 128, 512; float32 and
float64; the machine's default BLAS thread count and one thread. For each setting the
contenders are timed in turns (interleaved, after a warm-up):

- ``gemm``: the step's matrix products alone, on arrays of the same shapes and layouts (3
  forward, 3 weight gradients, 2 back-propagated deltas): the limit for this machine's BLAS;
- ``numpy``: the same step as a bare numpy loop of about 30 lines, with no checks: the floor for
  what numpy alone gives (``numpy_step``);
- ``mlp``: the step ``train`` takes (loss, gradient, ``opt.step``) on data checked once
  (``mlp_step``);
- ``torch``: the same model and step in PyTorch on the CPU, if ``torch`` can be imported;
- ``before``: ``mlp`` imported from another checkout (``--before DIR``, a folder holding an
  ``mlp`` package), to compare two versions of the library in one run.

Each thread count runs in its own process (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` and
``MKL_NUM_THREADS`` set to 1, or removed for the default), since BLAS reads them when it loads.
Throughput is reported as examples/s and GFLOP/s with the usual nominal count of
6 m sum_l n_l n_(l-1) flops per step; every ratio compares medians taken in the same run. Run::

    .venv/bin/python benchmarks/bench_step.py [--threads default,1] [--json out.json] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIZES = [784, 256, 128, 10]
BATCHES = [32, 128, 512]
DTYPES = ["float32", "float64"]
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
ADAM = {"lr": 1e-4, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="default,1",
                        help="comma-separated thread counts, 'default' for the machine's own")
    parser.add_argument("--json", help="write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    parser.add_argument("--before", help="a folder with another version's mlp package")
    parser.add_argument("--statistic", choices=["median", "min"], default="median",
                        help="of the timing blocks (min: the block least disturbed by other jobs)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: this process's CPU time, which excludes the time other jobs "
                             "take the core (meaningful with --threads 1 only)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def nominal_flops(m: int) -> float:
    """6 m sum_l n_l n_(l-1): the step's multiply-adds, counted twice, forward plus backward."""
    return 6.0 * m * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))


def batch(m: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The same random batch for every contender."""
    rng = np.random.default_rng(1)
    return rng.normal(size=(m, SIZES[0])).astype(dtype), rng.integers(0, SIZES[-1], m)


def mlp_step(package, m: int, dtype: str):
    """A closure taking the step that ``train`` takes, with ``package`` (mlp, or its rival).

    Where the version has them, that is ``net._loss_and_grad`` (``train`` checks X and y once
    per call, then runs this unchecked step) on gradients from ``net.new_gradients()`` (one
    buffer, so Adam updates everything in one pass per operation); otherwise the public
    ``loss_and_grad``, which older versions of ``train`` called at every step.
    """
    net = package.MLP(SIZES, activation="relu", output="softmax", seed=0, dtype=dtype)
    X, y = batch(m, dtype)
    params, opt = net.parameters(), package.optimizers.Adam(**ADAM)
    new_gradients = getattr(net, "new_gradients", None)
    grads = new_gradients() if new_gradients else [np.empty_like(p) for p in params]
    loss_and_grad, loss = net.loss_and_grad, "cross_entropy"
    if hasattr(net, "_loss_and_grad"):
        loss = net._check_loss(loss)
        loss_and_grad, y = net._loss_and_grad, net._check_targets(y, m, loss)

    def step():
        _, g = loss_and_grad(X, y, loss, out=grads)
        opt.step(params, g)

    return step


def numpy_step(m: int, dtype: str):
    """A closure taking the same step in plain numpy: no checks, no reuse, no tricks."""
    rng = np.random.default_rng(0)
    Ws = [(rng.normal(size=(n, k)) * np.sqrt(2 / k)).astype(dtype)
          for k, n in zip(SIZES[:-1], SIZES[1:], strict=True)]
    params = [p for W in Ws for p in (W, np.zeros(len(W), dtype))]
    ms, vs, t = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params], [0]
    X, y = batch(m, dtype)
    rows = np.arange(m)
    b1, b2, eps = ADAM["beta1"], ADAM["beta2"], ADAM["eps"]

    def step():
        (W1, c1, W2, c2, W3, c3) = params
        Z1 = X @ W1.T + c1
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2.T + c2
        A2 = np.maximum(Z2, 0)
        Z3 = A2 @ W3.T + c3
        E = np.exp(Z3 - Z3.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
        loss = -np.log(P[rows, y]).mean()
        D3 = P
        D3[rows, y] -= 1
        D3 /= m
        D2 = (D3 @ W3) * (Z2 > 0)
        D1 = (D2 @ W2) * (Z1 > 0)
        grads = [D1.T @ X, D1.sum(0), D2.T @ A1, D2.sum(0), D3.T @ A2, D3.sum(0)]
        t[0] += 1
        lr_t = ADAM["lr"] * math.sqrt(1 - b2 ** t[0]) / (1 - b1 ** t[0])
        for p, g, mo, ve in zip(params, grads, ms, vs, strict=True):
            mo *= b1
            mo += (1 - b1) * g
            ve *= b2
            ve += (1 - b2) * g * g
            p -= lr_t * mo / (np.sqrt(ve) + eps * math.sqrt(1 - b2 ** t[0]))
        return loss

    return step


def gemm_step(m: int, dtype: str):
    """A closure doing only the step's matrix products, into preallocated outputs."""
    rng = np.random.default_rng(0)
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


def torch_step(torch, m: int, dtype: str):
    """A closure taking one PyTorch CPU training step."""
    torch.manual_seed(0)
    layers = []
    for k, n in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [torch.nn.Linear(k, n), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).to(getattr(torch, dtype))
    X, y = (torch.from_numpy(a) for a in batch(m, dtype))
    opt = torch.optim.Adam(model.parameters(), lr=ADAM["lr"], betas=(ADAM["beta1"], ADAM["beta2"]),
                           eps=ADAM["eps"])

    def step():
        opt.zero_grad(set_to_none=False)
        torch.nn.functional.cross_entropy(model(X), y).backward()
        opt.step()

    return step


def import_before(folder: str):
    """Import the ``mlp`` package found in ``folder`` under the name ``mlp_before``."""
    init = Path(folder) / "mlp" / "__init__.py"
    spec = importlib.util.spec_from_file_location("mlp_before", init,
                                                  submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["mlp_before"] = module
    spec.loader.exec_module(module)
    importlib.import_module("mlp_before.optimizers")
    return module


CLOCK = time.perf_counter


def seconds_per_call(step, repeats: int) -> float:
    start = CLOCK()
    for _ in range(repeats):
        step()
    return (CLOCK() - start) / repeats


def measure(steps: dict, rounds: int, budget: float) -> dict:
    """Time the contenders in turns; return the seconds per step of each block, per contender."""
    repeats = {}
    for name, step in steps.items():  # warm-up, and calls per timing block of about `budget` s
        seconds_per_call(step, 3)
        repeats[name] = max(1, int(budget / seconds_per_call(step, 3)))
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            times[name].append(seconds_per_call(step, repeats[name]))
    return times


def worker(args: argparse.Namespace) -> None:
    """Measure every setting in this process (one thread count); print JSON to stdout."""
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    sys.path.insert(0, str(ROOT))
    import mlp
    import mlp.optimizers  # noqa: F401

    torch = None
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count())))
    before = import_before(args.before) if args.before else None
    rounds, budget = (3, 0.02) if args.quick else (11, 0.15)
    results = []
    for dtype in DTYPES:
        for m in BATCHES:
            steps = {"gemm": gemm_step(m, dtype), "numpy": numpy_step(m, dtype),
                     "mlp": mlp_step(mlp, m, dtype)}
            if torch is not None:
                steps["torch"] = torch_step(torch, m, dtype)
            if before is not None:
                steps["before"] = mlp_step(before, m, dtype)
            results.append({"dtype": dtype, "batch": m,
                            "seconds": measure(steps, rounds, budget)})
    print(json.dumps({"blas": blas_info(), "torch": torch and torch.__version__,
                      "results": results}))


def blas_info() -> str:
    """The BLAS library, its kernel and thread count (threadpoolctl, where installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"threads from the environment: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    return "; ".join(f"{i['internal_api']} {i['version']} kernel {i.get('architecture')} "
                     f"threads {i['num_threads']}" for i in threadpool_info())


def run_threads(threads: str, args: argparse.Namespace) -> dict:
    """Run the measurements in a child process with ``threads`` BLAS threads."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    if threads != "default":
        env.update(dict.fromkeys(THREAD_VARIABLES, threads))
    command = [sys.executable, __file__, "--worker"]
    command += ["--quick"] * args.quick + (["--before", args.before] if args.before else [])
    command += ["--clock", args.clock]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def report(threads: str, data: dict, args: argparse.Namespace) -> list[dict]:
    """Print one table per thread count (the ``args.statistic`` of the blocks); return its rows."""
    print(f"\nthreads: {threads} ({data['blas']}; torch {data['torch']}; {args.statistic} of "
          f"{len(data['results'][0]['seconds']['gemm'])} blocks; {args.clock} clock)")
    names = list(data["results"][0]["seconds"])
    rivals = [n for n in ("gemm", "numpy", "torch", "before") if n in names]
    header = (f"{'dtype':8} {'batch':>5} {'contender':9} {'ms/step':>8} {'examples/s':>10} "
              f"{'GFLOP/s':>7}" + "".join(f" {'vs ' + n:>9}" for n in rivals))
    print(header + "\n" + "-" * len(header))
    rows = []
    reduce = np.median if args.statistic == "median" else np.min
    for result in data["results"]:
        seconds = {name: float(reduce(t)) for name, t in result["seconds"].items()}
        m = result["batch"]
        for name, s in seconds.items():
            row = {"threads": threads, "dtype": result["dtype"], "batch": m, "contender": name,
                   "statistic": args.statistic, "clock": args.clock,
                   "block_seconds": result["seconds"][name],
                   "ms_per_step": 1e3 * s, "examples_per_s": m / s,
                   "gflops": nominal_flops(m) / s / 1e9,
                   **{f"speed_vs_{n}": seconds[n] / s for n in rivals}}
            rows.append(row)
            print(f"{result['dtype']:8} {m:5d} {name:9} {row['ms_per_step']:8.3f} "
                  f"{row['examples_per_s']:10.0f} {row['gflops']:7.1f}"
                  + "".join(f" {row[f'speed_vs_{n}']:9.2f}" for n in rivals))
    return rows


def main(args: argparse.Namespace) -> None:
    if args.worker:
        worker(args)
        return
    rows = []
    for threads in args.threads.split(","):
        rows += report(threads, run_threads(threads.strip(), args), args)
    if args.json:
        info = {"python": platform.python_version(), "numpy": np.__version__,
                "machine": platform.machine(), "cpus": os.cpu_count(), "sizes": SIZES,
                "load_average": os.getloadavg()}
        Path(args.json).write_text(json.dumps({"info": info, "results": rows}, indent=2))


if __name__ == "__main__":
    main(parse_args())
