# Qorgau: `make demo` opens the app on a generated demo mission, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo
DEMO_CASES ?= 2000
# `make bench BENCH_CASES=300000` measures a 300,000-case mission (built once, then reused).
BENCH_CASES ?= 100000
export QT_QPA_PLATFORM_THEME ?=

.PHONY: run demo test lint typecheck translations translations-compile bench screenshots letter-samples stress clean dist dist-smoke

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The compiled catalogs (.mo) are not in git: built before every run, so they follow the .po.
run: $(STAMP) translations-compile
	$(PY) main.py

demo: $(STAMP) translations-compile
	$(PY) -m app --data-dir $(DEMO_DIR) demo --cases $(DEMO_CASES) --seed 1 --if-empty
	QORGAU_USER=admin QORGAU_PASSWORD=qorgau-demo $(PY) main.py --data-dir $(DEMO_DIR)

# The slowest tests are listed at the end: the suite must stay well under 15 minutes on 2 cores.
test: $(STAMP) translations-compile
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto --maxprocesses 4 --durations=25

lint: $(STAMP)
	$(VENV)/bin/ruff check app ui tests benchmarks packaging main.py
	$(VENV)/bin/ruff format --check app ui tests benchmarks packaging main.py
	$(VENV)/bin/mypy

translations: $(STAMP)
	$(VENV)/bin/pybabel extract --no-location --sort-by-file -F babel.cfg -k N_ -k pgettext:1c,2 \
		-k ngettext:1,2 -o translations/messages.pot app ui main.py
	# Obsolete (#~) entries are dropped: one that came back as a live message was defined twice,
	# which msgfmt refuses (git keeps the old translations).
	for lang in kk ru en; do \
		if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
			$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l $$lang \
				--no-fuzzy-matching --ignore-obsolete; \
		else \
			$(VENV)/bin/pybabel init -i translations/messages.pot -d translations -l $$lang; \
		fi; \
	done
	# Document words (reports, reviews): their own domain, rendered in the document's language.
	$(VENV)/bin/pybabel extract --no-location --sort-by-file -F babel.cfg --no-default-keywords \
		-k D_ -k DP_:1c,2 -k DN_:1,2 -o translations/documents.pot app
	for lang in kk ru en; do \
		$(VENV)/bin/pybabel update -D documents -i translations/documents.pot -d translations \
			-l $$lang --no-fuzzy-matching --ignore-obsolete; \
	done
	$(PY) translations/fill_en.py
	$(MAKE) --no-print-directory translations-compile

translations-compile: $(STAMP)
	@$(VENV)/bin/pybabel compile -d translations -D messages --statistics
	@$(VENV)/bin/pybabel compile -d translations -D documents --statistics

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks --cases $(BENCH_CASES)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshots docs/screenshots/en --lang en
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshots docs/screenshots/kk --lang kk --small-only
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshots docs/screenshots/ru --lang ru --small-only

# docs/letters: the first page of each letter kind in each language, from the golden test's case.
letter-samples: $(STAMP) translations-compile
	rm -rf .letter-samples && mkdir .letter-samples
	QORGAU_LETTER_PDFS=.letter-samples QT_QPA_PLATFORM=offscreen $(PY) -m pytest -p no:cacheprovider \
		-q tests/unit/test_letter_wording.py -k golden
	for pdf in .letter-samples/*.pdf; do \
		pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$$pdf" docs/letters/$$(basename "$$pdf" .pdf); \
	done
	rm -rf .letter-samples

stress: $(STAMP)
	QT_QPA_PLATFORM=offscreen QORGAU_STRESS=full $(PY) -m pytest -m slow

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache

# The self-contained folder a mission installs: dist/qorgau (qorgau-desktop + the qorgau CLI).
DIST_STAMP := $(VENV)/.installed-dist
$(DIST_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,dist]'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP) translations-compile
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/qorgau.spec

# Runs the built executables only (not the source): see packaging/smoke.sh.
dist-smoke: dist
	bash packaging/smoke.sh dist/qorgau
