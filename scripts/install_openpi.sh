#!/usr/bin/env bash
# Create .venv-openpi (Python 3.12): this project editable (with its dev extra), rlinf, isaaclab and the
# openpi family (requirements/openpi.txt), for `model_type: openpi` configs (pi0 / pi0.5).
# A second venv because openpi's transformers (rlinf-transformer-openpi 4.53.2, imported as `transformers`)
# and GR00T N1.5's (4.51.3, .venv) cannot share one; RLinf itself installs one environment per model family.
# Idempotent: a second run with nothing changed returns in about a second (stamp file, as scripts/install.sh).
# Only PyPI is needed; jax comes as CPU wheels (openpi's PyTorch path imports it but does not run it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif python3.12 -c '' 2>/dev/null; then PY=python3.12
else PY=/root/.pyenv/versions/3.12.1/bin/python; fi
venv=${OPENPI_VENV:-.venv-openpi}
stamp=$venv/.install-stamp
want=$(cat pyproject.toml requirements/openpi.txt requirements/openpi-overrides.txt requirements/openpi-excludes.txt \
  | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
[ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip uv
# overrides bend rlinf-openpi's pins (torch, numpy, jax[cuda12]); excludes drop the plain transformers
# (rlinf-transformer-openpi is one), lerobot and gym-aloha.
"$venv/bin/python" -m uv pip install --python "$venv/bin/python" \
  --override requirements/openpi-overrides.txt --excludes requirements/openpi-excludes.txt \
  -e '.[dev]' -r requirements/openpi.txt
"$venv/bin/python" -c 'import openpi.models_pytorch.pi0_pytorch, transformers; print("openpi ok, transformers", transformers.__version__)'
echo "$want" > "$stamp"
