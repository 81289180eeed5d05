# Analysis compendium: National IT strategy in the turbulent English NHS.
# `make all` rebuilds every processed table, notebook output and figure; `make test` checks them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# Independent steps (the two build stages, the notebooks) run in parallel, one job per
# core, unless make is given -j itself (GNU make 4.3 does not show a command-line -j
# here, but it wins over this default). Sub-makes share their parent's jobs.
NPROC := $(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
ifeq ($(MAKELEVEL)$(filter -j%,$(MAKEFLAGS)),0)
MAKEFLAGS += -j$(NPROC)
endif

# Reproducibility: the same environment for every step, notebook kernels included.
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export TZ := UTC
export LC_ALL := C.UTF-8
export SOURCE_DATE_EPOCH := 946684800
# Python keeps compiled modules (__pycache__/, git-ignored), whatever the shell says: every
# step, kernel and test process imports the package, and compiling it again cost each ~0.3 s.
export PYTHONDONTWRITEBYTECODE :=
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# The interpreter that builds .venv: PYTHON=... overrides; otherwise the first of
# python3.11, python3.12, python3.13 on the PATH, else python3 when it is 3.11.5-3.13.
SUPPORTED_PYTHONS := python3.11 python3.12 python3.13
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in $(SUPPORTED_PYTHONS) python3; do \
  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))' 2>/dev/null \
  && { echo $$p; break; }; done)
endif
# Fails with the names it looked for when no interpreter fits (or PYTHON= is out of range).
CHECK_PYTHON = @test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))' 2>/dev/null \
  || { echo "error: no supported Python: looked for $(SUPPORTED_PYTHONS) and python3 (3.11.5-3.13; the lock needs 3.11.5 or later)$(if $(PYTHON), (PYTHON=$(PYTHON) is not 3.11.5-3.13)); install one or set PYTHON=/path/to/python3.1x" >&2; exit 2; }
