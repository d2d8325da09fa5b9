"""MappingSpec: parsing the `isaaclab` block, static checks at parse time, dynamic checks on a live obs."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from isaaclab_rlinf.spec import (
    ActionMapping,
    Gr00tMapping,
    Gr00tStateKey,
    MappingError,
    MappingSpec,
    StateTerm,
)

P = "env.train.isaaclab"

# The issue's example block, as plain containers.
BLOCK = {
    "task_description": "assemble trocar from tray",
    "main_images": "front_camera",
    "extra_view_images": ["left_wrist_camera", "right_wrist_camera"],
    "states": [{"key": "robot_joint_state", "slice": [15, 29]}, {"key": "robot_dex3_joint_state"}],
    "gr00t_mapping": {
        "video": {
            "main_images": "video.room_view",
            "extra_view_images": ["video.left_wrist_view", "video.right_wrist_view"],
        },
        "state": [
            {"gr00t_key": "state.left_arm", "slice": [0, 7]},
            {"gr00t_key": "state.right_arm", "slice": [7, 14]},
        ],
        "action": ["action.left_arm", "action.right_arm"],
        "language": "annotation.human.action.task_description",
    },
    "action_mapping": {"prefix_pad": 15, "suffix_pad": 0},
    "obs_converter_type": "dex3",
    "embodiment_tag": "new_embodiment",
    "embodiment_tag_id": 31,
    "data_config_class": "gr00t_config:IsaacLabDataConfig",
    "success_term": "success",
}

EXPECTED = MappingSpec(
    task_description="assemble trocar from tray",
    main_images="front_camera",
    extra_view_images=("left_wrist_camera", "right_wrist_camera"),
    states=(StateTerm("robot_joint_state", (15, 29)), StateTerm("robot_dex3_joint_state")),
    gr00t_mapping=Gr00tMapping(
        main_images="video.room_view",
        extra_view_images=("video.left_wrist_view", "video.right_wrist_view"),
        state=(Gr00tStateKey("state.left_arm", (0, 7)), Gr00tStateKey("state.right_arm", (7, 14))),
        action=("action.left_arm", "action.right_arm"),
        language="annotation.human.action.task_description",
    ),
    action_mapping=ActionMapping(prefix_pad=15, suffix_pad=0),
    success_term="success",
    obs_converter_type="dex3",
    embodiment_tag="new_embodiment",
    embodiment_tag_id=31,
    data_config_class="gr00t_config:IsaacLabDataConfig",
)


def block(**changes):
    """A deep copy of BLOCK with top-level fields replaced (None value: field removed)."""
    b = copy.deepcopy(BLOCK)
    for k, v in changes.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def gr00t(**changes):
    g = copy.deepcopy(BLOCK["gr00t_mapping"])
    g.update(changes)
    return g


def live_obs(batch: int = 4, joint_width: int = 87, dex_width: int = 14, cam_hw=(8, 10)) -> dict:
    """An IsaacLab-shaped obs dict for BLOCK (groups of terms, uint8 cameras, float32 states)."""
    h, w = cam_hw
    cam = lambda: torch.zeros(batch, h, w, 3, dtype=torch.uint8)  # noqa: E731
    return {
        "policy": {
            "robot_joint_state": torch.zeros(batch, joint_width),
            "robot_dex3_joint_state": torch.zeros(batch, dex_width),
        },
        "camera_images": {
            "front_camera": cam(),
            "left_wrist_camera": cam(),
            "right_wrist_camera": cam(),
        },
    }


def raises(fn, *fragments: str) -> str:
    """Assert ``fn()`` raises MappingError whose message contains every fragment; return the message."""
    with pytest.raises(MappingError) as info:
        fn()
    msg = str(info.value)
    for f in fragments:
        assert f in msg, f"{f!r} not in error message: {msg}"
    return msg


# ------------------------------------------------------------------ parsing


def test_from_config_parses_the_issue_example_exactly():
    assert MappingSpec.from_config(BLOCK) == EXPECTED


def test_from_config_of_empty_block_gives_defaults():
    spec = MappingSpec.from_config({})
    assert spec == MappingSpec()
    assert spec.success_term == "success"
    assert spec.action_mapping == ActionMapping(0, 0)
    assert spec.path == P


def test_success_term_null_means_reward_fallback():
    assert MappingSpec.from_config(block(success_term=None) | {"success_term": None}).success_term is None


def test_state_entry_may_be_a_bare_term_name():
    spec = MappingSpec.from_config({"states": ["joint_pos", {"key": "joint_vel", "slice": [0, 1]}]})
    assert spec.states == (StateTerm("joint_pos"), StateTerm("joint_vel", (0, 1)))


def test_language_key_defaults_to_gr00t_task_description():
    g = gr00t()
    del g["language"]
    spec = MappingSpec.from_config(block(gr00t_mapping=g))
    assert spec.gr00t_mapping.language is None
    assert spec.gr00t_mapping.language_key == "annotation.human.action.task_description"


YAML = """
task:
  instruction: assemble trocar from tray
  pad: 15
