# Berlin smart-city impact measurement — `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866
SAMPLE := $(wildcard data/sample/*.csv data/sample/*.xlsx)

.DEFAULT_GOAL := help
.PHONY: help setup report test test-fast browser lint lab portal bench sample messages clean

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (impact)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv from the pinned versions and install the package

report: $(STAMP)  ## the main job: ingest the sample submissions, then build every report into reports/<date>/
	$(BIN)/impact catalog check
	$(BIN)/impact ingest $(SAMPLE)
	$(BIN)/impact report --all
	@echo "Reports: open reports/$$(date -u +%F)/index.html"

test: $(STAMP) browser  ## run the whole test suite (sets itself up); browser tests run last, one at a time
	$(BIN)/python -m pytest -n 2 -m "not browser"
	$(BIN)/python -m pytest -m browser

test-fast: $(STAMP)  ## the suite without the browser tests (they need Chromium: see make browser)
	$(BIN)/python -m pytest -n 2 -m "not browser"

browser:  ## make sure headless Chromium and ChromeDriver are there (installs them as root with apt-get)
	@sh scripts/ensure-browser.sh

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check src tests benchmarks data/sample
	$(BIN)/mypy src

lab: $(STAMP)  ## open the evaluators' explorer in JupyterLab
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/explorer.ipynb

portal: $(STAMP)  ## serve the submission portal on 127.0.0.1:$(PORT)
	$(BIN)/impact portal --port $(PORT)

bench: $(STAMP)  ## run the benchmarks (slow; prints figures)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

sample: $(STAMP)  ## regenerate the synthetic sample submissions (seeded, reproducible)
	$(BIN)/python data/sample/generate.py

LOCALES := src/impact/locale

messages: $(STAMP)  ## translations: extract marked strings, update every language's .po, compile the .mo files
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c TRANSLATORS: --sort-output --add-location=file --no-wrap \
	  --project=impact --copyright-holder="impact contributors" -o $(LOCALES)/impact.pot src/impact
	$(BIN)/pybabel update -D impact -i $(LOCALES)/impact.pot -d $(LOCALES) --no-fuzzy-matching --no-wrap --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel compile -D impact -d $(LOCALES) --statistics

clean:  ## remove the virtual environment, local store and reports
	rm -rf $(VENV) data/store reports/*/
