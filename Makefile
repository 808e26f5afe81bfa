# The commands a user types (see README.md):
#   make book   create the environment, execute and build the book, print where to open it
#   make test   create the environment if needed and run every test
#   make lab    for learners: copy the chapters and exercises to workspace/ and open it in JupyterLab
# No target but `lab` writes into workspace/, and `lab` never overwrites a file the learner changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL_DIR := _build/nbval
JUPYTER_BOOK := $(BIN)/jupyter-book
LAB_ARGS ?=

.PHONY: book test env lint unit notebooks exercises site student-site browser lab clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

env: $(STAMP)

book: env site
	@echo ""
	@echo "The book is built. Open: $(CURDIR)/_build/html/index.html"

# Student and instructor copies of every exercise notebook (_build/exercises/), the website's copy
# (exercises/_reader/), and the proof that every graded test fails on the student's stub.
exercises: env
	$(BIN)/python -m bookkit release
	$(BIN)/python -m bookkit check-stubs

site: env exercises
	$(JUPYTER_BOOK) build --all -W -n --keep-going .

# The website without any solutions, for a course whose exercises are being graded.
student-site: env
	$(BIN)/python -m bookkit release --edition student
	$(JUPYTER_BOOK) build --all -W -n --keep-going .

test: env lint unit notebooks site browser
	@echo "All tests passed."

lint: env
	$(BIN)/ruff check .

unit: env
	$(BIN)/pytest tests --ignore=tests/browser
	$(BIN)/pytest -p no:cacheprovider -q --doctest-modules mlp bookkit

# Chapters (and the errata page) are MyST notebooks; nbval runs them as .ipynb copies.
notebooks: env
	rm -rf $(NBVAL_DIR) && mkdir -p $(NBVAL_DIR)
	for f in chapters/*.md errata.md; do $(BIN)/jupytext --quiet --to ipynb -o $(NBVAL_DIR)/$$(basename $${f%.md}).ipynb $$f; done
	cd $(NBVAL_DIR) && ../../$(BIN)/pytest -p no:cacheprovider --nbval-lax -q *.ipynb
	$(BIN)/pytest -p no:cacheprovider --nbval-lax -q exercises/*.ipynb

# Needs a built site and Debian's chromium + chromium-driver (.ci/run installs them).
browser: env
	$(BIN)/pytest -p no:cacheprovider tests/browser --site _build/html --page chapters/02-learning-rate.html

# The learner's workspace (bookkit/workspace.py), then JupyterLab in it; prints the address.
# The same as `.venv/bin/python -m bookkit lab` (on Windows: .venv\Scripts\python -m bookkit lab).
lab: env
	$(BIN)/python -m bookkit lab $(LAB_ARGS)

# Removes build output only: never workspace/.
clean:
	rm -rf _build
