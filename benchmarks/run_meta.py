"""What a benchmark or training run needs beside its numbers to be repeated: device, packages, command.

Every results JSON under ``benchmarks/results/`` carries this under ``"meta"``. Used as a module by the
benchmark scripts and from the shell by ``benchmarks/gpu/run_on_gpu.sh``:
  python benchmarks/run_meta.py -- isaaclab-rlinf train ...   # prints the JSON
"""

from __future__ import annotations

import datetime
import importlib.metadata as md
import json
import os
import platform
import shlex
import subprocess
import sys

PACKAGES = (
    "isaaclab-rlinf", "isaaclab", "rlinf", "torch", "ray", "transformers", "warp-lang", "newton",
    "mujoco-warp", "gymnasium", "rlinf-openpi", "rlinf-transformer-openpi",
)  # fmt: skip


def _device_name() -> str:
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=True,
        )  # fmt: skip
        return out.stdout.strip().replace("\n", "; ")
    except (OSError, subprocess.SubprocessError):
        return f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def run_meta(command: list[str] | None = None) -> dict:
    """Device, package versions, the command (default: this process's argv) and the code's commit."""
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "device": _device_name(),
        "python": platform.python_version(),
        "packages": {d: _version(d) for d in PACKAGES},
        # the GPU host gets a copy of the tree without .git: the caller passes the commit in
        "commit": os.environ.get("GIT_COMMIT") or _git_commit(),
        "command": shlex.join(command if command is not None else [sys.executable, *sys.argv]),
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(run_meta(args[1:] if args[:1] == ["--"] else args), indent=1))