env:
  train:
    isaaclab: &isaaclab_config
      task_description: ${task.instruction}
      main_images: front_camera
      extra_view_images: [left_wrist_camera, right_wrist_camera]
      states:
        - {key: robot_joint_state, slice: [15, 29]}
        - {key: robot_dex3_joint_state}
      gr00t_mapping:
        video:
          main_images: video.room_view
          extra_view_images: [video.left_wrist_view, video.right_wrist_view]
        state:
          - {gr00t_key: state.left_arm, slice: [0, 7]}
          - {gr00t_key: state.right_arm, slice: [7, 14]}
        action: [action.left_arm, action.right_arm]
        language: annotation.human.action.task_description
      action_mapping: {prefix_pad: "${task.pad}", suffix_pad: 0}
      obs_converter_type: dex3
      embodiment_tag: new_embodiment
      embodiment_tag_id: 31
      data_config_class: "gr00t_config:IsaacLabDataConfig"
      success_term: success
  eval:
    isaaclab: *isaaclab_config
"""


def test_from_config_accepts_omegaconf_with_anchor_and_interpolation():
    cfg = OmegaConf.create(YAML)
    train = MappingSpec.from_config(cfg.env.train.isaaclab)
    evals = MappingSpec.from_config(cfg.env.eval.isaaclab, path="env.eval.isaaclab")
    assert train == EXPECTED  # ${task.instruction} and ${task.pad} resolved (15 is an int again)
    assert evals.path == "env.eval.isaaclab"
    assert evals == dataclasses.replace(EXPECTED, path="env.eval.isaaclab")


def test_errors_in_the_eval_block_name_the_eval_path():
    cfg = OmegaConf.create(YAML.replace('prefix_pad: "${task.pad}"', "prefix_pad: -1"))
    raises(
        lambda: MappingSpec.from_config(cfg.env.eval.isaaclab, path="env.eval.isaaclab"),
        "env.eval.isaaclab.action_mapping.prefix_pad",
        "-1",
    )


def test_unresolvable_interpolation_names_the_block():
    cfg = OmegaConf.create({"isaaclab": {"task_description": "${nope.missing}"}})
    raises(lambda: MappingSpec.from_config(cfg.isaaclab), P, "interpolation", "nope.missing")


def test_packaged_configs_parse():
    """Every packaged YAML's env.train/env.eval isaaclab blocks pass the static checks."""
    configs = sorted((Path(__file__).parents[1] / "isaaclab_rlinf" / "configs").glob("*.yaml"))
    found = 0
    for path in configs:
        cfg = OmegaConf.load(path)
        for split in ("train", "eval"):
            node = OmegaConf.select(cfg, f"env.{split}.isaaclab")
            if node is not None:
                MappingSpec.from_config(node, path=f"env.{split}.isaaclab")
                found += 1
    if not found:
        pytest.skip("no packaged config with an isaaclab block yet")


def test_spec_is_hashable_equal_and_picklable():
    a, b = MappingSpec.from_config(BLOCK), MappingSpec.from_config(copy.deepcopy(BLOCK))
    assert a == b and hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(a)) == a  # Ray ships the spec to workers
    # the cached hash is not shipped: str hashes differ between processes
    assert "_hash" not in pickle.loads(pickle.dumps(a)).__dict__


