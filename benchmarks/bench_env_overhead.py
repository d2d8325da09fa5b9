"""Our env class's own cost per env step, around a zero-cost stand-in for the simulator (CPU is fine).

The simulator is replaced by ``StandInSim`` (a test double: it returns fixed IsaacLab-shaped buffers),
so what is timed is only ``IsaacLabGenericEnv.chunk_step``: action padding, observation mapping,
RLinf's bookkeeping. ``--before DIR`` times an older checkout's package (``DIR/isaaclab_rlinf``) side
by side, each case in a fresh process. On the GPU the same work costs kernel launches; see
``bench_env.py`` / ``profile_env_step.py`` for the real simulator. Usage:
  python benchmarks/bench_env_overhead.py [--before DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time

from bench_env import BLOCK, STATES_ONLY
from child import run_child
from run_meta import run_meta

# (envs, chunk, camera views mapped): the MLP config, the bench_env case, a GR00T-like chunk
CASES = [(256, 1, False), (1024, 8, False), (1024, 8, True), (256, 16, True)]


def per_step_us(num_envs: int, chunk: int, images: bool, calls: int) -> float:
    import torch

    from isaaclab_rlinf.env import IsaacLabGenericEnv
    from isaaclab_rlinf.rollout import env_config

    n = num_envs
    block = BLOCK if images else STATES_ONLY

    class StandInSim:  # test double for the IsaacLab env: fixed buffers, no physics, no rendering
        def __init__(self):
            cams = {c: torch.zeros(n, 96, 96, 3, dtype=torch.uint8) for c in ("front_camera", "side_camera")}
            self.obs = {
                "policy": {"joint_pos": torch.zeros(n, 2), "joint_vel": torch.zeros(n, 2)},
                "cameras": cams,
            }
            self.reward, self.flags = torch.zeros(n), torch.zeros(n, dtype=torch.bool)

        def reset(self, seed=None, env_ids=None):
            return self.obs, {"action_dim": 2, "termination_terms": ["success", "time_out"]}

        def step(self, action):
            return self.obs, self.reward, self.flags, self.flags, {"success": self.flags}

        def device(self):
            return "cpu"

        def close(self):
            pass

    class Env(IsaacLabGenericEnv):
        def _init_isaaclab_env(self):
            self.env = StandInSim()
            self.env_action_dim = 2

    env = Env(
        cfg=env_config(block, "stand-in"), num_envs=n, seed_offset=0, total_num_processes=1, worker_info=None
    )
    env.reset()
    actions = torch.zeros(n, chunk, 1)
    for _ in range(5):
        env.chunk_step(actions)
    start = time.perf_counter()
    for _ in range(calls):
        env.chunk_step(actions)
    return (time.perf_counter() - start) / (calls * chunk) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default=None, help="directory holding an older isaaclab_rlinf/")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--json", default=None)
    parser.add_argument("--case", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case is not None:
        print(f"RESULT {per_step_us(*CASES[args.case], args.calls)}")
        return

    rows = []
    print(
        f"{'envs':>5} {'chunk':>5} {'views':>5} {'us/step':>10}"
        + (f" {'before':>10} {'before/now':>10}" if args.before else "")
    )
    for i, (n, chunk, images) in enumerate(CASES):
        row = {"num_envs": n, "chunk": chunk, "images": images}
        for label, code in (("now", None), ("before", args.before)):
            if label == "now" or code:
                cmd = ["--case", str(i), "--calls", str(args.calls)]
                row[f"{label}_us_per_step"] = run_child(__file__, cmd, code)
        if args.before:
            row["before_over_now"] = row["before_us_per_step"] / row["now_us_per_step"]
        rows.append(row)
        extra = f" {row['before_us_per_step']:10.1f} {row['before_over_now']:9.2f}x" if args.before else ""
        print(
            f"{n:>5} {chunk:>5} {('2' if images else '0'):>5} {row['now_us_per_step']:10.1f}{extra}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": run_meta(), "calls": args.calls, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
