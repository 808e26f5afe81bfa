"""A static look at solution cells for what honest work never needs.

The scan flags, it never takes points: the sandbox and the separate tests' process are what keep
such code from changing a grade; the flags tell the instructor where to look. Each flag names the
line and the construct.

Examples
--------
>>> [f.split(":")[0] for f in scan("import numpy as np\\nnp.isclose = lambda *a: True")]
['line 2']
"""

from __future__ import annotations

import ast

MODULES = {"ctypes", "gc", "importlib", "inspect", "signal", "subprocess", "socket",
           "multiprocessing", "threading", "pty", "fcntl", "mmap", "resource", "builtins",
           "pickle", "marshal", "shutil", "sysconfig", "site", "cffi"}
CALLS = {"exec", "eval", "compile", "__import__", "globals", "setattr", "delattr", "open",
         "breakpoint", "getattr", "vars"}
# names that stand for modules in the book's notebooks even when the cell does not import them
ALIASES = {"np", "numpy", "math", "os", "sys", "mlp", "bookkit", "builtins", "importlib",
           "random", "plt", "matplotlib", "check", "inspect", "gc"}
ATTRIBUTES = {"meta_path", "path_hooks", "modules", "_getframe", "f_back", "f_globals",
              "f_locals", "tb_frame", "gi_frame", "kill", "killpg", "fork", "forkpty",
              "system", "popen", "execv", "execve", "spawnv", "_exit", "setrlimit",
              "get_objects", "get_referrers", "__subclasses__", "__globals__", "__code__",
              "__builtins__", "settrace", "setprofile", "addaudithook", "rmtree", "__array__"}


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan(source: str) -> list[str]:
    """Return ``"line N: what"`` for each suspicious construct in a solution cell's code.

    Flags: assignment to an attribute of an imported module (``np.isclose = ...``); imports of
    modules an exercise never needs (``importlib``, ``ctypes``, ``gc``, ``inspect``, ...);
    calls such as ``exec`` or ``open``; attributes such as ``sys.meta_path``, ``os.kill``,
    ``sys._getframe`` or ``gc.get_objects``; the text ``/proc``; and code that does not parse.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return [f"line {err.lineno or 0}: does not parse ({err.msg})"]
    modules, flags = _imported(tree) | ALIASES, []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names]
            flags += [f"line {line}: imports {name}" for name in names
                      if name.split(".")[0] in MODULES]
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in modules:
                    flags.append(f"line {line}: assigns to {ast.unparse(target)} of an "
                                 "imported module")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in CALLS:
            flags.append(f"line {line}: calls {node.func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
            flags.append(f"line {line}: uses .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                "/proc" in node.value:
            flags.append(f"line {line}: mentions /proc")
    return sorted(set(flags), key=lambda flag: (int(flag.split()[1].rstrip(":")), flag))
