"""RLinf's env and rollout workers as two processes: one flat tensor dict per step, sent point to point.

Why the flat dict: every rollout step RLinf's env worker hands the rollout worker ``{"obs": {...},
"final_obs": ...}``, a nested dict holding ``None``s. RLinf's collective layer sends a tensor, a list or a
flat dict of tensors, or a dataclass of tensors, tensor by tensor; anything else it pickles whole. For
images that is most of the hand-off: 1024 envs x two 96 px views took 0.48 s per round trip as RLinf
sends them and 0.20 s as a flat dict (``benchmarks/bench_handoff.py``, CPU).

The env worker sends ``{"obs/main_images": ..., "final_obs/states": ...}`` (the ``None``s left out) when
there are images (states alone go faster pickled, as RLinf sends them); the rollout worker puts RLinf's
structure back before RLinf's own merge, so everything downstream (the policy's ``predict``, the
bootstrap values) sees exactly what it always did. The task descriptions (a list of strings, one per
env, in every observation our mapping produces) go as a uint8 tensor of their bytes: until they did, the
flat dict never applied to a real env's payload (a string list made it fall back to RLinf's pickling,
which is why a GPU run of the CNN Reach config saw no gain over RLinf's own hand-off).

Why point to point: RLinf's ``send_to``/``recv_from`` route each message through a ``Channel``, a third
Ray actor, i.e. two hops, each a Ray call plus gloo messages. Both take ``enable_p2p=True`` (RLinf
0.3.0 supports it, never uses it): one gloo hop from worker to worker, no Ray call. Used for the env <->
rollout traffic whenever RLinf's routing allows it (:func:`p2p_applies`).

Both workers also freeze the garbage collector once built (:mod:`.gc_freeze`). Nothing of RLinf is
edited: the launcher launches these subclasses in place of RLinf's ``EnvWorker`` and
``MultiStepRolloutWorker`` when env and rollout stay two processes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig
from rlinf.workers.env.env_worker import EnvWorker
from rlinf.workers.rollout.hf.huggingface_worker import MultiStepRolloutWorker

from .bootstrap import FinalObsOnlyForValues
from .gc_freeze import GcFreezing
from .policy_rng import policy_seed

__all__ = [
    "MIN_FLAT_BYTES",
    "FlatObsEnvWorker",
    "FlatObsRolloutWorker",
    "decode_texts",
    "encode_texts",
    "flatten_obs",
    "p2p_applies",
    "unflatten_obs",
]

_SECTIONS = ("obs", "final_obs")
# below this RLinf's way stays: states alone (0.1-0.4 MB) are latency-bound, flat gained nothing there (one
# run had it 2.5-3.5 ms slower per step); 1024 envs x one 64 px view (12.7 MB) went 2x faster flat
MIN_FLAT_BYTES = 1 << 20
# the keys of RLinf's EnvOutput.prepare_observations, restored as None where they were
_OBS_KEYS = ("main_images", "wrist_images", "extra_view_images", "states", "task_descriptions")
_TEXT = "#utf8"  # suffix of a list of strings sent as its bytes


def encode_texts(texts: list[str]) -> torch.Tensor:
    """A list of B strings -> a ``[B, L]`` uint8 tensor of their UTF-8 bytes, zero-padded to the longest.

    So that a payload holding the task descriptions (every IsaacLab obs through our mapping has them, one
    per env) is still a flat dict of tensors, split on the batch dimension like the rest.
    """
    if texts and texts.count(texts[0]) == len(texts):  # one instruction for every env: one row, expanded
        first = texts[0].encode() or b"\0"
        row = torch.frombuffer(bytearray(first), dtype=torch.uint8)
        return row.expand(len(texts), len(first)).contiguous()
    encoded = [t.encode() for t in texts]
    width = max((len(b) for b in encoded), default=0) or 1
    return torch.from_numpy(np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(len(encoded), width))


def decode_texts(tensor: torch.Tensor) -> list[str]:
    """The inverse of :func:`encode_texts`."""
    rows = tensor.numpy().view(f"S{tensor.shape[1]}").ravel()
    if len(rows) and (rows == rows[0]).all():
        return [rows[0].decode()] * len(rows)
    return [row.decode() for row in rows]


def flatten_obs(data: Any) -> dict[str, torch.Tensor] | None:
    """``{"obs": {k: t}, "final_obs": {k: t} | None}`` -> ``{"obs/k": t, "final_obs/k": t}``, Nones left out.

    A list of strings (``task_descriptions``) goes as ``"obs/k#utf8"``, its bytes (:func:`encode_texts`).
    None (send it as RLinf does) when ``data`` is anything else, holds any other leaf, or its tensors are
    smaller than :data:`MIN_FLAT_BYTES` (states alone).
    """
    if not isinstance(data, dict) or set(data) != set(_SECTIONS) or not isinstance(data["obs"], dict):
        return None
    flat: dict[str, torch.Tensor] = {}
    texts: dict[str, list[str]] = {}
    for section in _SECTIONS:
        obs = data[section]
        if obs is None:
            continue
        for key, value in obs.items():
            if isinstance(value, torch.Tensor):
                flat[f"{section}/{key}"] = value
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                texts[f"{section}/{key}{_TEXT}"] = value
            elif value is not None:
                return None
    if sum(t.numel() * t.element_size() for t in flat.values()) < MIN_FLAT_BYTES:
        return None
    for name, value in texts.items():
        flat[name] = encode_texts(value)
    return flat


def unflatten_obs(batch: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`flatten_obs`, RLinf's absent keys as None; any other payload unchanged."""
    if not batch or "obs" in batch or not all(str(k).partition("/")[0] in _SECTIONS for k in batch):
        return batch
    out: dict[str, Any] = {"obs": dict.fromkeys(_OBS_KEYS), "final_obs": None}
    for name, value in batch.items():
        section, _, key = name.partition("/")
        if key.endswith(_TEXT):
            key, value = key.removesuffix(_TEXT), decode_texts(value)
        if out[section] is None:
            out[section] = dict.fromkeys(_OBS_KEYS)
        out[section][key] = value
    return out