WHEELHOUSE := build/wheelhouse
# Offline route: with a wheelhouse present, pip never asks an index.
PIP_SOURCE = $(if $(wildcard $(WHEELHOUSE)/*.whl),--no-index --find-links $(WHEELHOUSE))
# The lock tool, itself pinned so that `make lock` writes the same file everywhere.
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
# Which study to process: demo (shipped, synthetic) or private (data/raw/private/, git-ignored).
STUDY ?= demo

ifeq ($(STUDY),private)
# Everything derived from the private study goes under one git-ignored root.
STUDY_DIR := data/raw/private
STAMPS := build/private/stamps
STUDY_ENV := ANALYSIS_PROCESSED=$(CURDIR)/build/private/processed \
             ANALYSIS_FIGURES=$(CURDIR)/build/private/figures \
             ANALYSIS_TABLES=$(CURDIR)/build/private/tables
# the public documents (and their allowlisted contact addresses) are not the study's
PRIVACY_ROOTS := $(foreach d,processed/interviews notebooks figures tables,--root build/private/$(d))
else
STUDY_DIR := data/raw/interviews/demo
STAMPS := build/stamps
STUDY_ENV :=
PRIVACY_ROOTS :=
endif

PKG_RESOURCES := $(wildcard analysis/resources/* analysis/resources/*/*)
PKG := $(wildcard analysis/*.py analysis/*/*.py) $(PKG_RESOURCES)
TIMELINE := $(wildcard data/raw/timeline/*.csv)
CODEBOOK := data/raw/codebook/sst_codebook.yml
# a QualCoder project in coding/ is a folder: its database is one level deeper; coding
# rounds (coding/round-1/ ...) hold projects, a .qde's sources/ and QualCoder folders.
# Listed by find, with each space escaped: a researcher's file names have spaces
# ("P01 interview.docx"), and make would split them into names of files that do not exist.
ESCAPE_SPACES := sed 's/ /\\ /g'
INTERVIEWS_IN := $(shell { find $(STUDY_DIR) -mindepth 1 -maxdepth 2; \
  find $(STUDY_DIR)/coding -mindepth 2 -maxdepth 3; } 2>/dev/null \
  | grep -v -e '/\.' -e '/README\.md$$' | LC_ALL=C sort | $(ESCAPE_SPACES))
# `make all` validates again only when an input, a folder of them (a file added or removed)
# or the package changed: what a no-op run would check is what it checked last time.
RAW_INPUTS := $(shell find data/raw -not -path '*/.*' 2>/dev/null | $(ESCAPE_SPACES))
VALIDATED := build/validated.stamp
DOCUMENTS_IN := data/raw/documents.csv $(wildcard data/raw/documents/*/*)
PROCESSED_STAMPS := $(STAMPS)/interviews-$(STUDY) $(STAMPS)/documents
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NB_STAMPS := $(patsubst notebooks/%.ipynb,$(STAMPS)/nb-%,$(NOTEBOOKS))

# Each notebook's stamp depends on the package modules it imports, directly or not, and
# the build stamps on those of `python -m analysis build` (BUILD_DEPS): both computed
# from the import lines by tools/notebook_deps.py (standard library only, so the system
# Python runs it before .venv exists). Until it is written, everything in analysis/ counts.
NB_DEPS_MK := build/notebook-deps.mk
-include $(NB_DEPS_MK)
BUILD_DEPS ?= $(PKG)
$(NB_DEPS_MK): tools/notebook_deps.py $(NOTEBOOKS) $(filter %.py,$(PKG))
	$(CHECK_PYTHON)
	$(PYTHON) tools/notebook_deps.py $@ $(NOTEBOOKS)

.PHONY: help all env processed notebooks figures test lab clean lock wheelhouse check-offline check-pythons privacy-check validate verify fetch-documents report bench chromium

help: ## show this help
	@echo "Usage: make <target>"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-16s %s\n", $$1, $$2}'

all: env $(VALIDATED) processed notebooks privacy-check ## rebuild data/processed/, every notebook and every figure

# ---------------------------------------------------------------- environment
env: $(VENV)/.stamp ## create .venv from the hashed requirements.lock (from build/wheelhouse/ when present)

$(VENV)/.stamp: requirements.lock
	$(CHECK_PYTHON)
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) -V 2>&1))"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: $(PIP_SOURCE) -r requirements.lock
	@# the package itself: a path entry, so edits take effect without reinstalling
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'analysis-compendium.pth').write_text('$(CURDIR)\n')"
	$(PY) -m ipykernel install --sys-prefix --name analysis --display-name "Python (analysis)" >/dev/null
	@# warm the font cache so that no notebook prints "building the font cache"
	$(PY) -c "import matplotlib.pyplot"
	@touch $@

lock: ## re-resolve requirements.in into the hashed requirements.lock, keeping its versions (needs the network)
	$(CHECK_PYTHON)
	@test -x build/lock-venv/bin/uv || { rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv \
	  && build/lock-venv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	@mkdir -p build
	@# the versions already locked (hashed lines or plain name==version lines added by hand) are kept
	sed -nE 's/^([A-Za-z0-9_.-]+==[^ ;\\]+).*/\1/p' requirements.lock > build/lock-constraints.txt
	UV_PYTHON_DOWNLOADS=never build/lock-venv/bin/uv pip compile requirements.in \
	  $(if $(UPGRADE),,--constraint build/lock-constraints.txt) --universal --python-version 3.11.5 \
	  --generate-hashes --no-header --no-annotate --quiet -o build/requirements.lock.new
	{ echo "# Exact, hashed pins of every package for Python 3.11-3.13 on every platform, generated by"; \
	  echo "# \`make lock\` (uv pip compile --universal --generate-hashes) from requirements.in, keeping the"; \
	  echo "# versions already here; \`make lock UPGRADE=1\` re-resolves to the newest. Do not edit by hand,"; \
	  echo "# except to add a plain name==version line before running \`make lock\`."; \
	  cat build/requirements.lock.new; } > requirements.lock
	$(PYTHON) tools/environment_yml.py

wheelhouse: ## download every locked wheel for this platform and .venv's Python into build/wheelhouse/
	$(CHECK_PYTHON)
	$(PYTHON) -m pip download --quiet --disable-pip-version-check --require-hashes --only-binary :all: \
	  -d $(WHEELHOUSE) -r requirements.lock
	@echo "$(WHEELHOUSE): $$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels for $$($(PYTHON) -V 2>&1); make env now installs from it with --no-index"

check-offline: ## build a throwaway .venv from build/wheelhouse/ (made first if missing) with every index unreachable
	$(if $(wildcard $(WHEELHOUSE)/*.whl),,$(MAKE) --no-print-directory wheelhouse)
	rm -rf build/offline-venv
	@# no pip config (no find-links or extra index of this machine), an index on a closed port
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null PIP_INDEX_URL=http://127.0.0.1:9/simple \
	  $(MAKE) --no-print-directory env VENV=build/offline-venv
	build/offline-venv/bin/python -c "import analysis.figures, pandas, matplotlib.pyplot, jupyterlab, nbval"
	rm -rf build/offline-venv
	@echo "check-offline: .venv built from $(WHEELHOUSE) with no index"

check-pythons: ## build the locked environment with each of Python 3.11, 3.12, 3.13 found here; name those missing
	bash tools/check_pythons.sh $(SUPPORTED_PYTHONS)

# ---------------------------------------------------------------- data
validate: env ## check every input under data/raw/ (exit 2 with one line per problem)
	$(PY) -m analysis validate

$(VALIDATED): $(RAW_INPUTS) $(PKG) $(VENV)/.stamp
	$(PY) -m analysis validate
	@mkdir -p $(@D) && touch $@

processed: $(PROCESSED_STAMPS) ## rebuild data/processed/ from data/raw/ (STUDY=demo or private)

$(STAMPS)/interviews-$(STUDY): $(INTERVIEWS_IN) $(CODEBOOK) $(BUILD_DEPS) $(PKG_RESOURCES) $(VENV)/.stamp
	@mkdir -p $(STAMPS)
	@# one processed study at a time: building this one makes the other's stamp stale
	@# (the notebooks that read it depend on this stamp: they re-run, the others need not)
	@rm -f $(STAMPS)/interviews-* $(STAMPS)/privacy-check
	$(STUDY_ENV) $(PY) -m analysis build interviews --study $(STUDY)
	@touch $@

$(STAMPS)/documents: $(DOCUMENTS_IN) $(CODEBOOK) $(TIMELINE) $(BUILD_DEPS) $(PKG_RESOURCES) $(VENV)/.stamp
	@mkdir -p $(STAMPS)
	$(STUDY_ENV) $(PY) -m analysis build documents
	@touch $@

fetch-documents: env ## download the manifest's documents not shipped here (needs the network; never run by all/test)
	$(PY) -m analysis documents fetch

# ---------------------------------------------------------------- notebooks and figures
# Notebooks whose inputs changed run, as many at a time as make has jobs (one per core
# by default), each printing one line when it is done; this target then says how many
# ran at a time (JOBS: the -j of this make, read in a recipe, where MAKEFLAGS holds it).
JOBS = $(if $(filter -j%,$(MAKEFLAGS)),$(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),unlimited),1)
notebooks: $(NB_STAMPS) ## execute every notebook in place with its default parameters
	@echo "notebooks: $(words $(NB_STAMPS)) up to date; make ran $(JOBS) jobs at a time on $(NPROC) cores"
figures: notebooks ## write every figure (figures/*.png, *.svg and provenance sidecars)

# A notebook waits for, and re-runs after, only the build stage whose output it reads
# (written to $(NB_DEPS_MK) with its modules; until then, both).
ifndef NB_READS_KNOWN
$(NB_STAMPS): $(PROCESSED_STAMPS)
endif
ifeq ($(STUDY),private)
# A private study's notebook runs with parameters from study.yml and from the processed
# interviews (the coders and tiers present). One command writes each notebook's to
# $(STAMPS)/params-<notebook>.json, rewriting only those that changed: a notebook re-runs
# when its own parameters change, not whenever study.yml or the coding does.
NB_PARAMS := $(STAMPS)/params-%.json
$(STAMPS)/params.checked: $(NOTEBOOKS) $(STAMPS)/interviews-$(STUDY) $(PKG) $(VENV)/.stamp
	@$(STUDY_ENV) $(PY) -m analysis notebook parameters $(NOTEBOOKS) --study $(STUDY) --out $(STAMPS)
	@touch $@
# (named, not a pattern: make would delete the files it made by a pattern as intermediate)
$(patsubst notebooks/%.ipynb,$(STAMPS)/params-%.json,$(NOTEBOOKS)): $(STAMPS)/params.checked ;
endif
$(STAMPS)/nb-%: notebooks/%.ipynb $(PKG_RESOURCES) $(TIMELINE) $(CODEBOOK) $(NB_PARAMS) $(VENV)/.stamp
	@mkdir -p $(STAMPS)
	@$(STUDY_ENV) $(PY) -m analysis notebook run $< --study $(STUDY)
	@touch $@

# ---------------------------------------------------------------- checks
# No stamp: a leak planted after the last build must fail the next `make all`. The check
# keeps a fingerprint of every file it found clean (hashed path, size, times, inode; with
# the keys', allowlists' and its own code's hashes), outside the trees it reads: it
# re-reads only what changed, and a file with findings every time.
PRIVACY_CACHE := build/privacy-check$(if $(filter private,$(STUDY)),-private).json
privacy-check: $(NB_STAMPS) ## fail if any identifier reaches data/processed/, figures/, notebooks (STUDY=private: build/private/)
	$(STUDY_ENV) $(PY) -m analysis privacy check --cache $(PRIVACY_CACHE) $(PRIVACY_ROOTS)

# The notebooks write their figures (and HTML tables) to a temporary folder (figures/ is
# never touched), then every figure file made there is compared with the committed bytes.
# The demo is always what is tested; STUDY=private also re-checks build/private/notebooks/
# with nbval. The first step runs on every core (pytest-xdist): whole files go to one
# worker each (--dist loadfile), so a notebook's cells run in order in one kernel and a
# file's module fixtures are made once; tests/conftest.py hands out the longest first.
# tests/early_imports.py, loaded before the other plugins, spares every pytest process an
# import that compiles a grammar; the figure comparison needs none of the plugins (a second
# and more of imports). TEST_WORKERS=1 runs the first step in one process. ONLY=notebooks
# runs nbval alone: over notebooks/ (then the figure comparison), or with STUDY=private over
# build/private/notebooks/ only, the check of a private build in seconds rather than minutes.
TEST_WORKERS ?= auto
NBVAL := --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p tests.early_imports -p no:cacheprovider
test: env ## unit tests, nbval (strict) over the demo notebooks, every figure compared; STUDY=private also checks build/private/notebooks/; ONLY=notebooks: nbval alone
ifneq ($(filter-out notebooks,$(ONLY)),)
	@echo "error: ONLY=$(ONLY): the one choice is ONLY=notebooks (nbval alone)" >&2; exit 2
endif
ifneq ($(STUDY)$(ONLY),privatenotebooks)
	@figs=$$(mktemp -d) && tables=$$(mktemp -d) && trap 'rm -rf "$$figs" "$$tables"' EXIT && \
	echo "figures of this run: $$figs" && \
	ANALYSIS_FIGURES=$$figs ANALYSIS_TABLES=$$tables $(PY) -m pytest $(if $(ONLY),,tests analysis --doctest-modules) \
	  --nbval notebooks $(NBVAL) \
	  $(if $(filter 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder) && \
	ANALYSIS_BUILT_FIGURES=$$figs $(PY) -m pytest tests/test_figure_bytes.py -q -p no:cacheprovider \
	  -p no:nbval -p no:xdist -p no:hypothesispytest -p no:anyio
endif
ifeq ($(STUDY),private)
	$(STUDY_ENV) $(PY) -m pytest --nbval build/private/notebooks $(NBVAL)
endif

# Address and token on the command line, so that a ~/.jupyter setting (ip='*', an empty
# token) cannot open the study's data to the network; root (a container) gets a warning.
LAB_TOKEN ?= $(shell $(PY) -c "import secrets; print(secrets.token_hex(24))" 2>/dev/null)
lab: env ## open JupyterLab on this project (127.0.0.1 only, with a token)
	@if [ "$$(id -u)" = 0 ]; then echo "warning: running JupyterLab as root (a container?); notebooks can change any file on this system" >&2; fi
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) --ServerApp.ip=127.0.0.1 \
	  --IdentityProvider.token=$(LAB_TOKEN) --ServerApp.allow_remote_access=False \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: thesis
THESIS_DIR := $(if $(filter private,$(STUDY)),build/private/thesis,build/thesis)
thesis: $(PROCESSED_STAMPS) ## thesis tables, quote bank and codebook appendix in build/thesis/ (STUDY=private: build/private/thesis/)
	$(STUDY_ENV) $(PY) -m analysis thesis --study $(STUDY)
	$(PY) -m analysis privacy check --root $(THESIS_DIR)

REPORT_DIR := $(if $(filter private,$(STUDY)),build/private/report,build/report)
report: env privacy-check ## HTML report in build/report/ (STUDY=private: build/private/report/), then leak-checked
	$(STUDY_ENV) $(PY) -m analysis report --study $(STUDY)
	$(PY) -m analysis privacy check --root $(REPORT_DIR)
	@echo "report checked for identifiers: done"

bench: env ## scale benchmark and the researcher's loop (SCALE=0.05 quick; BEFORE=old.json; SCALES="0.25 0.5 1 2": growth; PRIVATE_ONLY=1: the loop only)
	$(if $(SCALES),$(PY) bench/scaling.py $(SCALES),$(PY) bench/run.py $(if $(SCALE),--scale $(SCALE) --out build/bench_results.json) $(if $(BEFORE),--before $(BEFORE)) $(if $(PRIVATE_ONLY),--private-only))

chromium: ## install Debian's chromium and chromium-driver when missing (browser tests)
	bash tools/install_chromium.sh

verify: env ## rebuild in a clean clone of HEAD with $(PYTHON); compare every artefact, environment lines apart
	$(PY) -m analysis verify --python $(PYTHON)

clean: ## remove build products and the environment (committed outputs stay)
	rm -rf build $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
