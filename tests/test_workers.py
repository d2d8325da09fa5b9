"""The env -> rollout wire format of isaaclab_rlinf.workers: a flat tensor dict that RLinf's own merge reads
exactly as it reads what RLinf's env worker sends (the hand-off through RLinf's channels is timed by
benchmarks/bench_handoff.py)."""

from __future__ import annotations

import torch
from rlinf.data.embodied_io_struct import EnvOutput
from rlinf.scheduler.worker.routing import split_batch
from rlinf.workers.rollout.hf.huggingface_worker import MultiStepRolloutWorker

from isaaclab_rlinf.workers.handoff import (
    MIN_FLAT_BYTES,
    FlatObsRolloutWorker,
    decode_texts,
    encode_texts,
    flatten_obs,
    unflatten_obs,
)

N = 4
PX = 256  # 4 envs x 2 views of 256 x 256 RGB: 1.5 MiB, above MIN_FLAT_BYTES


def _payload(final: bool, descriptions: bool = False) -> dict:
    """What RLinf's env worker sends the rollout worker for one step (``EnvOutput.to_dict``)."""
    gen = torch.Generator().manual_seed(0)
    obs = {
        "main_images": torch.randint(0, 255, (N, PX, PX, 3), dtype=torch.uint8, generator=gen),
        "extra_view_images": torch.randint(0, 255, (N, 1, PX, PX, 3), dtype=torch.uint8, generator=gen),
        "states": torch.randn(N, 5, generator=gen),
    }
    if descriptions:
        obs["task_descriptions"] = ["reach"] * N
    final_obs = {k: v if isinstance(v, list) else v + 1 for k, v in obs.items()} if final else None
    batch = EnvOutput(obs=obs, final_obs=final_obs, dones=torch.zeros(N, 1, dtype=torch.bool)).to_dict()
    return {"obs": batch["obs"], "final_obs": batch["final_obs"]}


def _assert_same(a, b) -> None:
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b)
    else:
        assert a == b


def test_the_flat_payload_is_a_dict_of_tensors_only():
    flat = flatten_obs(_payload(final=True))
    assert sorted(flat) == [
        "final_obs/extra_view_images",
        "final_obs/main_images",
        "final_obs/states",
        "obs/extra_view_images",
        "obs/main_images",
        "obs/states",
    ]
    assert all(isinstance(v, torch.Tensor) for v in flat.values())


def test_unflatten_restores_rlinfs_structure_with_and_without_final_obs():
    for final in (True, False):
        payload = _payload(final=final)
        _assert_same(unflatten_obs(flatten_obs(payload)), payload)


def test_rlinfs_merge_reads_the_flat_shards_as_it_reads_its_own():
    payload = _payload(final=True)
    ours = FlatObsRolloutWorker._merge_obs_batches(split_batch(flatten_obs(payload), [1, 3]))
    rlinfs = MultiStepRolloutWorker._merge_obs_batches(split_batch(payload, [1, 3]))
    _assert_same(ours, rlinfs)
    assert FlatObsRolloutWorker._infer_env_batch_size(flatten_obs(payload)) == N


def test_task_descriptions_travel_as_their_utf8_bytes_and_come_back_as_the_same_strings():
    payload = _payload(final=True, descriptions=True)
    flat = flatten_obs(payload)
    assert flat["obs/task_descriptions#utf8"].dtype == torch.uint8
    assert flat["obs/task_descriptions#utf8"].shape == (N, len("reach"))
    _assert_same(unflatten_obs(flat), payload)


def test_rlinfs_merge_reads_shards_with_task_descriptions_as_it_reads_its_own():
    payload = _payload(final=True, descriptions=True)
    ours = FlatObsRolloutWorker._merge_obs_batches(split_batch(flatten_obs(payload), [1, 3]))
    _assert_same(ours, MultiStepRolloutWorker._merge_obs_batches(split_batch(payload, [1, 3])))


def test_different_strings_per_env_keep_their_order_and_characters():
    texts = ["reach", "lift the cube", "", "grüne Kugel"]
    assert decode_texts(encode_texts(texts)) == texts


def test_a_payload_with_another_kind_of_leaf_goes_as_rlinf_sends_it():
    payload = _payload(final=False)
    payload["obs"]["task_descriptions"] = {"not": "a list"}
    assert flatten_obs(payload) is None
    assert unflatten_obs(payload) is payload  # the rollout side leaves RLinf's own structure alone


def test_states_alone_go_as_rlinf_sends_them():
    states = {"obs": {"states": torch.zeros(N, MIN_FLAT_BYTES // 4 // N - 1)}, "final_obs": None}
    assert flatten_obs(states) is None
    states["obs"]["states"] = torch.zeros(N, MIN_FLAT_BYTES // 4 // N)
    assert list(flatten_obs(states)) == ["obs/states"]


def test_other_payloads_are_not_flattened():
    assert flatten_obs({"obs": None, "final_obs": None}) is None
    big = torch.zeros(MIN_FLAT_BYTES)
    assert flatten_obs({"obs": {"states": big}, "final_obs": None, "extra": 1}) is None
    assert flatten_obs(torch.zeros(N)) is None
