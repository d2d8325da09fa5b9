# Two entry points for a fresh machine; each installs what it needs first (scripts/install.sh, idempotent).
.PHONY: install install-gr00t install-openpi demo test test-fast test-openpi lint bench

install:
	bash scripts/install.sh

# Isaac-GR00T N1.5 (`gr00t`, not on PyPI) from a source tree or .tar.gz into the venv; default: the archive in
# ../shared/vendor when there is one (CI). make install-gr00t GR00T_SRC=~/Isaac-GR00T
GR00T_SRC ?= $(firstword $(wildcard ../shared/vendor/Isaac-GR00T-n1.5-release-*.tar.gz))
install-gr00t: install
	bash scripts/install_gr00t.sh $(GR00T_SRC)

# The openpi family (pi0 / pi0.5) in its own venv, .venv-openpi: openpi's transformers 4.53.2 and GR00T's
# 4.51.3 cannot share one (requirements/openpi.txt). PyPI only.
install-openpi:
	bash scripts/install_openpi.sh

# The main job on the embedded task: RLinf training on a GPU, else a CPU inspection/rollout of the same config.
demo: install
	bash scripts/demo.sh

# The whole suite, simulator, GR00T and openpi tests included (what CI runs; GR00T is installed when its source
# is here). openpi has its own venv: its tests run there (main venv: skipped). From scratch on 2 CPU cores,
# install-openpi + test-openpi took 1 min 44 s (empty uv cache), 42 s + 55 s with a warm one.
test: install install-openpi $(if $(GR00T_SRC),install-gr00t)
	.venv/bin/python -m pytest -q
	.venv-openpi/bin/python -m pytest -q tests/test_openpi.py

# The pi0 / pi0.5 tests (tiny random models, real openpi code, CPU) in .venv-openpi; `make test` skips them.
test-openpi: install-openpi
	.venv-openpi/bin/python -m pytest -q tests/test_openpi.py

# Everything except the simulator tests.
test-fast: install
	.venv/bin/python -m pytest -q -m "not sim"

# Style, then the one-way imports of .importlinter (layers; no circles, function-level imports included).
lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

bench: install
	.venv/bin/python benchmarks/bench_converters.py
	.venv/bin/python benchmarks/bench_env_overhead.py
