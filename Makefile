# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_REPORTS ?= 200

# Debian packages: Qt's runtime libraries (xcb and offscreen), a PostgreSQL server for the
# tests' throwaway instance, poppler for looking at letters, Xvfb for screenshots.
QT_DEBS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 libxcb-shape0 libxcb-randr0 fonts-dejavu-core
TEST_DEBS := $(QT_DEBS) postgresql poppler-utils

.PHONY: install run test test-ahead lint bench package system-deps test-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Installs the Debian packages that are missing, when run as root; otherwise says what is missing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing:$$missing"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Note: these system packages are missing and I am not root to install them:$$missing"; \
		echo "      tests that need them are skipped with a message."; \
	fi
endef

system-deps:
	$(call apt_install,$(QT_DEBS))

test-deps:
	$(call apt_install,$(TEST_DEBS))

# The demo database is encrypted like any other; its key is made once per machine into
# demo.key (mode 0600) beside it and passed as MOTTAGNING_DB_KEY, so this works headless
# without a keyring and without questions. Synthetic data only: see README, "Databases".
run: install system-deps
	@data="$$($(BIN)/python -c 'from mottagning.paths import user_data_dir; print(user_data_dir())')"; \
	db="sqlite:///$$data/demo.db"; keyfile="$$data/demo.key"; \
	mkdir -p "$$data"; \
	[ -s "$$keyfile" ] || (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > "$$keyfile"); \
	echo "Demo database: $$db (key in $$keyfile)"; \
	export MOTTAGNING_DB="$$db" MOTTAGNING_DB_KEY="$$(cat "$$keyfile")"; \
	$(BIN)/mottagning demo --reports $(DEMO_REPORTS) --seed 1 --if-empty && \
	$(BIN)/mottagning calibration demo --if-none && \
	$(BIN)/mottagning

# The suite runs in two parts: everything but the team-mode tests on one worker per core
# (pytest-xdist; each worker has its own throwaway PostgreSQL), then the team-mode tests
# (`-m postgres`: separate processes, timing on a server restart) alone, one at a time.
# Both parts always run; the exit status is the first failure's. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= auto
define run_suite
	@export QT_QPA_PLATFORM=offscreen MOTTAGNING_REQUIRE_PG=$$( [ "$$(id -u)" = 0 ] && echo 1 || echo 0 ) $(1); \
	status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not postgres" || status=$$?; \
	$(BIN)/python -m pytest -m postgres || { [ $$status -ne 0 ] || status=$$?; }; \
	exit $$status
endef

test: install test-deps
	$(call run_suite,)

# The whole suite with the wall clock a year ahead: it must pass on any date.
test-ahead: install test-deps
	$(call run_suite,MOTTAGNING_TEST_CLOCK_AHEAD_DAYS=365)

lint: install
	$(BIN)/ruff check .

# Every benchmark runs even when one misses its target; results in benchmarks/results.json.
bench: install
	@rm -f benchmarks/results.json; failed=""; \
	for script in benchmarks/bench_*.py benchmarks/fuzz_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || failed="$$failed $$script"; \
	done; \
	$(BIN)/python benchmarks/summary.py || failed="$$failed (a target missed)"; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed"; exit 1; fi

# The one-folder program in dist/mottagning/ (PyInstaller), then its smoke test from outside
# the source tree: --version, db upgrade, queue --json, the GUI offscreen. Not part of `make test`.
package: install system-deps
	$(BIN)/python -m pip install -q -e '.[dev,package]'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/pyinstaller/mottagning.spec
	sh packaging/smoke_test.sh dist/mottagning/mottagning

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build dist
