"""The model alone: RLinf's ``predict_action_batch`` on a task's real observations, timed on one device.

Why: a run's rollout rate means little without what its policy alone does on the same batch; the GPU jobs
(``run_on_gpu.sh gr00t|openpi``) run this once per host before training, so the two compare on one host.

    python benchmarks/model_alone.py --config_name CFG --model_path P [--calls 10] [--device cuda]
        [--json out.json] [key=value ...]

The config's train task is built with ``env.train.total_num_envs`` envs as RLinf's env worker builds it
and reset once; RLinf's model for ``rollout.model`` is built as its rollout worker builds it (``get_model``
with our model family installed), moved to the device, and asked for one chunk in ``mode="train"`` (the
rollout's call, sampling and log-probs included) once to warm up, then ``--calls`` times, synchronised.
Then the env steps one predicted chunk twice (``chunk_step``, as the rollout does): the first call compiles
the simulator's step kernels into this host's cache, so a training run after it does not spend its first
rollout epoch compiling (131 s for Franka Reach on an H100); the second is the env's time for a chunk.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time

import torch
from omegaconf import OmegaConf, open_dict


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config_name", required=True)
    p.add_argument("--model_path", required=True)
    p.add_argument("--calls", type=int, default=10)
    p.add_argument("--device", default="cuda")
    p.add_argument("--json", default=None)
    p.add_argument("overrides", nargs="*")
    args = p.parse_args(argv)

    import isaaclab_rlinf
    from isaaclab_rlinf.cli.config import build_config
    from isaaclab_rlinf.models.families import install
    from isaaclab_rlinf.rollout import build_env, env_config

    cfg = build_config(argparse.Namespace(command="train", **vars(args)))
    isaaclab_rlinf.register()
    install(cfg)

    train = cfg.env.train
    num_envs = int(train.total_num_envs)
    block = OmegaConf.to_container(train.isaaclab, resolve=True)
    env_cfg = env_config(block, train.init_params.id, device=args.device, in_process=True)
    env_cfg.init_params.env_cfg = OmegaConf.to_container(train.init_params.get("env_cfg") or {}, resolve=True)
    env = build_env(env_cfg, num_envs)
    obs, _ = env.reset()

    from rlinf.models import get_model

    # as RLinf's rollout worker: the actor's model config with the rollout's precision
    model_cfg = copy.deepcopy(cfg.actor.model)
    with open_dict(model_cfg):
        model_cfg.precision = cfg.rollout.model.precision
    t = time.perf_counter()
    model = get_model(model_cfg)
    model.to(args.device)  # in place: RLinf's GR00T policy's .to/.eval return None
    model.eval()
    build_s = time.perf_counter() - t

    cuda = args.device.startswith("cuda")

    def timed(fn) -> tuple[float, object]:
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        out = fn()
        if cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - start, out

    @torch.no_grad()
    def predict() -> torch.Tensor:
        return model.predict_action_batch(env_obs=obs, mode="train")[0]

    warmup, actions = timed(predict)
    times = [timed(predict)[0] for _ in range(args.calls)]
    steps = [timed(lambda: env.chunk_step(actions.float()))[0] for _ in range(2)]
    env.close()
    chunk = int(cfg.actor.model.num_action_chunks)
    median = statistics.median(times)
    result = {
        "config": args.config_name,
        "model_type": str(cfg.actor.model.model_type),
        "num_envs": num_envs,
        "action_chunk": chunk,
        "device": torch.cuda.get_device_name() if cuda else args.device,
        "build_s": round(build_s, 2),
        "warmup_s": round(warmup, 3),
        "predict_s": [round(x, 4) for x in times],
        "predict_median_s": round(median, 4),
        "env_steps_per_s": round(num_envs * chunk / median, 1),
        "env_first_chunk_step_s": round(steps[0], 3),
        "env_chunk_step_s": round(steps[1], 4),
        "peak_gpu_mem_mib": round(torch.cuda.max_memory_allocated() / 2**20) if cuda else None,
    }
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()
