"""Where ``isaaclab-rlinf train`` spends its time before the first epoch, phase by phase, on CPU.

Runs the launcher's own steps for the packaged cartpole config (4 envs) in order and times each: the CLI's
imports and config composition, :func:`~isaaclab_rlinf.launcher.preflight`, the live task check (the task
built with one env), RLinf's ``validate_cfg`` (which starts Ray and RLinf's manager actors), the placement,
then the workers: each group's ``launch`` (RLinf creates the Ray actors without waiting), the moment each
worker process is up (its imports done: ``__ray_ready__``), and ``init_worker``. Without a GPU RLinf's
actor cannot be built, so the actor row is a process that imports RLinf's FSDP actor module and does
nothing else, and the env + policy worker (``EnvPolicyWorker``, the default on one device) runs with
``CpuTorchPlatform`` for RLinf's accelerator module (its sim and model on CPU, as in
``tests/fixtures/rollout_both_ways.py``). The live task check runs in line (with a GPU the launcher runs it
in a subprocess while Ray starts). As the launcher does, the worker classes' modules are imported in a
background thread while Ray starts (``launcher.prefetch_worker_modules``); ``--no_prefetch`` leaves them
to the placement step, as before. Timings on a shared 2-core CPU are noisy: compare runs side by side.
Usage:
  python benchmarks/bench_startup.py [--no_prefetch] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()


class CpuTorchPlatform:
    """Test double for ``torch.cuda`` as RLinf's ``Worker.torch_platform``: the CPU, no cache."""

    @staticmethod
    def current_device() -> str:
        return "cpu"

    @staticmethod
    def empty_cache() -> None:
        pass

    @staticmethod
    def is_available() -> bool:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no_prefetch", action="store_true", help="no background import of the workers")
    parser.add_argument("--json", default=None, help="write the timings here")
    args = parser.parse_args()
    phases: dict[str, float] = {}
    last = [T0]

    def mark(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - last[0], 2)
        last[0] = now
        print(f"{name:>34}: {phases[name]:6.2f} s   (t = {now - T0:6.2f} s)", flush=True)

    from isaaclab_rlinf.cli import parse_args
    from isaaclab_rlinf.cli.config import build_config
    from isaaclab_rlinf.launcher import (
        prefetch_worker_modules,
        preflight,
        prepare_environment,
        validate_with_rlinf,
        write_config,
    )

    mark("import launcher")
    work = Path(tempfile.mkdtemp(prefix="startup"))
    argv = ["train", "--num_envs", "4", f"runner.logger.log_path={work}"]
    # RLinf's weight syncer buffers on the accelerator by default; none here
    cfg = build_config(parse_args([*argv, "+weight_syncer.bucket.bucket_device=cpu"]))
    mark("compose config")
    specs = preflight(cfg, None)
    mark("preflight")

    from isaaclab_rlinf.preflight import check_tasks_live

    check_tasks_live(cfg, specs)
    mark("live task check (1 env)")
    prepare_environment(write_config(cfg, work), None)
    if not args.no_prefetch:
        prefetch_worker_modules()
    cfg = validate_with_rlinf(cfg)
    mark("validate_cfg (Ray + managers)")

    import torch.multiprocessing as mp
    from rlinf.scheduler import Cluster, Worker
    from rlinf.utils.placement import HybridComponentPlacement

    from isaaclab_rlinf.launcher import resolve_workers_mode
    from isaaclab_rlinf.workers import EnvPolicyWorker

    mp.set_start_method("spawn", force=True)
    cluster = Cluster(cluster_cfg=cfg.cluster)
    placement = HybridComponentPlacement(cfg, cluster)
    mode = resolve_workers_mode(cfg, placement)
    mark(f"cluster + placement ({mode})")

    class ActorImports(Worker):
        """Stands for RLinf's FSDP actor (needs an accelerator): its module's imports only."""

        def __init__(self) -> None:
            super().__init__()
            import rlinf.workers.actor.fsdp_actor_worker  # noqa: F401

    class CpuEnvPolicyWorker(EnvPolicyWorker):
        def __init__(self, cfg) -> None:
            self.torch_platform = CpuTorchPlatform()
            super().__init__(cfg)

    actor = ActorImports.create_group().launch(cluster, name=cfg.actor.group_name)
    env = CpuEnvPolicyWorker.create_group(cfg).launch(cluster, name=cfg.rollout.group_name)
    mark("launch groups (returns)")
    actor._is_ready().wait()
    mark("actor process up (imports)")
    env._is_ready().wait()
    mark("env+policy process up (imports)")
    env.init_worker().wait()
    mark("env+policy init_worker (sim, model)")
    phases["total"] = round(time.perf_counter() - T0, 2)
    print(f"{'total':>34}: {phases['total']:6.2f} s", flush=True)
    if args.json:
        meta = {"prefetch": not args.no_prefetch, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
        Path(args.json).write_text(json.dumps({"meta": meta, "phases_s": phases}, indent=2) + "\n")
    import ray

    ray.shutdown()


if __name__ == "__main__":
    main()
