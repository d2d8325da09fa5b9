# Two entry points for a fresh machine; each installs what it needs first (scripts/install.sh, idempotent).
.PHONY: install demo test test-fast lint bench

install:
	bash scripts/install.sh

# The main job on the embedded task: RLinf training on a GPU, else a CPU inspection/rollout of the same config.
demo: install
	bash scripts/demo.sh

# The whole suite, simulator tests included (what CI runs).
test: install
	.venv/bin/python -m pytest -q

# Everything except the simulator tests.
test-fast: install
	.venv/bin/python -m pytest -q -m "not sim"

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench: install
	.venv/bin/python benchmarks/bench_converters.py
	.venv/bin/python benchmarks/bench_env_overhead.py
