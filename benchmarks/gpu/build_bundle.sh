#!/usr/bin/env bash
# Build the offline bundle for the GPU host from this project's .venv: every distribution the host's
# image lacks (benchmarks/gpu/device-packages.txt, + this package's dist-info), copied file by file from the venv,
# trimmed, `tar | xz`, split into <=48 MiB parts (the 64 MiB a call carries, less the tree) under .bundle/ (git-ignored; carried one part per call).
# Usage: bash benchmarks/gpu/build_bundle.sh [--with-video] [--without-gr00t]
#   (video adds imageio-ffmpeg's ~30 MiB; --without-gr00t leaves out the GR00T section's distributions)
#        bash benchmarks/gpu/build_bundle.sh --openpi
#   the openpi family's extras from .venv-openpi (device-packages-openpi.txt: openpi, its transformers
#   4.53.2, what they import that neither the host nor the main bundle has) as .bundle/openpi-partNN, a
#   site of its own that run_on_gpu.sh puts before the main bundle's for the openpi jobs. The host's own
#   jax/flax/orbax (newer than .venv-openpi's CPU jax 0.5.3) are used, not run, by openpi's PyTorch path.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ " $* " == *" --openpi "* ]]; then
  bash scripts/install_openpi.sh
  py=.venv-openpi/bin/python list=benchmarks/gpu/device-packages-openpi.txt site=site-openpi prefix=openpi-part
else
  bash scripts/install.sh
  py=.venv/bin/python list=benchmarks/gpu/device-packages.txt site=site prefix=part
fi
rm -rf .bundle/"$prefix"* .bundle/stage && mkdir -p .bundle/stage/$site
$py - "$list" "$site" "$@" <<'PY'
import importlib.metadata as md, shutil, sys
from pathlib import Path

list_file, site_name, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
names, gr00t = [], False  # the GR00T section is the main list's last
for line in map(str.strip, open(list_file)):
    gr00t = gr00t or line.startswith("# GR00T")
    if line and not line.startswith("#") and not (gr00t and "--without-gr00t" in flags):
        names.append(line)
if "--with-video" not in flags:
    names = [n for n in names if n != "imageio_ffmpeg"]
site = Path(".bundle/stage") / site_name
skip = ("__pycache__", "/tests/", "/test/", "ray/jars/", "ray/rllib/", "warp/examples/", "newton/examples/",
        "ray/dashboard/client/src", "warp/tests/", "newton/tests/")
total = 0
for name in names:
    dist = md.distribution(name)
    for f in dist.files or []:
        rel = str(f)
        # .pyi files stay: isaaclab's lazy exports are read from them at import time
        if rel.startswith("..") or any(s in rel for s in skip) or rel.endswith(".pyc"):
            continue
        src = Path(dist.locate_file(f))
        if src.is_file():
            dst = site / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            total += src.stat().st_size
if site_name == "site":
    # This project's code travels with the working tree (put first on PYTHONPATH there); the bundle holds
    # only its dist-info, so entry points (the task plugins) are discovered.
    dist = site / "isaaclab_rlinf-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: isaaclab-rlinf\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(md.distribution("isaaclab-rlinf").read_text("entry_points.txt"))
print(f"{len(names)} distributions, {total / 2**20:.0f} MiB copied")
PY
tar -C .bundle/stage -c $site | xz -T0 -6 > .bundle/$site.tar.xz
split -b 48m -d .bundle/$site.tar.xz .bundle/$prefix
rm -rf .bundle/stage .bundle/$site.tar.xz
ls -la .bundle
