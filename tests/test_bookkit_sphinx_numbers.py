"""Exercises labelled ex-C-N get the number C.N on the website; other numbers are left alone."""

from types import SimpleNamespace

from bookkit.sphinx_numbers import renumber, setup


def test_labelled_exercises_take_the_number_in_their_label():
    env = SimpleNamespace(toc_fignumbers={
        "exercises/_reader/07-backprop": {"exercise": {"ex-7-1": (3,), "ex-7-12": (4,)},
                                          "figure": {"fig-a": (1,)}},
        "chapters/01-optimization": {"exercise": {"ex-inline": (1,), "ex-1-2-3": (2,)}},
        "intro": {},
    })
    assert renumber(None, env) == []
    assert env.toc_fignumbers["exercises/_reader/07-backprop"] == {
        "exercise": {"ex-7-1": (7, 1), "ex-7-12": (7, 12)}, "figure": {"fig-a": (1,)}}
    assert env.toc_fignumbers["chapters/01-optimization"]["exercise"] == {
        "ex-inline": (1,), "ex-1-2-3": (1, 2, 3)}


def test_it_runs_after_sphinx_numbering():
    calls = []
    app = SimpleNamespace(connect=lambda *args, **kwargs: calls.append((args, kwargs)))
    assert setup(app)["parallel_read_safe"] is True
    assert calls == [(("env-get-updated", renumber), {"priority": 900})]
