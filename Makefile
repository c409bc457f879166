# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

MODEL := nlp/model/barrierwatch.json

.PHONY: demo test lint typecheck bench model clean messages

# The bench extras too: the tests run the quick benchmark, baseline part included.
$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit("BarrierWatch needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

# The tagging model is built from shipped data (about a minute), not kept in git.
MODEL_INPUTS := nlp/config.cfg nlp/data/product_terms.csv nlp/data/nomenclature_terms.csv \
	$(wildcard nlp/data/labelled/*.jsonl) \
	nlp/train.py nlp/pipeline.py nlp/tokenizer.py nlp/classifier.py nlp/fusion.py nlp/terms.py nlp/corpus.py hs/codes.py
$(MODEL): $(MODEL_INPUTS) | $(STAMP)
	$(BIN)/barrierwatch nlp train --model nlp/model

model: $(MODEL)

demo: $(STAMP) $(MODEL)
	$(BIN)/barrierwatch demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

test: lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP) $(MODEL)
	$(BIN)/python -m bench all

# After adding or changing product text: extract it and update i18n/locale/*/LC_MESSAGES/messages.po
# (then translate the new entries; tests/test_i18n.py says which lack a translation).
messages: $(STAMP)
	$(BIN)/python -m i18n.catalogue update

clean:
	rm -rf $(VENV) var build *.egg-info