def test_direct_construction_coerces_lists_and_runs_static_checks():
    spec = MappingSpec(extra_view_images=["a", "b"], states=[StateTerm("s")])
    assert spec.extra_view_images == ("a", "b") and isinstance(spec.states, tuple)
    hash(spec)
    raises(
        lambda: MappingSpec(action_mapping=ActionMapping(prefix_pad=-2)),
        f"{P}.action_mapping.prefix_pad",
        "-2",
    )


# ------------------------------------------------------------------ static errors at parse time

STATIC_ERRORS = [
    # (id, block, path named, fragments of value / fix)
    ("block-not-mapping", ["x"], P, ["mapping", "['x']"]),
    (
        "unknown-field",
        block(main_image="front"),
        f"{P}.main_image",
        ["unknown field", "main_images", "Allowed fields"],
    ),
    ("main-images-type", block(main_images=3), f"{P}.main_images", ["string", "3"]),
    ("extra-views-string", block(extra_view_images="left"), f"{P}.extra_view_images", ["list", "'left'"]),
    ("extra-views-empty", block(extra_view_images=[]), f"{P}.extra_view_images", ["empty", "[]"]),
    ("extra-view-entry", block(extra_view_images=["a", 5]), f"{P}.extra_view_images[1]", ["5"]),
    ("states-empty", block(states=[]), f"{P}.states", ["empty"]),
    ("states-not-list", block(states={"key": "a"}), f"{P}.states", ["list"]),
    (
        "state-unknown-field",
        block(states=[{"key": "a", "slices": [0, 1]}]),
        f"{P}.states[0].slices",
        ["slice"],
    ),
    ("state-key-missing", block(states=[{"slice": [0, 1]}]), f"{P}.states[0].key", ["None"]),
    (
        "slice-empty",
        block(states=[{"key": "a", "slice": [5, 5]}]),
        f"{P}.states[0].slice",
        ["[5, 5]", "start"],
    ),
    ("slice-reversed", block(states=[{"key": "a", "slice": [7, 2]}]), f"{P}.states[0].slice", ["[7, 2]"]),
    ("slice-negative", block(states=[{"key": "a", "slice": [-1, 3]}]), f"{P}.states[0].slice", ["[-1, 3]"]),
    (
        "slice-length",
        block(states=[{"key": "a"}, {"key": "b", "slice": [1, 2, 3]}]),
        f"{P}.states[1].slice",
        ["[1, 2, 3]"],
    ),
    (
        "slice-type",
        block(states=[{"key": "a", "slice": ["0", 2]}]),
        f"{P}.states[0].slice",
        ["'0'", "two integers"],
    ),
    ("slice-bool", block(states=[{"key": "a", "slice": [False, True]}]), f"{P}.states[0].slice", ["False"]),
    (
        "prefix-negative",
        block(action_mapping={"prefix_pad": -1}),
        f"{P}.action_mapping.prefix_pad",
        ["-1", "non-negative"],
    ),
    (
        "suffix-type",
        block(action_mapping={"suffix_pad": "3"}),
        f"{P}.action_mapping.suffix_pad",
        ["'3'", "integer", "write suffix_pad as a whole number, unquoted"],
    ),
    (
        "pad-unknown",
        block(action_mapping={"pad": 3}),
        f"{P}.action_mapping.pad",
        ["prefix_pad", "suffix_pad"],
    ),
    (
        "tag-id-type",
        block(embodiment_tag_id="31"),
        f"{P}.embodiment_tag_id",
        ["'31'", "write embodiment_tag_id as a whole number, unquoted"],
    ),
    (
        "data-config-format",
        block(data_config_class="gr00t_config.Cls"),
        f"{P}.data_config_class",
        ["module:Class", "gr00t_config.Cls"],
    ),
    (
        "camera-twice",
        block(extra_view_images=["front_camera", "x"]),
        f"{P}.extra_view_images",
        ["front_camera", "twice"],
    ),
    (
        "gr00t-state-overlap",
        block(
            gr00t_mapping=gr00t(
                state=[{"gr00t_key": "state.a", "slice": [0, 7]}, {"gr00t_key": "state.b", "slice": [6, 10]}]
            )
        ),
        f"{P}.gr00t_mapping.state[1].slice",
        ["[6, 10]", "overlaps", "state.a"],
    ),
    (
        "gr00t-state-out-of-order",
        block(
            gr00t_mapping=gr00t(
                state=[{"gr00t_key": "state.b", "slice": [7, 14]}, {"gr00t_key": "state.a", "slice": [0, 7]}]
            )
        ),
        f"{P}.gr00t_mapping.state[1].slice",
        ["[0, 7]", "increasing order"],
    ),
    (
        "gr00t-state-slice-required",
        block(gr00t_mapping=gr00t(state=[{"gr00t_key": "state.a"}])),
        f"{P}.gr00t_mapping.state[0].slice",
        ["required"],
    ),
    (
        "gr00t-state-prefix",
        block(gr00t_mapping=gr00t(state=[{"gr00t_key": "left_arm", "slice": [0, 7]}])),
        f"{P}.gr00t_mapping.state[0].gr00t_key",
        ["'left_arm'", "state."],
    ),
    (
        "gr00t-state-empty",
        block(gr00t_mapping=gr00t(state=[])),
        f"{P}.gr00t_mapping.state",
        ["empty"],
    ),
    (
        "gr00t-state-without-states",
        block(states=None),
        f"{P}.gr00t_mapping.state",
        ["no states", "state.left_arm"],
    ),
    (
        "gr00t-state-past-static-width",
        block(
            states=[{"key": "a", "slice": [0, 10]}],
            gr00t_mapping=gr00t(
                state=[{"gr00t_key": "state.a", "slice": [0, 7]}, {"gr00t_key": "state.b", "slice": [7, 14]}]
            ),
        ),
        f"{P}.gr00t_mapping.state[1].slice",
        ["[7, 14]", "width 10"],
    ),
    (
        "gr00t-video-count",
        block(
            gr00t_mapping=gr00t(
                video={"main_images": "video.room_view", "extra_view_images": ["video.left_wrist_view"]}
            )
        ),
        f"{P}.gr00t_mapping.video.extra_view_images",
        ["1 video keys for 2 extra cameras", "video.left_wrist_view", "left_wrist_camera"],
    ),
    (
        "gr00t-video-main-missing",
        block(gr00t_mapping=gr00t(video={"extra_view_images": ["video.l", "video.r"]})),
        f"{P}.gr00t_mapping.video.main_images",
        ["front_camera"],
    ),
    (
        "gr00t-video-prefix",
        block(
            gr00t_mapping=gr00t(
                video={"main_images": "room_view", "extra_view_images": ["video.l", "video.r"]}
            )
        ),
        f"{P}.gr00t_mapping.video.main_images",
        ["'room_view'", "video."],
    ),
    ("gr00t-unknown", block(gr00t_mapping=gr00t(actions=["a"])), f"{P}.gr00t_mapping.actions", ["action"]),
    ("gr00t-action-empty", block(gr00t_mapping=gr00t(action=[])), f"{P}.gr00t_mapping.action", ["empty"]),
    (
        "gr00t-key-twice",
        block(gr00t_mapping=gr00t(action=["action.a", "action.a"])),
        f"{P}.gr00t_mapping.action[1]",
        ["'action.a'", "twice"],
    ),
]


