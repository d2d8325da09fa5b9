"""Turn the metric tables RLinf prints per epoch (train) or its eval dict (play) into JSON and markdown.

Usage: python benchmarks/gpu/parse_train_log.py train.log [--num_envs 256 --steps 128]
           [--meta train_meta.json] [--json out.json]
Env-steps/s per epoch = num_envs * steps_per_epoch / step time (RLinf's ``step`` timer). The JSON is
``{"meta": <run_meta.py output>, "num_envs", "steps_per_epoch", "epochs": [...], "eval": {...}}``.
"""

from __future__ import annotations

import argparse
import json
import re

_STEP = re.compile(r"Global Step:\s+(\d+)/(\d+)")
_KV = re.compile(r"([A-Za-z_][\w/]*)=(-?[0-9.]+(?:e[-+]?\d+)?)")
# EmbodiedEvalRunner logs {'eval/return': 4.98, ...} (values possibly wrapped: tensor(4.98), np.float32(...))
_EVAL = re.compile(r"'eval/([\w/]+)':\s*(?:[\w.]+\()?(-?[0-9.]+(?:e[-+]?\d+)?)")
COLUMNS = (
    ("epoch", "epoch"),
    ("step", "step s"),
    ("env_steps_per_s", "env-steps/s"),
    ("env/env_interact_step", "env interact s"),
    ("rollout/predict", "rollout predict s"),
    ("rollout/generate_one_epoch", "rollout epoch s"),
    ("env/env/send_rollout_trajectories", "send traj s"),
    ("actor/run_training", "actor train s"),
    ("return", "return"),
    ("episode_len", "episode len"),
    ("success_once", "success"),
)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def parse_eval(text: str) -> dict[str, float]:
    """The last eval metrics dict in the log (``play``), by metric name without the ``eval/`` prefix."""
    metrics: dict[str, float] = {}
    for line in _plain(text).splitlines():
        found = dict(_EVAL.findall(line))
        if found:
            metrics = {k: float(v) for k, v in found.items()}
    return metrics


def parse(text: str, num_envs: int, steps: int) -> list[dict]:
    rows: list[dict] = []
    for line in _plain(text).splitlines():
        m = _STEP.search(line)
        if m:
            rows.append({"epoch": int(m.group(1))})
        elif rows:
            for key, value in _KV.findall(line):
                rows[-1].setdefault(key, float(value))
    for row in rows:
        if row.get("step"):
            row["env_steps_per_s"] = num_envs * steps / row["step"]
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(h for _, h in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = [row.get(k) for k, _ in COLUMNS]
        lines.append("| " + " | ".join("" if c is None else f"{c:.4g}" for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("log")
    parser.add_argument("--num_envs", type=int, default=256)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--meta", default=None, help="the run's <job>_meta.json from run_on_gpu.sh")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    with open(args.log, errors="replace") as f:
        text = f.read()
    rows, evals = parse(text, args.num_envs, args.steps), parse_eval(text)
    if rows:
        print(markdown(rows))
    if evals:
        print("eval: " + ", ".join(f"{k} {v:.4g}" for k, v in evals.items()))
    if args.json:
        meta = None
        if args.meta:
            with open(args.meta) as f:
                meta = json.load(f)
        result = {"meta": meta, "num_envs": args.num_envs, "steps_per_epoch": args.steps, "epochs": rows}
        if evals:
            result["eval"] = evals
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
