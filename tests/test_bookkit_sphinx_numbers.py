"""Numbers by chapter: Fig. 7.1, (7.2), Exercise 7.1 on chapter pages; per-page numbers elsewhere.

The unit tests feed ``renumber`` a hand-made ``toc_fignumbers``; the build test runs Sphinx with
MyST on a four-page project and reads the numbers off the HTML, where a global count (what Sphinx
does without the extension, the toc being unnumbered) would print different ones.
"""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from bookkit.sphinx_numbers import chapter_number, renumber, setup


def test_labelled_exercises_take_the_number_in_their_label():
    env = SimpleNamespace(toc_fignumbers={
        "exercises/_reader/07-backprop": {"exercise": {"ex-7-1": (3,), "ex-7-12": (4,)}},
        "chapters/01-optimization": {"exercise": {"ex-inline": (1,), "ex-1-2-3": (2,)}},
        "intro": {},
    })
    assert renumber(None, env) == []
    assert env.toc_fignumbers["exercises/_reader/07-backprop"] == {
        "exercise": {"ex-7-1": (7, 1), "ex-7-12": (7, 12)}}
    assert env.toc_fignumbers["chapters/01-optimization"]["exercise"] == {
        "ex-inline": (1,), "ex-1-2-3": (1, 2, 3)}


def test_chapter_pages_count_each_kind_from_one_in_page_order():
    env = SimpleNamespace(toc_fignumbers={
        # global numbers as Sphinx assigns them, not in insertion order on purpose
        "chapters/07-backprop": {"figure": {"fig-b": (16,), "fig-a": (15,)},
                                 "displaymath": {"equation-x": (20,), "equation-y": (21,)},
                                 "table": {"tab": (2,)}, "code-block": {"code": (9,)},
                                 "proof": {"thm": (4,)}},
        "errata": {"figure": {"fig-e": (17,)}, "displaymath": {"equation-e": (22,)}},
        "exercises/_reader/07-backprop": {"figure": {"fig-r": (18,), "fig-s": (19,)}},
    })
    renumber(None, env)
    numbers = env.toc_fignumbers
    assert numbers["chapters/07-backprop"] == {
        "figure": {"fig-a": (7, 1), "fig-b": (7, 2)},
        "displaymath": {"equation-x": (7, 1), "equation-y": (7, 2)},
        "table": {"tab": (7, 1)}, "code-block": {"code": (7, 1)},
        "proof": {"thm": (4,)}}  # kinds it does not know are left alone
    assert numbers["errata"] == {"figure": {"fig-e": (1,)}, "displaymath": {"equation-e": (1,)}}
    assert numbers["exercises/_reader/07-backprop"]["figure"] == {"fig-r": (1,), "fig-s": (2,)}


@pytest.mark.parametrize(("docname", "expected"), [
    ("chapters/07-backprop", (7,)), ("chapters/12-adam", (12,)), ("chapters/01-a-b", (1,)),
    ("exercises/_reader/07-backprop", ()), ("chapters/intro", ()), ("07-backprop", ()),
    ("other/chapters/07-x", ()),
])
def test_chapter_number_comes_from_the_chapter_path_only(docname, expected):
    assert chapter_number(docname) == expected


def test_it_runs_after_sphinx_numbering():
    calls = []
    app = SimpleNamespace(connect=lambda *args, **kwargs: calls.append((args, kwargs)))
    assert setup(app)["parallel_read_safe"] is True
    assert calls == [(("env-get-updated", renumber), {"priority": 900})]


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n'


def _figure(name: str) -> str:
    return f"```{{figure}} {name}.svg\n:name: {name}\n:alt: a square\n\nCaption of {name}.\n```\n"