@pytest.mark.parametrize(
    "bad, path, fragments", [c[1:] for c in STATIC_ERRORS], ids=[c[0] for c in STATIC_ERRORS]
)
def test_static_error_names_path_and_value(bad, path, fragments):
    raises(lambda: MappingSpec.from_config(bad), path + ":", *fragments)


# ------------------------------------------------------------------ dynamic checks on a live obs

SPEC = MappingSpec.from_config(BLOCK)


def test_validate_accepts_a_matching_env():
    assert SPEC.validate(live_obs(), env_action_dim=43, policy_action_dim=28) is None


def test_resolve_returns_the_layout_and_caches_it():
    obs = live_obs(batch=4)
    layout = SPEC.resolve(obs)
    assert layout.batch_size == 4 and layout.state_dim == 14 + 14
    assert [(r.name, s, e, o) for r, s, e, o in layout.states] == [
        ("policy.robot_joint_state", 15, 29, 0),
        ("policy.robot_dex3_joint_state", 0, 14, 14),
    ]
    assert layout.main.name == "camera_images.front_camera"
    assert SPEC.resolve(live_obs(batch=4)) is layout  # same names/shapes/dtypes/device -> cached
    assert SPEC.resolve(live_obs(batch=8)).batch_size == 8  # new shapes -> re-checked


