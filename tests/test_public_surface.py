"""The public surface of /work/shared/DESIGN.md imports from the modules it documents.

DESIGN.md's table is the contract chapters, exercises and outside users rely on; the names below
are copied from it (and from the names the chapters import), not from the code. Where a module
re-exports a name that lives elsewhere, both must give the same object, and the layers must only
import downwards.
"""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

MLP_DIR = Path(__file__).resolve().parents[1] / "mlp"

# module -> the names DESIGN.md (or a chapter) imports from it
SURFACE = {
    "mlp": ["MLP", "gradcheck", "clip_grad_norm", "train"],
    "mlp.activations": ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"],
    "mlp.losses": ["mse", "mae", "huber", "Huber", "binary_cross_entropy", "cross_entropy"],
    "mlp.optimizers": ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW",
                       "Optimizer"],
    "mlp.schedules": ["Constant", "StepDecay", "ExponentialDecay", "InverseTimeDecay",
                      "CosineAnnealing", "Warmup", "tabulate"],
    "mlp.clipping": ["clip_grad_norm", "global_norm"],
    "mlp.regularization": ["l2_penalty", "add_l2_grad", "dropout_mask"],  # chapter 14
    "mlp.train": ["train", "History", "accuracy"],
    "mlp.data": ["load_digits", "one_hot", "train_test_split", "standardize", "make_moons",
                 "make_circles", "make_xor", "make_spirals", "make_regression_1d"],
    "mlp.testfunctions": ["Objective", "Quadratic", "Rosenbrock", "DoubleWell", "Saddle",
                          "descent_path", "run_optimizer", "BLOW_UP"],
}

# (public module, name) -> the module that defines it, after the split into smaller modules
MOVED = {
    **{("mlp.optimizers", n): "mlp.sgd" for n in ("SGD", "Momentum", "Nesterov")},
    **{("mlp.optimizers", n): "mlp.adaptive" for n in ("AdaGrad", "RMSProp", "Adam", "AdamW")},
    ("mlp.optimizers", "Optimizer"): "mlp.optimizer_base",
    ("mlp.train", "History"): "mlp.history",
    ("mlp.train", "accuracy"): "mlp.history",
    **{("mlp.data", n): "mlp.synthetic"
       for n in ("make_moons", "make_circles", "make_xor", "make_spirals", "make_regression_1d")},
    **{("mlp.testfunctions", n): "mlp.objectives"
       for n in ("Objective", "Quadratic", "Rosenbrock", "DoubleWell", "Saddle")},
}

# DESIGN.md's signatures: name -> {parameter: default}, inspect.Parameter.empty where required
EMPTY = inspect.Parameter.empty
SIGNATURES = {
    ("mlp.optimizers", "SGD"): {"lr": EMPTY},
    ("mlp.optimizers", "Momentum"): {"lr": EMPTY, "beta": 0.9},
    ("mlp.optimizers", "Nesterov"): {"lr": EMPTY, "beta": 0.9},
    ("mlp.optimizers", "AdaGrad"): {"lr": EMPTY, "eps": 1e-10},
    ("mlp.optimizers", "RMSProp"): {"lr": EMPTY, "beta": 0.9, "eps": 1e-8},
    ("mlp.optimizers", "Adam"): {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    ("mlp.optimizers", "AdamW"): {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                  "weight_decay": 1e-2},
    ("mlp.schedules", "Constant"): {"lr0": EMPTY},
    ("mlp.schedules", "StepDecay"): {"lr0": EMPTY, "gamma": EMPTY, "step_size": EMPTY},
    ("mlp.schedules", "ExponentialDecay"): {"lr0": EMPTY, "k": EMPTY},
    ("mlp.schedules", "InverseTimeDecay"): {"lr0": EMPTY, "k": EMPTY},
    ("mlp.schedules", "CosineAnnealing"): {"lr0": EMPTY, "t_max": EMPTY, "lr_min": 0},
    ("mlp.schedules", "Warmup"): {"schedule": EMPTY, "steps": EMPTY},
    ("mlp", "clip_grad_norm"): {"grads": EMPTY, "max_norm": EMPTY},
}


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in SURFACE.items()
                                              for n in names])
def test_every_documented_name_imports_from_its_module(module, name):
    assert hasattr(importlib.import_module(module), name), f"from {module} import {name} fails"


@pytest.mark.parametrize(("where", "home"), MOVED.items())
def test_a_moved_name_is_the_same_object_in_both_modules(where, home):
    module, name = where
    assert getattr(importlib.import_module(module), name) is getattr(
        importlib.import_module(home), name)
    assert name in importlib.import_module(home).__all__
    assert home in importlib.import_module(module).__doc__, f"{module}'s docstring names {home}"


@pytest.mark.parametrize(("where", "expected"), SIGNATURES.items())
def test_signatures_match_the_design(where, expected):
    module, name = where
    parameters = inspect.signature(getattr(importlib.import_module(module), name)).parameters
    got = {p: parameters[p].default for p in expected if p in parameters}
    assert got == expected, f"{name}: DESIGN.md says {expected}; got {got}"


def test_train_takes_the_documented_arguments():
    parameters = inspect.signature(importlib.import_module("mlp.train").train).parameters
    assert list(parameters)[:7] == ["net", "X", "y", "loss", "optimizer", "epochs", "batch_size"]
    assert parameters["batch_size"].default is None


def test_the_network_has_the_documented_methods():
    from mlp import MLP

    for method in ("parameters", "forward", "backward", "loss_and_grad", "predict", "save",
                   "load"):
        assert callable(getattr(MLP, method, None)), f"MLP.{method} is missing"


def imported_modules(path: Path) -> set[str]:
    """The modules a source file imports: mlp's own as "mlp.x", others by their top name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update(f"mlp.{node.module}" if node.module else f"mlp.{alias.name}"
                         for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module.split(".")[0])
    return found


def test_the_numpy_core_never_imports_plotting_or_widgets():
    for path in sorted(MLP_DIR.glob("*.py")):
        if path.stem in ("plots", "widgets"):
            continue
        banned = {"matplotlib", "ipywidgets", "mlp.plots", "mlp.widgets"} & imported_modules(path)
        assert not banned, f"mlp/{path.name} imports {banned}"


@pytest.mark.parametrize(("lower", "upper"), [
    ("optimizer_base", "optimizers"), ("sgd", "optimizers"), ("adaptive", "optimizers"),
    ("adaptive", "sgd"), ("history", "train"), ("progress", "train"),
    ("synthetic", "data"), ("objectives", "testfunctions"),
])
def test_split_modules_import_downwards_only(lower, upper):
    assert f"mlp.{upper}" not in imported_modules(MLP_DIR / f"{lower}.py")
