#!/usr/bin/env bash
# Install Isaac-GR00T N1.5 (`gr00t`, not on PyPI) and what it imports into the project venv.
#   bash scripts/install_gr00t.sh [SRC]      SRC: a clone of Isaac-GR00T (branch n1.5-release) or its .tar.gz;
#                                            default $GR00T_SRC, else ../shared/vendor/Isaac-GR00T-n1.5-*.tar.gz
# `make install-gr00t GR00T_SRC=PATH` runs it. SRC is never modified: it is copied to a temporary
# directory, built into a wheel there and installed non-editable with --no-deps (gr00t's own pins --
# ray 2.40, numpy<2, torch 2.5 -- would break RLinf and IsaacLab); requirements/gr00t.txt adds what it
# imports. Idempotent: nothing is done when SRC and requirements/gr00t.txt are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-${GR00T_SRC:-}}
if [ -z "$src" ]; then
  src=$(ls ../shared/vendor/Isaac-GR00T-n1.5-release-*.tar.gz 2>/dev/null | head -n1 || true)
fi
if [ -z "$src" ] || [ ! -e "$src" ]; then
  echo "install_gr00t: no GR00T source (got '${src}'). Fix: make install-gr00t GR00T_SRC=PATH with PATH a clone" \
       "of https://github.com/RLinf/Isaac-GR00T (git clone -b n1.5-release ...) or its .tar.gz." >&2
  exit 2
fi
PY=${VENV_PYTHON:-.venv/bin/python}
stamp=.venv/.gr00t-stamp
if [ -d "$src" ]; then
  srcsum=$(cd "$src" && find gr00t pyproject.toml -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum)
else
  srcsum=$(sha256sum < "$src")
fi
want=$(printf '%s\n%s\n' "$srcsum" "$(cat requirements/gr00t.txt requirements/overrides.txt)" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$PY" -c 'import gr00t' 2>/dev/null; then exit 0; fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/src"
if [ -d "$src" ]; then
  (cd "$src" && tar cf - --exclude=.git --exclude=build --exclude='*.egg-info' gr00t pyproject.toml \
     $(ls LICENSE README.md 2>/dev/null)) | tar xf - -C "$stage/src"
  root="$stage/src"
else
  tar xzf "$src" -C "$stage/src"
  root=$(dirname "$(find "$stage/src" -maxdepth 3 -name pyproject.toml | head -n1)")
fi
if [ ! -f "$root/gr00t/experiment/data_config.py" ] || [ ! -f "$root/gr00t/model/gr00t_n1.py" ]; then
  echo "install_gr00t: $src is not Isaac-GR00T's n1.5-release (no gr00t/model/gr00t_n1.py). Fix: git checkout n1.5-release." >&2
  exit 2
fi
# setuptools packs only .py files without this: the Eagle backbone's config/tokenizer files would be lost
printf 'recursive-include gr00t *.json *.txt *.typed\n' > "$root/MANIFEST.in"
"$PY" -m uv build -q --wheel --out-dir "$stage/dist" "$root"
"$PY" -m uv pip install -q --python "$PY" --override requirements/overrides.txt -r requirements/gr00t.txt
"$PY" -m uv pip install -q --python "$PY" --no-deps --reinstall "$stage"/dist/gr00t-*.whl
"$PY" -c 'import gr00t, os; assert os.path.isfile(os.path.join(os.path.dirname(gr00t.__file__), "model/backbone/eagle2_hg_model/config.json"))'
echo "$want" > "$stamp"
echo "install_gr00t: gr00t installed from $src"
