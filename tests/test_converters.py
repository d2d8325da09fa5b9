"""Converters: exact values on crafted tensors, a randomized check against a slow reference, errors, CUDA."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from isaaclab_rlinf.converters import to_gr00t_obs, to_isaaclab_action, to_rlinf_obs
from isaaclab_rlinf.spec import MappingError, MappingSpec

P = "env.train.isaaclab"
B = 3

BLOCK = {
    "task_description": "stack the cube",
    "main_images": "front",
    "extra_view_images": ["left", "right"],
    "states": [{"key": "joint", "slice": [2, 5]}, {"key": "hand"}],  # 3 + 4 = 7 columns
    "gr00t_mapping": {
        "video": {"main_images": "video.room", "extra_view_images": ["video.left", "video.right"]},
        "state": [{"gr00t_key": "state.arm", "slice": [0, 3]}, {"gr00t_key": "state.hand", "slice": [4, 7]}],
        "action": ["action.arm", "action.hand"],
    },
    "action_mapping": {"prefix_pad": 2, "suffix_pad": 1},
}
SPEC = MappingSpec.from_config(BLOCK)


def arange(*shape: int, dtype=torch.float32, start: int = 0) -> torch.Tensor:
    n = int(np.prod(shape))
    return (torch.arange(n, dtype=torch.float64) + start).reshape(shape).to(dtype)


def crafted_obs(batch: int = B, device: str = "cpu") -> dict:
    """Terms filled with distinct arange values so every slice/concat position is identifiable."""
    img = lambda start: (arange(batch, 4, 5, 3, dtype=torch.int64, start=start) % 256).to(torch.uint8)  # noqa: E731
    return {
        "policy": {
            "joint": arange(batch, 6),  # row b: 6b .. 6b+5
            "hand": arange(batch, 4, start=100),  # row b: 100+4b .. 100+4b+3
            "unused": torch.zeros(batch, 2),
        },
        "cams": {"front": img(0), "left": img(7), "right": img(11)},
    }


def to(obs: dict, device: str) -> dict:
    return {g: {t: v.to(device) for t, v in terms.items()} for g, terms in obs.items()}


# ------------------------------------------------------------------ to_rlinf_obs: exact values


def test_states_are_the_exact_slices_concatenated_in_order():
    out = to_rlinf_obs(crafted_obs(), SPEC)
    expected = torch.tensor(
        [
            [2, 3, 4, 100, 101, 102, 103],
            [8, 9, 10, 104, 105, 106, 107],
            [14, 15, 16, 108, 109, 110, 111],
        ],
        dtype=torch.float32,
    )
    assert out["states"].dtype == torch.float32
    assert torch.equal(out["states"], expected)


def test_images_are_copied_unchanged_and_extra_views_stacked_in_order():
    obs = crafted_obs()
    out = to_rlinf_obs(obs, SPEC)
    assert out["main_images"].dtype == torch.uint8 and out["main_images"].shape == (B, 4, 5, 3)
    assert torch.equal(out["main_images"], obs["cams"]["front"])
    assert out["extra_view_images"].shape == (B, 2, 4, 5, 3)
    assert torch.equal(out["extra_view_images"][:, 0], obs["cams"]["left"])
    assert torch.equal(out["extra_view_images"][:, 1], obs["cams"]["right"])


def test_outputs_never_alias_the_sim_buffers():
    obs = crafted_obs()
    out = to_rlinf_obs(obs, SPEC)
    before = {k: v.clone() for k, v in out.items() if isinstance(v, torch.Tensor)}
    for terms in obs.values():
        for t in terms.values():
            t.fill_(0)  # the sim overwrites its buffers on the next step
    for k, v in before.items():
        assert torch.equal(out[k], v), k


def test_task_descriptions_has_one_entry_per_env():
    assert to_rlinf_obs(crafted_obs(), SPEC)["task_descriptions"] == ["stack the cube"] * B


def test_unconfigured_outputs_are_absent():
    spec = MappingSpec.from_config({"states": [{"key": "hand"}]})
    out = to_rlinf_obs(crafted_obs(), spec)
    assert set(out) == {"states", "task_descriptions"}
    assert out["task_descriptions"] == [""] * B
    spec = MappingSpec.from_config({"main_images": "front"})
    assert set(to_rlinf_obs(crafted_obs(), spec)) == {"main_images", "task_descriptions"}


def test_integer_and_bool_state_terms_become_float32():
    obs = crafted_obs()
    obs["policy"]["joint"] = arange(B, 6, dtype=torch.int64)
    obs["policy"]["hand"] = torch.tensor([[True, False, True, False]] * B)
    out = to_rlinf_obs(obs, SPEC)["states"]
    assert out.dtype == torch.float32
    assert out[1].tolist() == [8, 9, 10, 1, 0, 1, 0]


def test_states_gather_from_several_groups():
    obs = crafted_obs()
    obs["extra"] = {"speed": arange(B, 1, start=-5)}
    spec = MappingSpec.from_config({"states": ["speed", {"key": "policy.joint", "slice": [0, 1]}]})
    assert to_rlinf_obs(obs, spec)["states"].tolist() == [[-5, 0], [-4, 6], [-3, 12]]


# ------------------------------------------------------------------ image rule


def float_obs(front: torch.Tensor) -> dict:
    return {"cams": {"front": front}}


MAIN_ONLY = MappingSpec.from_config({"main_images": "front"})


def test_float_images_in_0_1_are_scaled_by_255_and_rounded():
    x = torch.tensor([0.0, 0.2, 0.5, 0.999, 1.0, 0.0021]).reshape(1, 1, 2, 3).repeat(2, 1, 1, 1)
    out = to_rlinf_obs(float_obs(x), MAIN_ONLY)["main_images"]
    assert out.dtype == torch.uint8
    # 0.5*255 = 127.5 rounds half to even -> 128; 0.0021*255 = 0.5355 -> 1
    assert out[0].flatten().tolist() == [0, 51, 128, 255, 255, 1]


def test_float_images_in_0_255_are_rounded_not_scaled():
    x = torch.tensor([0.0, 1.0, 1.4, 1.6, 254.5, 255.0]).reshape(1, 1, 2, 3)
    out = to_rlinf_obs(float_obs(x), MAIN_ONLY)["main_images"]
    assert out.flatten().tolist() == [0, 1, 1, 2, 254, 255]  # 254.5 -> 254 (half to even)


def test_the_0_1_decision_is_per_camera_batch():
    # one env's frame has a value > 1: the whole batch of that camera is read as 0..255
    x = torch.zeros(2, 1, 1, 3)
    x[0, 0, 0] = torch.tensor([0.6, 0.4, 1.0])
    x[1, 0, 0] = torch.tensor([200.0, 0.0, 0.0])
    out = to_rlinf_obs(float_obs(x), MAIN_ONLY)["main_images"]
    assert out[0].flatten().tolist() == [1, 0, 1]
    assert out[1].flatten().tolist() == [200, 0, 0]


def test_float_extra_views_are_converted_per_view():
    spec = MappingSpec.from_config({"extra_view_images": ["a", "b"]})
    obs = {"cams": {"a": torch.full((2, 1, 1, 3), 0.2), "b": torch.full((2, 1, 1, 3), 7, dtype=torch.uint8)}}
    out = to_rlinf_obs(obs, spec)["extra_view_images"]
    assert out.dtype == torch.uint8
    assert out[:, 0].flatten().tolist() == [51] * 6
    assert out[:, 1].flatten().tolist() == [7] * 6


def test_channel_first_images_are_rejected_by_the_converter():
    x = torch.zeros(2, 3, 4, 5, dtype=torch.uint8)
    with pytest.raises(MappingError, match=r"env\.train\.isaaclab\.main_images: .*channel-first"):
        to_rlinf_obs(float_obs(x), MAIN_ONLY)


# ------------------------------------------------------------------ direct calls never mis-map


def test_converter_rejects_a_slice_past_the_term_width():
    obs = crafted_obs()
    obs["policy"]["joint"] = arange(B, 4)
    with pytest.raises(MappingError) as info:
        to_rlinf_obs(obs, SPEC)
    assert f"{P}.states[0].slice" in str(info.value) and "'policy.joint'" in str(info.value)


def test_converter_rejects_a_missing_key():
    obs = crafted_obs()
    del obs["cams"]["right"]
    with pytest.raises(MappingError) as info:
        to_rlinf_obs(obs, SPEC)
    assert f"{P}.extra_view_images[1]" in str(info.value) and "'right'" in str(info.value)


def test_a_layout_change_after_caching_is_rechecked():
    to_rlinf_obs(crafted_obs(), SPEC)  # cached for this layout
    obs = crafted_obs()
    obs["policy"]["hand"] = arange(B, 4, 2)
    with pytest.raises(MappingError, match=r"states\[1\]\.key"):
        to_rlinf_obs(obs, SPEC)


def test_hot_path_does_no_host_sync(monkeypatch):
    obs = crafted_obs()
    obs["cams"]["left"] = obs["cams"]["left"].float() / 255  # float conversion must be sync-free too
    rl = to_rlinf_obs(obs, SPEC)  # first call per layout may sync (checks), then cached
    to_gr00t_obs(rl, SPEC)
    to_isaaclab_action(torch.zeros(B, 2, 6), SPEC)

    def forbidden(*args, **kwargs):
        raise AssertionError("host sync in the hot path")

    for name in ("item", "cpu", "tolist", "numpy", "__bool__", "__float__", "__int__"):
        monkeypatch.setattr(torch.Tensor, name, forbidden)
    rl = to_rlinf_obs(obs, SPEC)
    to_gr00t_obs(rl, SPEC)
    to_isaaclab_action(torch.zeros(B, 2, 6), SPEC)


# ------------------------------------------------------------------ to_gr00t_obs


def test_gr00t_obs_exact_keys_shapes_and_values():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    g = to_gr00t_obs(rl, SPEC)
    assert set(g) == {
        "video.room",
        "video.left",
        "video.right",
        "state.arm",
        "state.hand",
        "annotation.human.action.task_description",
    }
    assert g["video.room"].shape == (B, 1, 4, 5, 3) and g["video.room"].dtype == torch.uint8
    assert torch.equal(g["video.room"][:, 0], rl["main_images"])
    assert torch.equal(g["video.left"][:, 0], rl["extra_view_images"][:, 0])
    assert torch.equal(g["video.right"][:, 0], rl["extra_view_images"][:, 1])
    assert g["state.arm"].shape == (B, 1, 3) and g["state.arm"].dtype == torch.float32
    assert g["state.arm"][:, 0].tolist() == [[2, 3, 4], [8, 9, 10], [14, 15, 16]]
    assert g["state.hand"][:, 0].tolist() == [[101, 102, 103], [105, 106, 107], [109, 110, 111]]
    assert g["annotation.human.action.task_description"] == ["stack the cube"] * B


def test_gr00t_obs_are_views_of_the_rlinf_obs():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    g = to_gr00t_obs(rl, SPEC)
    assert g["video.room"].data_ptr() == rl["main_images"].data_ptr()
    assert g["state.arm"].untyped_storage().data_ptr() == rl["states"].untyped_storage().data_ptr()


def test_gr00t_language_key_is_configurable_and_uses_given_descriptions():
    spec = MappingSpec.from_config(
        {**BLOCK, "gr00t_mapping": {**BLOCK["gr00t_mapping"], "language": "annotation.x"}}
    )
    rl = to_rlinf_obs(crafted_obs(), spec)
    rl["task_descriptions"] = ["a", "b", "c"]
    g = to_gr00t_obs(rl, spec)
    assert g["annotation.x"] == ["a", "b", "c"] and "annotation.human.action.task_description" not in g


def test_gr00t_language_falls_back_to_the_spec_description():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    del rl["task_descriptions"]
    assert to_gr00t_obs(rl, SPEC)["annotation.human.action.task_description"] == ["stack the cube"] * B


def test_gr00t_needs_a_gr00t_mapping():
    spec = MappingSpec.from_config({"states": ["hand"]})
    with pytest.raises(MappingError, match=rf"{P}\.gr00t_mapping: to_gr00t_obs needs"):
        to_gr00t_obs(to_rlinf_obs(crafted_obs(), spec), spec)


def test_gr00t_missing_rlinf_key_is_named():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    del rl["states"]
    with pytest.raises(
        MappingError, match=r"gr00t_mapping\.state: maps rlinf_obs\['states'\], which is missing"
    ):
        to_gr00t_obs(rl, SPEC)


def test_gr00t_state_slice_past_state_width_is_named():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    rl["states"] = rl["states"][:, :5]
    with pytest.raises(MappingError) as info:
        to_gr00t_obs(rl, SPEC)
    msg = str(info.value)
    assert f"{P}.gr00t_mapping.state[1].slice" in msg and "'state.hand'" in msg and "[4, 7]" in msg


def test_gr00t_extra_view_count_must_match():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    rl["extra_view_images"] = rl["extra_view_images"][:, :1]
    with pytest.raises(MappingError, match=r"video\.extra_view_images: .*1 views for 2 video keys"):
        to_gr00t_obs(rl, SPEC)


def test_gr00t_batch_sizes_must_agree():
    rl = to_rlinf_obs(crafted_obs(), SPEC)
    rl["task_descriptions"] = ["only one"]
    with pytest.raises(MappingError, match="batch size"):
        to_gr00t_obs(rl, SPEC)


# ------------------------------------------------------------------ to_isaaclab_action


def test_action_tensor_is_padded_with_zeros_exactly():
    a = arange(2, 2, 6, start=1)  # [B=2, T=2, D=6]
    out = to_isaaclab_action(a, SPEC)
    assert out.shape == (2, 2, 9) and out.dtype == torch.float32
    assert out[1, 1].tolist() == [0, 0, 19, 20, 21, 22, 23, 24, 0]
    assert torch.equal(out[..., 2:8], a)


def test_action_2d_input_keeps_its_rank():
    out = to_isaaclab_action(torch.ones(4, 6), SPEC)
    assert out.shape == (4, 9) and out[0].tolist() == [0, 0, 1, 1, 1, 1, 1, 1, 0]


def test_action_numpy_float64_becomes_float32_tensor():
    out = to_isaaclab_action(np.full((1, 1, 6), 0.5), SPEC)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and out.device.type == "cpu"
    assert out.flatten().tolist() == [0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0]


def test_action_dict_is_concatenated_in_gr00t_mapping_order():
    # dict order (hand first) must not matter: gr00t_mapping.action says arm, then hand
    action = {
        "action.hand": np.full((1, 2, 2), 9.0),
        "action.arm": torch.tensor([[[1.0, 2, 3, 4], [5, 6, 7, 8]]]),
    }
    out = to_isaaclab_action(action, SPEC)
    assert out.tolist() == [[[0, 0, 1, 2, 3, 4, 9, 9, 0], [0, 0, 5, 6, 7, 8, 9, 9, 0]]]


def test_action_dict_missing_or_extra_keys_are_named():
    with pytest.raises(MappingError) as info:
        to_isaaclab_action({"action.arm": torch.zeros(1, 1, 4), "action.hands": torch.zeros(1, 1, 2)}, SPEC)
    msg = str(info.value)
    assert f"{P}.gr00t_mapping.action" in msg
    assert "missing ['action.hand']" in msg and "unexpected ['action.hands']" in msg


def test_action_dict_needs_an_order():
    spec = MappingSpec.from_config({"states": ["hand"]})
    with pytest.raises(MappingError, match=r"gr00t_mapping\.action: a dict of actions needs"):
        to_isaaclab_action({"action.arm": torch.zeros(1, 1, 4)}, spec)


def test_action_dict_leading_dims_must_agree():
    with pytest.raises(MappingError, match=r"'action.hand' has leading dims \[1, 3\]"):
        to_isaaclab_action({"action.arm": torch.zeros(1, 2, 4), "action.hand": torch.zeros(1, 3, 2)}, SPEC)


def test_action_rank_is_checked():
    with pytest.raises(
        MappingError, match=rf"{P}\.action_mapping: action tensor must be \[B,T,D\] or \[B,D\]"
    ):
        to_isaaclab_action(torch.zeros(6), SPEC)


def test_action_rejects_non_arrays():
    with pytest.raises(MappingError, match="torch.Tensor or numpy array"):
        to_isaaclab_action([[0.0] * 6], SPEC)


def test_action_goes_to_the_requested_device():
    out = to_isaaclab_action(torch.zeros(1, 1, 6, dtype=torch.float64), SPEC, device="cpu")
    assert out.device == torch.device("cpu") and out.dtype == torch.float32


# ------------------------------------------------------------------ randomized vs a slow reference


def ref_image(x: np.ndarray) -> np.ndarray:
    """Obviously-correct image rule, per pixel in numpy."""
    if x.dtype == np.uint8:
        return x.copy()
    x = x.astype(np.float32)
    if x.max() <= 1.0:
        x = x * np.float32(255)
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def random_case(rng: np.random.Generator):
    batch = int(rng.integers(1, 6))
    h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    n_groups = int(rng.integers(1, 4))
    groups: dict[str, dict[str, torch.Tensor]] = {f"g{i}": {} for i in range(n_groups)}
    # state terms with random widths and dtypes, spread over groups
    states, block_states = [], []
    for i in range(int(rng.integers(1, 5))):
        width = int(rng.integers(1, 9))
        dtype = [torch.float32, torch.float64, torch.int32][int(rng.integers(0, 3))]
        t = torch.from_numpy(rng.normal(size=(batch, width)) * 10).to(dtype)
        groups[f"g{int(rng.integers(0, n_groups))}"][f"s{i}"] = t
        if rng.random() < 0.5:
            s = int(rng.integers(0, width))
            e = int(rng.integers(s + 1, width + 1))
            block_states.append({"key": f"s{i}", "slice": [s, e]})
            states.append((t, s, e))
        else:
            block_states.append({"key": f"s{i}"})
            states.append((t, 0, width))

    # cameras: uint8, float 0..1 or float 0..255
    def cam():
        kind = int(rng.integers(0, 3))
        if kind == 0:
            return torch.from_numpy(rng.integers(0, 256, size=(batch, h, w, 3), dtype=np.uint8))
        if kind == 1:
            return torch.from_numpy(rng.random(size=(batch, h, w, 3), dtype=np.float32))
        return torch.from_numpy(rng.random(size=(batch, h, w, 3), dtype=np.float32) * 255)

    n_extra = int(rng.integers(0, 4))
    has_main = bool(rng.random() < 0.7)
    cams = {f"c{i}": cam() for i in range(n_extra + 1)}
    groups.setdefault("cams", {}).update(cams)
    extras = [f"c{i + 1}" for i in range(n_extra)]
    # GR00T state keys: random disjoint increasing slices of the concatenated state
    total = sum(e - s for _, s, e in states)
    cuts = sorted(set(rng.integers(0, total + 1, size=int(rng.integers(2, 6))).tolist()))
    gstate = [
        {"gr00t_key": f"state.k{j}", "slice": [a, b]}
        for j, (a, b) in enumerate(itertools.pairwise(cuts))
        if rng.random() < 0.7  # gaps between GR00T keys are allowed
    ]
    block = {
        "task_description": f"task {int(rng.integers(0, 100))}",
        "main_images": "c0" if has_main else None,
        "extra_view_images": extras or None,
        "states": block_states,
        "gr00t_mapping": {
            "video": {
                "main_images": "video.main" if has_main else None,
                "extra_view_images": [f"video.v{i}" for i in range(n_extra)] or None,
            },
            "state": gstate or None,
        },
        "action_mapping": {"prefix_pad": int(rng.integers(0, 5)), "suffix_pad": int(rng.integers(0, 5))},
    }
    return batch, groups, states, cams, has_main, extras, gstate, block


@pytest.mark.parametrize("seed", range(50))
def test_random_layouts_match_the_reference(seed):
    rng = np.random.default_rng(seed)
    batch, obs, states, cams, has_main, extras, gstate, block = random_case(rng)
    spec = MappingSpec.from_config(block)
    rl = to_rlinf_obs(obs, spec)

    # reference: loops over envs and columns
    ref_states = np.array(
        [[float(t[b, c]) for t, s, e in states for c in range(s, e)] for b in range(batch)], dtype=np.float32
    )
    np.testing.assert_array_equal(rl["states"].numpy(), ref_states)
    if has_main:
        np.testing.assert_array_equal(rl["main_images"].numpy(), ref_image(cams["c0"].numpy()))
    else:
        assert "main_images" not in rl
    if extras:
        ref_views = np.stack([ref_image(cams[k].numpy()) for k in extras], axis=1)
        np.testing.assert_array_equal(rl["extra_view_images"].numpy(), ref_views)
    else:
        assert "extra_view_images" not in rl
    assert rl["task_descriptions"] == [block["task_description"]] * batch

    g = to_gr00t_obs(rl, spec)
    for item in gstate:
        s, e = item["slice"]
        np.testing.assert_array_equal(g[item["gr00t_key"]].numpy(), ref_states[:, None, s:e])
    if has_main:
        np.testing.assert_array_equal(g["video.main"].numpy(), ref_image(cams["c0"].numpy())[:, None])
    for i, k in enumerate(extras):
        np.testing.assert_array_equal(g[f"video.v{i}"].numpy(), ref_image(cams[k].numpy())[:, None])

    # actions: np.pad reference, tensor and 2-D input
    T, D = int(rng.integers(1, 5)), int(rng.integers(1, 8))
    a = rng.normal(size=(batch, T, D)).astype(np.float32)
    pads = (block["action_mapping"]["prefix_pad"], block["action_mapping"]["suffix_pad"])
    np.testing.assert_array_equal(
        to_isaaclab_action(torch.from_numpy(a), spec).numpy(), np.pad(a, ((0, 0), (0, 0), pads))
    )
    np.testing.assert_array_equal(to_isaaclab_action(a[:, 0], spec).numpy(), np.pad(a[:, 0], ((0, 0), pads)))


@pytest.mark.parametrize("seed", range(10))
def test_random_action_dicts_match_concat_then_pad(seed):
    rng = np.random.default_rng(1000 + seed)
    widths = rng.integers(1, 8, size=int(rng.integers(1, 5))).tolist()
    keys = [f"action.k{i}" for i in range(len(widths))]
    pre, suf = (int(x) for x in rng.integers(0, 6, size=2))
    spec = MappingSpec.from_config(
        {"gr00t_mapping": {"action": keys}, "action_mapping": {"prefix_pad": pre, "suffix_pad": suf}}
    )
    batch, T = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    parts = {k: rng.normal(size=(batch, T, w)) for k, w in zip(keys, widths, strict=True)}
    shuffled = {k: parts[k] for k in rng.permutation(keys)}
    ref = np.pad(np.concatenate([parts[k] for k in keys], axis=-1), ((0, 0), (0, 0), (pre, suf))).astype(
        np.float32
    )
    np.testing.assert_array_equal(to_isaaclab_action(shuffled, spec).numpy(), ref)


# ------------------------------------------------------------------ CUDA


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_converters_stay_on_device_and_match_cpu():
    obs = crafted_obs()
    obs["cams"]["left"] = obs["cams"]["left"].float() / 255
    cpu_rl = to_rlinf_obs(obs, SPEC)
    rl = to_rlinf_obs(to(obs, "cuda"), SPEC)
    for k in ("main_images", "extra_view_images", "states"):
        assert rl[k].is_cuda, k
        assert torch.equal(rl[k].cpu(), cpu_rl[k]), k
    g = to_gr00t_obs(rl, SPEC)
    assert all(v.is_cuda for k, v in g.items() if isinstance(v, torch.Tensor))
    a = arange(B, 2, 6)
    out = to_isaaclab_action(a.cuda(), SPEC)
    assert out.is_cuda and torch.equal(out.cpu(), to_isaaclab_action(a, SPEC))
    moved = to_isaaclab_action(np.ones((B, 2, 6)), SPEC, device="cuda")
    assert moved.is_cuda and moved[0, 0].tolist() == [0, 0, 1, 1, 1, 1, 1, 1, 0]
    back = to_isaaclab_action(a.cuda(), SPEC, device="cpu")
    assert back.device.type == "cpu"


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cpu_chunks_arrive_on_cuda_intact_while_the_stream_is_busy():
    """A CPU chunk goes to CUDA asynchronously from a pinned buffer; building the next one at once,
    while the stream is still busy, must not overwrite a chunk whose copy has not run yet."""
    busy = torch.rand(4096, 4096, device="cuda")
    moved = []
    for k in range(32):
        busy = busy @ busy / 4096  # keeps the stream some milliseconds ahead of the host
        moved.append(to_isaaclab_action(np.full((B, 2, 6), k, dtype=np.float32), SPEC, device="cuda"))
    assert [m[..., 2:8].unique().tolist() for m in moved] == [[k] for k in range(32)]
    assert all(m[..., :2].eq(0).all() and m[..., 8:].eq(0).all() for m in moved)
