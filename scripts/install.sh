#!/usr/bin/env bash
# Create .venv (Python 3.12) and install this project editable with its dev extra.
# Idempotent: a second run with nothing changed returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
# python3.12 on PATH may be a pyenv shim that refuses to run: probe it before use.
if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif python3.12 -c '' 2>/dev/null; then PY=python3.12
else PY=/root/.pyenv/versions/3.12.1/bin/python; fi
stamp=.venv/.install-stamp
want=$(cat pyproject.toml requirements/overrides.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip uv
# uv applies overrides (transformers 4.x beside isaaclab's 5.x pin), as RLinf's own pyproject does.
.venv/bin/python -m uv pip install --python .venv/bin/python --override requirements/overrides.txt -e '.[dev]'
echo "$want" > "$stamp"
