"""Run one benchmark case in a fresh Python process and read back the number it prints.

One IsaacLab simulation per process, and ``before`` (a directory holding an older ``isaaclab_rlinf/``)
put first on the child's path, so a change is timed before and after in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys


def run_child(script: str, args: list[str], before: str | None = None) -> float:
    """``python script *args`` must print ``RESULT <float>``; its last such line is returned."""
    env = os.environ.copy()
    if before:
        env["PYTHONPATH"] = os.pathsep.join([os.path.abspath(before), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        code = f" with {before}" if before else ""
        raise SystemExit(f"{os.path.basename(script)} {' '.join(args)}{code} failed (rc={proc.returncode})")
    return float(lines[-1].split()[1])