def p2p_applies(cfg: DictConfig) -> bool:
    """Whether the env <-> rollout messages may go point to point (``enable_p2p``) for this config.

    Not in RLinf's decoupled mode (its ``send_to`` refuses p2p there), and not with
    ``runner.overlap_env_bootstrap``: the env worker then sends the next epoch's first observation while
    the rollout worker is not receiving (it waits for the weight sync), which a channel buffers and a
    point-to-point send does not (the env's blocking send would hold the runner's epoch).
    ``runner.env_rollout_p2p: False`` turns it off.
    """
    runner = cfg.runner
    return bool(
        runner.get("env_rollout_p2p", True)
        and not runner.get("enable_decoupled_mode", False)
        and not runner.get("overlap_env_bootstrap", False)
    )


class FlatObsEnvWorker(GcFreezing, FinalObsOnlyForValues, EnvWorker):
    """RLinf's ``EnvWorker``; sends the rollout worker one flat tensor dict per step, point to point."""

    def __init__(self, cfg: DictConfig) -> None:
        super().__init__(cfg)
        self._p2p = p2p_applies(cfg)

    def init_worker(self) -> None:
        super().init_worker()
        self._gc_after_init()

    async def interact(self, *args: Any, **kwargs: Any) -> dict[str, torch.Tensor]:
        metrics = await super().interact(*args, **kwargs)
        self._gc_after_epoch()
        return metrics

    def send_to(self, group_name: str, channel: Any, data: Any, **kwargs: Any):
        if group_name == self.cfg.rollout.group_name:
            if kwargs.get("tag") == "rollout_results":
                data = flatten_obs(data) or data
            kwargs["enable_p2p"] = self._p2p
        return super().send_to(group_name, channel, data, **kwargs)

    def recv_from(self, group_name: str, channel: Any, **kwargs: Any):
        if group_name == self.cfg.rollout.group_name:
            kwargs["enable_p2p"] = self._p2p
        return super().recv_from(group_name, channel, **kwargs)


class FlatObsRolloutWorker(GcFreezing, MultiStepRolloutWorker):
    """RLinf's ``MultiStepRolloutWorker``; puts the env worker's flat observations back into RLinf's shape.

    Its sampling is seeded (``actor.seed + rank``, :mod:`.policy_rng`) once the model is built.
    """

    def __init__(self, cfg: DictConfig) -> None:
        super().__init__(cfg)
        self._p2p = p2p_applies(cfg)

    def init_worker(self) -> None:
        super().init_worker()
        torch.manual_seed(policy_seed(self.cfg, self._rank))
        self._gc_after_init()

    async def generate(self, *args: Any, **kwargs: Any) -> None:
        await super().generate(*args, **kwargs)
        self._gc_after_epoch()

    def send_to(self, group_name: str, channel: Any, data: Any, **kwargs: Any):
        if group_name == self.cfg.env.group_name:
            kwargs["enable_p2p"] = self._p2p
        return super().send_to(group_name, channel, data, **kwargs)

    def recv_from(self, group_name: str, channel: Any, **kwargs: Any):
        if group_name == self.cfg.env.group_name:
            kwargs["enable_p2p"] = self._p2p
        return super().recv_from(group_name, channel, **kwargs)

    @staticmethod
    def _infer_env_batch_size(obs_batch: dict[str, Any]) -> int:
        return MultiStepRolloutWorker._infer_env_batch_size(unflatten_obs(obs_batch))

    @staticmethod
    def _merge_obs_batches(obs_batches: list[dict[str, Any]]) -> dict[str, Any]:
        return MultiStepRolloutWorker._merge_obs_batches([unflatten_obs(b) for b in obs_batches])
