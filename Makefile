# The commands a user types (see README.md):
#   make book   create the environment, execute and build the book, print where to open it
#   make test   create the environment if needed and run every test
#   make lab    for learners: copy the chapters and exercises to workspace/ and open it in JupyterLab
# Every target runs `python tasks.py TARGET`, which also works where there is no make (Windows).
# PYTHON chooses the interpreter that creates .venv/, e.g. make test PYTHON=python3.13
# LAB_ARGS passes options to `make lab`, e.g. make lab LAB_ARGS="--port 9999 --no-browser"
# No target but `lab` writes into workspace/, and `lab` never overwrites a file the learner changed.
PYTHON ?= python3
LAB_ARGS ?=

.PHONY: book test env lint unit notebooks exercises site student-site browser info clean lab

book test env lint unit notebooks exercises site student-site browser info clean:
	@$(PYTHON) tasks.py $@

lab:
	@$(PYTHON) tasks.py lab $(LAB_ARGS)
