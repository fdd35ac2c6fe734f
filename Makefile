# The two commands of the README: `make demo` and `make test`. Each sets up what it needs:
# a virtual environment in .venv (ignored by git) with the project and its pinned tools.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
OUT    := out
AS_OF  := 2022-04-20

.PHONY: demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip 2>/dev/null
	$(PY) -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	@rm -f $(OUT)/demo.db
	$(PY) -m contraband.cli.main policy check policies/default --as-of $(AS_OF)
	$(PY) -m contraband.cli.main category train --listings demo/catalog.jsonl \
	    --out $(OUT)/demo-category-model.skops
	$(PY) -m contraband.cli.main item train --listings demo/item_training.jsonl \
	    --policy policies/default --out $(OUT)/demo-item-model.skops
	$(PY) -m contraband.cli.main scan demo/catalog.jsonl --policy policies/default \
	    --as-of $(AS_OF) --out $(OUT)/demo-verdicts.jsonl --report $(OUT)/demo-report.html \
	    --category-model $(OUT)/demo-category-model.skops --item-model $(OUT)/demo-item-model.skops
	$(PY) -m contraband.cli.main enforce $(OUT)/demo-verdicts.jsonl \
	    --db sqlite:///$(OUT)/demo.db --at $(AS_OF)T12:00:00
	$(PY) -m contraband.cli.main seller show S020 --db sqlite:///$(OUT)/demo.db \
	    --at $(AS_OF)T18:00:00
	$(PY) -m contraband.cli.main seller show S000 --db sqlite:///$(OUT)/demo.db \
	    --at $(AS_OF)T18:00:00 --json | $(PY) -c "import json,sys; d=json.load(sys.stdin); \
	    print(d['seller_id'], d['active_points'], 'points;', [s['kind'] for s in d['sanctions']])"
	$(PY) demo/screenshots.py --db sqlite:///$(OUT)/demo.db --policy policies/default \
	    --at $(AS_OF)T18:00:00 --out $(OUT) --seller S000
	@echo
	@echo "verdicts: $(OUT)/demo-verdicts.jsonl"
	@echo "ledger:   $(OUT)/demo.db  (try: $(PY) -m contraband.cli.main seller show S001 --db sqlite:///$(OUT)/demo.db)"
	@echo "report:   $(OUT)/demo-report.html  (open it in a browser)"
	@echo "console:  $(OUT)/console-*.png  (or: $(PY) -m contraband.cli.main serve --db sqlite:///$(OUT)/demo.db, then /console)"

test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	    (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
	     apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will skip"
	@command -v java >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	    (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
	     apt-get install -y -qq default-jre-headless >/dev/null) || echo "java not installed: Spark tests will skip"
	@test -f $(VENV)/axe/node_modules/axe-core/axe.min.js || ! command -v npm >/dev/null 2>&1 || \
	    npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4.10.2 >/dev/null 2>&1 || \
	    echo "axe-core not installed: the console's accessibility audit will skip"
	$(PY) -m pytest -n 2 -p no:cacheprovider

# The inner loop: everything but the slow durability and leak tests.
test-fast: $(STAMP)
	$(PY) -m pytest -n 2 -p no:cacheprovider -m "not slow"

# Lint, types and the declared import layers (pyproject.toml); CI runs this before the tests.
lint: $(STAMP)
	$(PY) -m ruff check src tests bench demo
	$(PY) -m mypy src
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	$(PY) bench/throughput.py
	$(PY) bench/quality.py
	$(PY) bench/scan.py
	$(PY) bench/ledger.py
	$(PY) bench/category.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