PAGES = {
    "index.md": "# Book\n\n" + _figure("fig-index")
    + "```{toctree}\nchapters/02-x\nchapters/07-y\nnotes\n```\n",
    "chapters/02-x.md": "# 2. X\n\n$$\nu = 1\n$$ (eq-x)\n\n" + _figure("fig-x")
    + "\nSee {numref}`fig-y2`, {numref}`Figure %s <fig-y1>`, {eq}`eq-y2` and {eq}`eq-x`,"
    " {numref}`tab-y`, {numref}`code-y` and {ref}`fig-y2`.\n",
    "chapters/07-y.md": "# 7. Y\n\n$$\nv = 0\n$$\n\n$$\na = 1\n$$ (eq-y1)\n\n" + _figure("fig-y1")
    + "\n$$\nb = 2\n$$ (eq-y2)\n\n" + _figure("fig-y2")
    + "\n```{list-table} A table\n:name: tab-y\n\n* - 1\n```\n"
    + "\n```{code-block} python\n:caption: A listing\n:name: code-y\n\nx = 1\n```\n"
    + "\nHere {numref}`fig-y1` and {eq}`eq-y1`; there {numref}`fig-x` and {eq}`eq-x`.\n",
    "notes.md": "# Notes\n\n$$\nc = 3\n$$ (eq-n)\n\n" + _figure("fig-n")
    + "\n{numref}`fig-n`, {eq}`eq-n`, {numref}`fig-y2`.\n",
}
CONF = """\
extensions = ["myst_parser", "bookkit.sphinx_numbers"]
myst_enable_extensions = ["dollarmath"]
numfig = True
math_numfig = True
math_eqref_format = "({number})"
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sphinx.application import Sphinx

    src = tmp_path_factory.mktemp("book")
    (src / "conf.py").write_text(CONF)
    for name in ("fig-index", "fig-x", "fig-y1", "fig-y2", "fig-n"):
        (src / "chapters").mkdir(exist_ok=True)
        (src / f"{name}.svg").write_text(SVG)
        (src / "chapters" / f"{name}.svg").write_text(SVG)
    for path, text in PAGES.items():
        (src / path).write_text(text)
    warnings = io.StringIO()
    app = Sphinx(src, src, src / "_build", src / "_doctrees", "html", status=None,
                 warning=warnings, freshenv=True)
    app.build()
    assert warnings.getvalue() == "", warnings.getvalue()
    return src / "_build"


def _numbers(html: str) -> dict[str, list[str]]:
    """Captions, equation numbers and reference texts of a page, in page order."""
    return {
        "captions": re.findall(r'class="caption-number">([^<]*?)\s*</span>', html),
        "equations": re.findall(r'class="eqno">\(([^<]*)\)', html),
        "references": re.findall(r'<span class="std std-numref">([^<]*)</span>'
                                 r'|href="[^"]*#equation-[^"]*">(\([^<]*\))</a>', html),
    }


def test_a_chapter_numbers_by_its_own_number_from_one(built: Path):
    page = _numbers((built / "chapters" / "07-y.html").read_text())
    assert page["captions"] == ["Fig. 7.1", "Fig. 7.2", "Table 7.1", "Listing 7.1"]
    assert page["equations"] == ["7.1", "7.2"]  # the unlabelled one stays unnumbered
    assert [a or b for a, b in page["references"]] == ["Fig. 7.1", "(7.1)", "Fig. 2.1", "(2.1)"]


def test_references_from_another_chapter_show_the_same_numbers(built: Path):
    html = (built / "chapters" / "02-x.html").read_text()
    page = _numbers(html)
    assert page["captions"] == ["Fig. 2.1"]
    assert page["equations"] == ["2.1"]
    assert [a or b for a, b in page["references"]] == [
        "Fig. 7.2", "Figure 7.1", "(7.2)", "(2.1)", "Table 7.1", "Listing 7.1"]
    # {ref} shows the caption and links to the figure on its page
    assert re.search(r'href="07-y.html#fig-y2"><span class="std std-ref">Caption of fig-y2',
                     html)


def test_other_pages_number_per_page(built: Path):
    notes = _numbers((built / "notes.html").read_text())
    assert notes["captions"] == ["Fig. 1"]
    assert notes["equations"] == ["1"]
    assert [a or b for a, b in notes["references"]] == ["Fig. 1", "(1)", "Fig. 7.2"]
    assert _numbers((built / "index.html").read_text())["captions"] == ["Fig. 1"]
