"""Tooling for the book itself: exercise release, self-checks and grading.

The library ``mlp`` never imports it. Command line: ``python -m bookkit --help``.
"""