def test_missing_key_lists_existing_terms_with_groups():
    obs = live_obs()
    del obs["policy"]["robot_dex3_joint_state"]
    obs["policy"]["robot_dex_joint_state"] = torch.zeros(4, 14)
    msg = raises(
        lambda: SPEC.validate(obs),
        f"{P}.states[1].key:",
        "'robot_dex3_joint_state'",
        "policy.robot_joint_state [4, 87] float32",
        "camera_images.front_camera [4, 8, 10, 3] uint8",
        "did you mean 'robot_dex_joint_state'",
    )
    assert "policy.robot_dex_joint_state" in msg


def test_missing_camera_names_its_yaml_path():
    obs = live_obs()
    del obs["camera_images"]["right_wrist_camera"]
    raises(lambda: SPEC.validate(obs), f"{P}.extra_view_images[1]:", "'right_wrist_camera'")


def test_key_in_two_groups_is_ambiguous_and_suggests_group_term():
    obs = live_obs()
    obs["critic"] = {"robot_joint_state": torch.zeros(4, 87)}
    raises(
        lambda: SPEC.validate(obs),
        f"{P}.states[0].key:",
        "ambiguous",
        "'policy.robot_joint_state'",
        "'critic.robot_joint_state'",
        "group.term",
    )


STRUCTURE = {  # live_obs()'s groups and terms, an unread group, and one built with concatenate_terms
    "policy": ["robot_joint_state", "robot_dex3_joint_state"],
    "camera_images": ["front_camera", "left_wrist_camera", "right_wrist_camera"],
    "critic": ["value_hint"],
    "privileged": None,
}


def test_groups_read_are_the_groups_the_keys_resolve_to():
    assert SPEC.groups_read(STRUCTURE) == {"policy", "camera_images"}
    states_only = MappingSpec.from_config(block(main_images=None, extra_view_images=None, gr00t_mapping=None))
    assert states_only.groups_read(STRUCTURE) == {"policy"}
    whole = MappingSpec(states=[StateTerm("privileged"), StateTerm("critic.value_hint")])
    assert whole.groups_read(STRUCTURE) == {"privileged", "critic"}


def test_groups_read_is_none_when_a_key_does_not_resolve():
    """Then nothing is pruned before the env is built; the live check names the key."""
    assert MappingSpec(states=[StateTerm("robot_joint_stat")]).groups_read(STRUCTURE) is None
    ambiguous = STRUCTURE | {"x": ["value_hint"]}
    assert MappingSpec(states=[StateTerm("value_hint")]).groups_read(ambiguous) is None


def test_group_dot_term_disambiguates():
    obs = live_obs()
    obs["critic"] = {"robot_joint_state": torch.zeros(4, 87)}
    b = block(
        states=[{"key": "critic.robot_joint_state", "slice": [15, 29]}, {"key": "robot_dex3_joint_state"}]
    )
    layout = MappingSpec.from_config(b).resolve(obs)
    assert layout.states[0][0].name == "critic.robot_joint_state"


def test_a_concatenated_group_tensor_can_be_named_as_key():
    obs = live_obs()
    obs["proprio"] = torch.zeros(4, 30)  # group built with concatenate_terms=True
    spec = MappingSpec.from_config({"states": [{"key": "proprio", "slice": [0, 5]}]})
    assert spec.resolve(obs).state_dim == 5


def test_state_slice_past_term_width():
    raises(
        lambda: SPEC.validate(live_obs(joint_width=20)),
        f"{P}.states[0].slice:",
        "[15, 29]",
        "width 20",
        "[0, 20)",
    )


def test_state_term_must_be_2d():
    obs = live_obs()
    obs["policy"]["robot_dex3_joint_state"] = torch.zeros(4, 2, 7)
    raises(lambda: SPEC.validate(obs), f"{P}.states[1].key:", "[B,d]", "(4, 2, 7)")


