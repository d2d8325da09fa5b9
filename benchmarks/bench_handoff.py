"""What RLinf 0.3.0 costs to hand one rollout step between its env worker and its rollout worker (CPU).

Every rollout step RLinf's env worker sends ``EnvOutput(...).to_dict()``'s ``{"obs", "final_obs"}`` to the
rollout worker and receives a ``RolloutResult`` whose ``forward_inputs`` carries the images back (cnn_policy
returns them for training). This times that round trip with RLinf's real machinery: two minimal ``Worker``
subclasses in one Ray cluster, the runner's two ``Channel``s ("Env", "Rollout"), and the same
``send_to``/``recv_from`` calls, tags, route keys and merge/split functions as
``EnvWorker._run_interact_once`` and ``MultiStepRolloutWorker.generate_one_epoch``. No env and no model:
only the hand-off is timed. Each ``Channel.put``/``get`` is two hops (worker -> channel actor -> worker)
over gloo; a nested dict (the obs) is pickled whole at every hop, a dataclass of tensors (``RolloutResult``)
goes tensor by tensor. ``pickle_s`` is one hop's (de)serialization of the obs payload, timed in this
process with RLinf's own ``_object_to_tensor``/``_tensor_to_object``. Each case runs once per wire, side by
side: ``rlinf`` sends the obs as RLinf's workers do, ``flat`` as :mod:`isaaclab_rlinf.workers.handoff`
does (one flat tensor dict restored by the rollout side); ``_p2p`` sends the same with RLinf's own
``enable_p2p=True`` (one gloo hop worker to worker instead of two through the channel actor, no Ray call),
as the launcher's two-process workers do. Usage:
  python benchmarks/bench_handoff.py [--cases states_b1024,img64_v1,...] [--wires rlinf,flat_p2p] [--json F]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
from rlinf.data.embodied_io_struct import EnvOutput, RolloutResult
from rlinf.scheduler import Channel, Cluster, Worker
from rlinf.scheduler.collective.collective_group import CollectiveGroup
from rlinf.workers.env.env_worker import EnvWorker
from rlinf.workers.rollout.hf.huggingface_worker import MultiStepRolloutWorker

from isaaclab_rlinf.workers import FlatObsRolloutWorker, flatten_obs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_meta import run_meta  # noqa: E402

# name: (num_envs B, camera views (0: states only), image px)
CASES: dict[str, tuple[int, int, int]] = {
    "states_b1024": (1024, 0, 0),
    "img64_v1": (1024, 1, 64),
    "img64_v2": (1024, 2, 64),
    "img96_v1": (1024, 1, 96),
    "img96_v2": (1024, 2, 96),
    "states_b4096": (4096, 0, 0),
}
STATE_DIM, ACTION_DIM = 24, 7
INSTRUCTION = "move the gripper to the red ball"
ENV_GROUP, ROLLOUT_GROUP = "EnvGroup", "RolloutGroup"
STAGE_ID = 0  # route_key: one pipeline stage


def make_obs(num_envs: int, views: int, px: int) -> dict[str, Any]:
    """Observations as an IsaacLab env hands them to RLinf (uint8 HWC images, float32 states)."""
    images = torch.randint(0, 255, (num_envs, views, px, px, 3), dtype=torch.uint8) if views else None
    return {
        "main_images": images[:, 0].contiguous() if views else None,
        "extra_view_images": images[:, 1:].contiguous() if views > 1 else None,
        "states": torch.randn(num_envs, STATE_DIM),
        "task_descriptions": [INSTRUCTION] * num_envs,  # every obs through our mapping carries them
    }


def mb(values: list[Any]) -> float:
    """MB of the tensors among ``values`` (the task descriptions' few bytes left out)."""
    return sum(t.numel() * t.element_size() for t in values if isinstance(t, torch.Tensor)) / 1e6


class _Side(Worker):
    def __init__(self) -> None:
        super().__init__()

    def ready(self) -> bool:
        """Both groups must have registered (end of ``__init__``) before either routes to the other."""
        return True


class HandoffEnv(_Side):
    """The env side of ``EnvWorker._run_interact_once``: send obs, wait for the rollout's result."""

    def run(
        self,
        env_channel: Channel,
        rollout_channel: Channel,
        case: tuple[int, int, int],
        n: int,
        flat: bool,
        p2p: bool = False,
    ) -> dict:
        num_envs = case[0]
        obs = make_obs(*case)
        send_s: list[float] = []
        recv_s: list[float] = []
        out_mb = back_mb = 0.0
        for _ in range(n):
            t0 = time.perf_counter()
            env_output = EnvOutput(obs=obs, dones=torch.zeros(num_envs, dtype=torch.bool),
                                   rewards=torch.zeros(num_envs))  # fmt: skip
            env_batch = env_output.to_dict()
            data = {"obs": env_batch["obs"], "final_obs": env_batch["final_obs"]}
            if flat:  # what FlatObsEnvWorker.send_to sends
                data = flatten_obs(data) or data
            self.send_to(group_name=ROLLOUT_GROUP, channel=rollout_channel, data=data, mode="train",
                         tag="rollout_results", route_key=STAGE_ID, enable_p2p=p2p)  # fmt: skip
            t1 = time.perf_counter()
            result = self.recv_from(
                group_name=ROLLOUT_GROUP, channel=env_channel, tag="train_rollout_results",
                route_key=STAGE_ID, batch_size=num_envs, merge_fn=RolloutResult.merge_rollout_results,
                infer_batch_size_fn=EnvWorker._infer_rollout_batch_size, enable_p2p=p2p,
            )  # fmt: skip
            t2 = time.perf_counter()
            send_s.append(t1 - t0)
            recv_s.append(t2 - t1)
            out_mb = mb(list(env_batch["obs"].values()))
            fields = [result.actions, result.prev_logprobs, result.prev_values, result.versions]
            back_mb = mb(fields + list(result.forward_inputs.values()))
        return {"send_s": send_s, "recv_s": recv_s, "mb_env_to_rollout": out_mb, "mb_rollout_to_env": back_mb}


class HandoffRollout(_Side):
    """The rollout side of ``MultiStepRolloutWorker.generate_one_epoch``; a zero-cost cnn_policy stand-in."""

    def run(
        self,
        env_channel: Channel,
        rollout_channel: Channel,
        num_envs: int,
        n: int,
        flat: bool,
        p2p: bool = False,
    ) -> dict:
        worker_cls = FlatObsRolloutWorker if flat else MultiStepRolloutWorker
        split_fn = functools.partial(MultiStepRolloutWorker._split_rollout_result, self)
        wait_s: list[float] = []
        reply_s: list[float] = []
        works = []
        for _ in range(n):
            t0 = time.perf_counter()
            env_output = self.recv_from(
                group_name=ENV_GROUP, channel=rollout_channel, tag="train_rollout_results",
                route_key=STAGE_ID, batch_size=num_envs, merge_fn=worker_cls._merge_obs_batches,
                infer_batch_size_fn=worker_cls._infer_env_batch_size, enable_p2p=p2p,
            )  # fmt: skip
            t1 = time.perf_counter()
            obs = env_output["obs"]
            actions = torch.zeros(num_envs, ACTION_DIM)
            forward_inputs = {"action": actions, "main_images": obs["main_images"], "states": obs["states"],
                              "extra_view_images": obs["extra_view_images"]}  # fmt: skip
            prev_logprobs = torch.zeros(num_envs, ACTION_DIM)
            result = RolloutResult(
                actions=actions, prev_logprobs=prev_logprobs, prev_values=torch.zeros(num_envs, 1),
                forward_inputs={k: v for k, v in forward_inputs.items() if v is not None},
                versions=torch.full_like(prev_logprobs, 0.0),
            )  # fmt: skip
            works.append(self.send_to(group_name=ENV_GROUP, channel=env_channel, data=result,
                                      tag="train_rollout_results", route_key=STAGE_ID, async_op=True,
                                      batch_size=num_envs, split_fn=split_fn, enable_p2p=p2p))  # fmt: skip
            wait_s.append(t1 - t0)
            reply_s.append(time.perf_counter() - t1)
        for work in works:
            work.wait()
        return {"wait_s": wait_s, "reply_s": reply_s}


def pickle_seconds(case: tuple[int, int, int]) -> tuple[float, float]:
    """One hop's serialization + deserialization of the obs payload (no transfer), and the bytes' MB."""
    data = {"obs": EnvOutput(obs=make_obs(*case)).to_dict()["obs"], "final_obs": None}
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        tensor, size = CollectiveGroup._object_to_tensor(None, (data, None), "cpu")  # self is unused
        CollectiveGroup._tensor_to_object(None, tensor, size)
        best = min(best, time.perf_counter() - t0)
    return best, tensor.numel() / 1e6


def main() -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated from {list(CASES)}")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per case")
    parser.add_argument(
        "--wires",
        default="rlinf,flat,rlinf_p2p,flat_p2p",
        help="rlinf: the nested obs dict RLinf's workers send; flat: our workers' flat tensor dict; "
        "_p2p: the same with enable_p2p=True (what the launcher's two-process workers send)",
    )
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    cluster = Cluster(num_nodes=1)
    env_channel, rollout_channel = Channel.create("Env"), Channel.create("Rollout")  # as EmbodiedRunner
    env = HandoffEnv.create_group().launch(cluster, name=ENV_GROUP)
    rollout = HandoffRollout.create_group().launch(cluster, name=ROLLOUT_GROUP)
    env.ready().wait(), rollout.ready().wait()  # as EmbodiedRunner.init_workers

    results = []
    print(f"{'case':<14}{'wire':>10}{'B':>6}{'s/step':>9}{'send':>8}{'recv':>8}{'MB out':>8}{'MB back':>8}"
          f"{'MB/s':>8}{'pickle':>8}")  # fmt: skip
    for name in args.cases.split(","):
        case = CASES[name]
        n = args.warmup + args.steps
        pickle_s, pickle_mb = pickle_seconds(case)
        for wire in args.wires.split(","):
            flat, p2p = wire.startswith("flat"), wire.endswith("_p2p")
            r_handle = rollout.run(env_channel, rollout_channel, case[0], n, flat, p2p)
            e = env.run(env_channel, rollout_channel, case, n, flat, p2p).wait()[0]
            r = r_handle.wait()[0]
            send = e["send_s"][args.warmup :]
            recv = e["recv_s"][args.warmup :]
            step = statistics.median(s + v for s, v in zip(send, recv, strict=True))
            total_mb = e["mb_env_to_rollout"] + e["mb_rollout_to_env"]
            row = {
                "case": name, "wire": wire, "num_envs": case[0], "views": case[1], "px": case[2],
                "median_s_per_step": step, "median_send_s": statistics.median(send),
                "median_recv_s": statistics.median(recv),
                "rollout_median_wait_s": statistics.median(r["wait_s"][args.warmup :]),
                "rollout_median_reply_s": statistics.median(r["reply_s"][args.warmup :]),
                "mb_env_to_rollout": e["mb_env_to_rollout"], "mb_rollout_to_env": e["mb_rollout_to_env"],
                "mb_per_s": total_mb / step, "pickle_s": pickle_s, "pickle_mb": pickle_mb,
            }  # fmt: skip
            results.append(row)
            print(f"{name:<14}{wire:>10}{case[0]:>6}{step:>9.4f}{row['median_send_s']:>8.4f}"
                  f"{row['median_recv_s']:>8.4f}{row['mb_env_to_rollout']:>8.2f}{row['mb_rollout_to_env']:>8.2f}"
                  f"{row['mb_per_s']:>8.1f}{pickle_s:>8.4f}")  # fmt: skip

    meta = {**run_meta(), "cpu_count": os.cpu_count(), "steps": args.steps, "warmup": args.warmup}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "cases": results}, f, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
