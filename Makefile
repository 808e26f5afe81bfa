# The two commands a user types (see README.md):
#   make book   create the environment, execute and build the book, print where to open it
#   make test   create the environment if needed and run every test
# Every target runs `python tasks.py TARGET`, which also works where there is no make (Windows).
# PYTHON chooses the interpreter that creates .venv/, e.g. make test PYTHON=python3.13
PYTHON ?= python3

.PHONY: book test env lint unit notebooks exercises site student-site browser info clean

book test env lint unit notebooks exercises site student-site browser info clean:
	@$(PYTHON) tasks.py $@