def test_extra_views_must_agree_in_shape():
    obs = live_obs()
    obs["camera_images"]["right_wrist_camera"] = torch.zeros(4, 8, 12, 3, dtype=torch.uint8)
    raises(
        lambda: SPEC.validate(obs),
        f"{P}.extra_view_images[1]:",
        "'camera_images.right_wrist_camera'",
        "[8, 12, 3]",
        "[8, 10, 3]",
    )


def test_main_image_may_differ_in_resolution_from_extra_views():
    obs = live_obs()
    obs["camera_images"]["front_camera"] = torch.zeros(4, 16, 16, 3, dtype=torch.uint8)
    SPEC.validate(obs)


def test_camera_must_be_an_image():
    obs = live_obs()
    obs["camera_images"]["front_camera"] = torch.zeros(4, 12)
    raises(lambda: SPEC.validate(obs), f"{P}.main_images:", "[B,H,W,3]", "(4, 12)")


def test_channel_first_camera_is_rejected_with_the_fix():
    obs = live_obs()
    obs["camera_images"]["front_camera"] = torch.zeros(4, 3, 8, 10, dtype=torch.uint8)
    raises(
        lambda: SPEC.validate(obs),
        f"{P}.main_images:",
        "channel-first",
        "(4, 3, 8, 10)",
        "channel_first=False",
    )


def test_integer_camera_other_than_uint8_is_rejected():
    obs = live_obs()
    obs["camera_images"]["left_wrist_camera"] = torch.zeros(4, 8, 10, 3, dtype=torch.int32)
    raises(lambda: SPEC.validate(obs), f"{P}.extra_view_images[0]:", "torch.int32", "uint8")


def test_mean_subtracted_float_camera_is_rejected():
    obs = live_obs()
    obs["camera_images"]["front_camera"] = torch.full((4, 8, 10, 3), -0.25)
    raises(lambda: SPEC.validate(obs), f"{P}.main_images:", "-0.25", "normalize=False")


def test_terms_must_share_the_batch_size():
    obs = live_obs()
    obs["policy"]["robot_dex3_joint_state"] = torch.zeros(5, 14)
    raises(lambda: SPEC.validate(obs), f"{P}.states[1].key:", "batch size 5", "4")


def test_non_tensor_term_is_rejected():
    obs = live_obs()
    obs["policy"]["robot_dex3_joint_state"] = [[0.0] * 14] * 4
    raises(lambda: SPEC.validate(obs), f"{P}.states[1].key:", "torch.Tensor", "list")


def test_obs_must_be_a_dict():
    raises(lambda: SPEC.validate(torch.zeros(4, 3)), P, "dict", "Tensor")


def test_spec_mapping_nothing_cannot_be_resolved():
    raises(lambda: MappingSpec().validate(live_obs()), P, "no camera and no state")


def test_gr00t_state_slices_must_fit_the_live_state_width():
    # states: 14 arm columns + a dex term only 3 wide here -> 17 columns; state.b wants [14, 20)
    b = block(
        gr00t_mapping=gr00t(
            state=[{"gr00t_key": "state.a", "slice": [0, 14]}, {"gr00t_key": "state.b", "slice": [14, 20]}]
        )
    )
    raises(
        lambda: MappingSpec.from_config(b).validate(live_obs(dex_width=3)),
        f"{P}.gr00t_mapping.state[1].slice:",
        "[14, 20]",
        "width 17",
        "robot_dex3_joint_state",
    )


def test_action_dims_must_add_up_and_the_fix_is_given():
    raises(
        lambda: SPEC.validate(live_obs(), env_action_dim=43, policy_action_dim=25),
        f"{P}.action_mapping:",
        "prefix_pad 15 + policy action dim 25 + suffix_pad 0 = 40",
        "43",
        "suffix_pad: 3",
    )


def test_action_pads_cannot_fill_the_whole_env_action():
    raises(lambda: SPEC.check_action_dims(15, None), f"{P}.action_mapping:", "'prefix_pad': 15", "below 15")


def test_success_term_must_be_a_termination_term():
    SPEC.check_success_term(["time_out", "success"])
    raises(
        lambda: SPEC.check_success_term(["time_out", "sucess_reached"]),
        f"{P}.success_term:",
        "'success'",
        "time_out",
        "success_term: null",
    )
    MappingSpec(success_term=None).check_success_term([])  # null: nothing to check
