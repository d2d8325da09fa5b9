"""GR00T bridge against RLinf's real tables, loader registry and embodiment-tag code, and our real
spec/converters, without building a GR00T model: where a policy is needed the tests use
:class:`FakeGr00tPolicy` (a test double, named as such); ``gr00t`` is hidden (:func:`gr00t_hidden`) for
the install hints. The real N1.5 model (tiny, random) runs in ``tests/test_gr00t_model.py``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

import isaaclab_rlinf
from isaaclab_rlinf.models import gr00t as bridge
from isaaclab_rlinf.models.gr00t import bridge as bridge_impl
from isaaclab_rlinf.models.gr00t import loader
from isaaclab_rlinf.spec import MappingError, MappingSpec

CONFIGS = Path(isaaclab_rlinf.__file__).parent / "configs"
YAML = CONFIGS / "isaaclab_ppo_gr00t_assemble_trocar.yaml"
ACTION_KEYS = ["action.left_arm", "action.right_arm", "action.left_hand", "action.right_hand"]
B, H, W = 3, 6, 5

GR00T_INSTALLED = importlib.util.find_spec("gr00t") is not None


# --------------------------------------------------------------------------------------------------
# fixtures and test doubles
# --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def restore_rlinf_state():
    """Every test sees RLinf's tables, tag mapping and model registry as shipped (restored in place)."""
    import rlinf.models as rlinf_models
    from rlinf.models.embodiment.gr00t import embodiment_tags, simulation_io

    tables = [
        simulation_io.OBS_CONVERSION,
        simulation_io.ACTION_CONVERSION_N1D5,
        simulation_io.ACTION_CONVERSION_N1D6,
        simulation_io.ACTION_CONVERSION_N1D7,
        embodiment_tags.EMBODIMENT_TAG_MAPPING,
        rlinf_models._MODEL_REGISTRY,
        bridge_impl._INSTALLED,
    ]
    saved = [dict(t) for t in tables]
    saved_path = list(sys.path)
    yield
    for table, content in zip(tables, saved, strict=True):
        table.clear()
        table.update(content)
    sys.path[:] = saved_path  # data configs are resolved next to the YAML by appending its directory
    for name in ("gr00t_config", "other_cfg"):
        sys.modules.pop(name, None)


def load_cfg(model_type: str = "gr00t", **block: Any):
    """The packaged config, with ``actor.model.model_type`` and ``isaaclab`` fields (train and eval) set."""
    cfg = bridge.load_config_file(YAML)
    cfg.actor.model.model_type = model_type
    for key, value in block.items():
        OmegaConf.update(cfg, f"env.train.isaaclab.{key}", value, merge=False)
        OmegaConf.update(cfg, f"env.eval.isaaclab.{key}", value, merge=False)
    return cfg


def rlinf_env_obs() -> dict[str, Any]:
    """RLinf's ``env_obs`` as its rollout hands it to the policy (CPU tensors, ``EnvOutput`` keys)."""
    main = torch.arange(B * H * W * 3).reshape(B, H, W, 3).remainder(251).to(torch.uint8)
    extra = torch.stack([main + 1, main + 2], dim=1)  # [B,2,H,W,3], distinct per view
    states = torch.arange(B * 28, dtype=torch.float32).reshape(B, 28) / 8  # exact in bf16
    return {
        "main_images": main,
        "extra_view_images": extra,
        "states": states,
        "task_descriptions": [f"assemble trocar {i}" for i in range(B)],
        "wrist_images": None,
    }


class FakeGr00tPolicy:
    """TEST DOUBLE for RLinf's ``GR00T_N1_5_ForRLActionPrediction`` / ``GR00T_N1_6_...``.

    Same ``predict_action_batch(env_obs, mode) -> (actions, result)`` contract and the same converter
    plumbing as RLinf's models: the converters are looked up in RLinf's tables by
    ``obs_converter_type`` at construction, states make RLinf's bf16 round trip, observations are
    coerced to numpy as RLinf does before GR00T's transforms. The network is replaced by a
    deterministic unnormalised action chunk (``value = 100 * (key index + 1) + step``) with N1.5-style
    ``action.*`` keys, or bare keys as N1.6/N1.7's ``decode_action`` returns them.
    """

    def __init__(self, obs_converter_type: str, generation: str = "N1D5", output_action_chunks: int = 1):
        from rlinf.models.embodiment.gr00t import simulation_io

        self.obs_convert_fn = simulation_io.OBS_CONVERSION[obs_converter_type]
        self.action_convert_fn = getattr(simulation_io, f"ACTION_CONVERSION_{generation}")[obs_converter_type]
        self.bare_keys = generation != "N1D5"
        self.output_action_chunks = output_action_chunks
        self.horizon = 16
        self.model_inputs: dict[str, Any] | None = None

    def predict_action_batch(self, env_obs: dict[str, Any], mode: str = "train", **kwargs):
        env_obs["states"] = env_obs["states"].to(torch.bfloat16).cpu().float()
        observations = self.obs_convert_fn(env_obs)
        obs = {k: v if isinstance(v, np.ndarray) else np.array(v) for k, v in observations.copy().items()}
        self.raw_observations, self.model_inputs = observations, obs
        batch = obs["state.left_arm"].shape[0]
        steps = np.arange(self.horizon, dtype=np.float32)[None, :, None]
        chunk = {}
        for i, key in enumerate(ACTION_KEYS):
            name = key.split(".", 1)[1] if self.bare_keys else key
            chunk[name] = np.broadcast_to(100.0 * (i + 1) + steps, (batch, self.horizon, 7)).copy()
        raw_action = self.action_convert_fn(chunk, chunk_size=self.output_action_chunks)
        result = {"prev_logprobs": None, "prev_values": None, "forward_inputs": {}}
        return torch.from_numpy(raw_action), result


# --------------------------------------------------------------------------------------------------
# the packaged YAML and data config
# --------------------------------------------------------------------------------------------------


def test_yaml_shares_block_between_train_and_eval_and_parses_into_spec():
    text = YAML.read_text()
    assert "isaaclab: &isaaclab_config" in text and "isaaclab: *isaaclab_config" in text
    cfg = bridge.load_config_file(YAML)
    assert "defaults" not in cfg and "hydra" not in cfg
    assert cfg.env.train.env_type == cfg.env.eval.env_type == "isaaclab"
    train = MappingSpec.from_config(cfg.env.train.isaaclab, path="env.train.isaaclab")
    assert MappingSpec.from_config(cfg.env.eval.isaaclab, path="env.train.isaaclab") == train

    gm = train.gr00t_mapping
    assert (train.main_images, train.extra_view_images) == (
        "front_camera",
        ("left_wrist_camera", "right_wrist_camera"),
    )
    assert gm.main_images == "video.room_view"
    assert [k.gr00t_key for k in gm.state] == [
        "state.left_arm",
        "state.right_arm",
        "state.left_hand",
        "state.right_hand",
    ]
    assert [k.slice for k in gm.state] == [(0, 7), (7, 14), (14, 21), (21, 28)]
    assert list(gm.action) == ACTION_KEYS
    assert (train.action_mapping.prefix_pad, train.action_mapping.suffix_pad) == (15, 0)
    assert (train.obs_converter_type, train.embodiment_tag, train.embodiment_tag_id) == (
        "dex3",
        "new_embodiment",
        31,
    )
    assert train.success_term == "task_success"

    # actor and rollout model fields come from the block / actor by interpolation
    actor, rollout = cfg.actor.model, cfg.rollout.model
    assert actor.obs_converter_type == "dex3" and actor.embodiment_tag == "new_embodiment"
    assert actor.embodiment_tag_id == 31 and actor.data_config_class == train.data_config_class
    for key in rollout:
        assert rollout[key] == actor[key], key
    raw = OmegaConf.load(YAML)
    assert OmegaConf.to_container(raw.rollout.model)["model_path"] == "${actor.model.model_path}"
    assert (
        OmegaConf.to_container(raw.actor.model)["obs_converter_type"]
        == "${env.train.isaaclab.obs_converter_type}"
    )


def test_yaml_task_ids_and_action_width_match_isaaclab_task():
    from isaaclab_rlinf.tasks.assemble_trocar import ASSEMBLE_TROCAR_TASKS

    cfg = bridge.load_config_file(YAML)
    specs = {t.id: t for t in ASSEMBLE_TROCAR_TASKS}
    assert cfg.env.train.init_params.id == "IsaacContrib-Assemble-Trocar-G129-Dex3"
    assert cfg.env.eval.init_params.id == "IsaacContrib-Assemble-Trocar-G129-Dex3-Eval"
    for alias, target in [
        ("Isaac-Assemble-Trocar-G129-Dex3-RLinf-v0", cfg.env.train.init_params.id),
        ("Isaac-Assemble-Trocar-G129-Dex3-RLinf-Eval-v0", cfg.env.eval.init_params.id),
    ]:
        assert specs[alias].env_cfg_entry_point == specs[target].env_cfg_entry_point

    # the env cfgs exist in IsaacLab 3.0, and 15 pads + GR00T's 28 dims fill its 43 joint targets
    module_name, cls_name = specs[cfg.env.train.init_params.id].env_cfg_entry_point.split(":")
    module = importlib.import_module(module_name)
    assert hasattr(module, cls_name)
    assert hasattr(module, specs[cfg.env.eval.init_params.id].env_cfg_entry_point.split(":")[1])
    n_joints = len(module.ActionsCfg().joint_pos.joint_names)
    assert cfg.env.train.isaaclab.action_mapping.prefix_pad + cfg.actor.model.action_dim == n_joints == 43


def test_yaml_passes_rlinf_validate_cfg():
    """RLinf's own ``validate_cfg`` (it starts a local Ray cluster: run in a subprocess)."""
    code = textwrap.dedent(
        f"""
        from isaaclab_rlinf.models.gr00t import load_config_file
        from rlinf.config import validate_cfg
        cfg = validate_cfg(load_config_file({str(YAML)!r}))
        print("VALID", cfg.actor.model.model_type, cfg.env.train.rollout_epoch)
        """
    )
    # RLinf's Cluster first attaches to any running Ray cluster (address="auto"); RAY_ADDRESS=local
    # makes it start its own, and a private temp dir keeps it apart from other runs on this machine.
    ray_tmp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    env = os.environ | {"RAY_ADDRESS": "local", "RAY_TMPDIR": ray_tmp}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
        )
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "VALID gr00t 2" in proc.stdout


def test_example_data_config_matches_mapping_and_imports_gr00t_lazily():
    data_config = bridge.load_data_config("gr00t_config:IsaacLabDataConfig", CONFIGS)
    spec = MappingSpec.from_config(bridge.load_config_file(YAML).env.train.isaaclab)
    loader._check_data_config_keys(data_config, spec, spec.path)  # raises on any difference
    assert data_config.action_keys == ACTION_KEYS
    assert data_config.observation_indices == [0] and data_config.action_indices == list(range(16))
    if not GR00T_INSTALLED:
        with pytest.raises(ModuleNotFoundError, match="gr00t"):
            data_config.transform()
        with pytest.raises(ModuleNotFoundError, match="gr00t"):
            data_config.modality_config()


def test_data_config_errors_name_the_yaml_path(tmp_path):
    with pytest.raises(
        MappingError, match=r"env\.train\.isaaclab\.data_config_class: cannot import module 'nope'"
    ):
        bridge.load_data_config("nope:Cls", tmp_path, "env.train.isaaclab.data_config_class")
    with pytest.raises(MappingError, match=r"has no 'Missing'.*IsaacLabDataConfig"):
        bridge.load_data_config("gr00t_config:Missing", CONFIGS)
    (tmp_path / "other_cfg.py").write_text(
        "class Cfg:\n    video_keys = ['video.x']\n    state_keys = []\n    action_keys = []\n"
    )
    spec = MappingSpec.from_config(bridge.load_config_file(YAML).env.train.isaaclab)
    with pytest.raises(MappingError, match=r"gr00t_mapping\.video: keys .* differ"):
        loader._check_data_config_keys(bridge.load_data_config("other_cfg:Cfg", tmp_path), spec, spec.path)


# --------------------------------------------------------------------------------------------------
# install: tables, generations, idempotence, early errors
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_type, table",
    [
        ("gr00t", "ACTION_CONVERSION_N1D5"),
        ("gr00t_n1d6", "ACTION_CONVERSION_N1D6"),
        ("gr00t_n1d7", "ACTION_CONVERSION_N1D7"),
    ],
)
def test_install_puts_converters_under_key_of_configured_generation(model_type, table):
    from rlinf.models.embodiment.gr00t import simulation_io

    builtin = {k: v for k, v in simulation_io.OBS_CONVERSION.items()}
    done = bridge.install(load_cfg(model_type), config_dir=CONFIGS)

    assert done.model_type == model_type and done.obs_converter_type == "dex3"
    assert simulation_io.OBS_CONVERSION["dex3"]._isaaclab_rlinf_spec == done.spec
    assert getattr(simulation_io, table)["dex3"]._isaaclab_rlinf_spec == done.spec
    for other in {"ACTION_CONVERSION_N1D5", "ACTION_CONVERSION_N1D6", "ACTION_CONVERSION_N1D7"} - {table}:
        assert "dex3" not in getattr(simulation_io, other)
    for key, fn in builtin.items():  # RLinf's own converters untouched
        assert simulation_io.OBS_CONVERSION[key] is fn


def test_install_is_idempotent():
    from rlinf.models.embodiment.gr00t import simulation_io

    first = bridge.install(load_cfg(), config_dir=CONFIGS)
    obs_fn = simulation_io.OBS_CONVERSION["dex3"]
    act_fn = simulation_io.ACTION_CONVERSION_N1D5["dex3"]
    assert bridge.install(load_cfg(), config_dir=CONFIGS) is first
    assert simulation_io.OBS_CONVERSION["dex3"] is obs_fn
    assert simulation_io.ACTION_CONVERSION_N1D5["dex3"] is act_fn
    assert bridge.embodiment_id("new_embodiment") == 31


def test_workers_install_the_bridge_from_the_saved_config(monkeypatch, tmp_path):
    from rlinf.models.embodiment.gr00t import simulation_io

    from isaaclab_rlinf.models.families import install_from_env

    monkeypatch.delenv("RLINF_CONFIG_FILE", raising=False)
    assert install_from_env() == []
    monkeypatch.setenv("RLINF_CONFIG_FILE", str(YAML))
    assert install_from_env() == ["gr00t"]
    assert bridge_impl._INSTALLED["gr00t"].config_dir == str(CONFIGS.resolve())  # its data config's home
    assert "dex3" in simulation_io.ACTION_CONVERSION_N1D5

    bridge_impl._INSTALLED.clear()
    not_gr00t = OmegaConf.load(YAML)
    not_gr00t.actor.model.model_type = "mlp_policy"
    OmegaConf.save(not_gr00t, tmp_path / "mlp.yaml")
    monkeypatch.setenv("RLINF_CONFIG_FILE", str(tmp_path / "mlp.yaml"))
    assert install_from_env() == [] and bridge_impl._INSTALLED == {}


def test_load_config_file_composes_hydra_defaults(tmp_path):
    """A config that takes its isaaclab block from a config group is composed with Hydra."""
    (tmp_path / "env").mkdir()
    packaged = OmegaConf.load(YAML)
    OmegaConf.save(packaged.env.train, tmp_path / "env" / "trocar.yaml")
    main = OmegaConf.to_container(packaged)
    del main["env"]["train"], main["env"]["eval"]
    main["defaults"] = [{"env@env.train": "trocar"}, {"env@env.eval": "trocar"}, "_self_"]
    OmegaConf.save(OmegaConf.create(main), tmp_path / "composed_main.yaml")

    cfg = bridge.load_config_file(tmp_path / "composed_main.yaml")
    assert cfg.env.train.isaaclab.obs_converter_type == "dex3"
    assert bridge.is_gr00t_config(cfg)
    assert bridge.install(cfg, config_dir=CONFIGS).spec.embodiment_tag_id == 31


def test_install_refuses_to_shadow_rlinf_converter():
    with pytest.raises(MappingError, match=r"obs_converter_type: 'libero' is one of RLinf's own converters"):
        bridge.install(load_cfg(obs_converter_type="libero"), config_dir=CONFIGS)


def test_install_fails_early_on_unresolvable_data_config(tmp_path):
    with pytest.raises(MappingError, match=r"env\.train\.isaaclab\.data_config_class: cannot import module"):
        bridge.install(load_cfg(), config_dir=tmp_path)  # gr00t_config.py is not next to this "YAML"


def test_install_checks_model_fields_and_eval_block_agree():
    cfg = load_cfg()
    cfg.actor.model.obs_converter_type = "other"
    with pytest.raises(
        MappingError, match=r"actor\.model\.obs_converter_type: must equal env\.train\.isaaclab"
    ):
        bridge.install(cfg)

    cfg = load_cfg()
    cfg.env.eval.isaaclab.action_mapping.prefix_pad = 14
    with pytest.raises(MappingError, match=r"env\.eval\.isaaclab\.action_mapping: differs"):
        bridge.install(cfg)


def test_install_rejects_tag_rlinf_n1d6_cannot_load():
    with pytest.raises(MappingError, match=r"embodiment_tag: RLinf's gr00t_n1d6 loader accepts only"):
        bridge.install(load_cfg("gr00t_n1d6", embodiment_tag="g129_dex3"))


def test_install_rejects_non_gr00t_model():
    with pytest.raises(MappingError, match=r"actor\.model\.model_type: not a GR00T model type"):
        bridge.install(load_cfg("mlp_policy"))


# --------------------------------------------------------------------------------------------------
# conversions at the model boundary
# --------------------------------------------------------------------------------------------------


def test_without_a_language_key_the_instruction_goes_to_the_data_configs_language_key():
    """IsaacLab's published trocar YAML sets no gr00t_mapping.language; its data config names
    annotation.human.task_description, not RLinf's default annotation.human.action.task_description."""
    from rlinf.models.embodiment.gr00t import simulation_io

    cfg = load_cfg()
    for split in ("train", "eval"):
        del cfg.env[split].isaaclab.gr00t_mapping["language"]
    assert MappingSpec.from_config(cfg.env.train.isaaclab).gr00t_mapping.language_key == (
        "annotation.human.action.task_description"
    )
    bridge.install(cfg, config_dir=CONFIGS)
    env_obs = rlinf_env_obs()
    out = simulation_io.OBS_CONVERSION["dex3"](env_obs)
    assert out["annotation.human.task_description"] == env_obs["task_descriptions"]
    assert "annotation.human.action.task_description" not in out


def test_obs_conversion_exact_values_numpy_dtypes_and_shapes():
    from rlinf.models.embodiment.gr00t import simulation_io

    bridge.install(load_cfg(), config_dir=CONFIGS)
    env_obs = rlinf_env_obs()
    main, extra, states = env_obs["main_images"], env_obs["extra_view_images"], env_obs["states"]
    out = simulation_io.OBS_CONVERSION["dex3"](env_obs)

    expected = {
        "video.room_view": main.numpy()[:, None],
        "video.left_wrist_view": extra.numpy()[:, 0:1],
        "video.right_wrist_view": extra.numpy()[:, 1:2],
        "state.left_arm": states.numpy()[:, None, 0:7],
        "state.right_arm": states.numpy()[:, None, 7:14],
        "state.left_hand": states.numpy()[:, None, 14:21],
        "state.right_hand": states.numpy()[:, None, 21:28],
    }
    assert set(out) == set(expected) | {"annotation.human.task_description"}
    for key, want in expected.items():
        got = out[key]
        assert isinstance(got, np.ndarray), key
        assert got.dtype == (np.uint8 if key.startswith("video.") else np.float32), key
        assert got.shape == ((B, 1, H, W, 3) if key.startswith("video.") else (B, 1, 7)), key
        np.testing.assert_array_equal(got, want)
    assert out["annotation.human.task_description"] == env_obs["task_descriptions"]
    assert all(isinstance(s, str) for s in out["annotation.human.task_description"])


@pytest.mark.parametrize("model_type, generation", [("gr00t_n1d6", "N1D6"), ("gr00t_n1d7", "N1D7")])
def test_fake_policy_round_trip_gives_the_policy_action_in_mapping_order(model_type, generation):
    """N1.6/N1.7 (not installable here) through a test double; N1.5 runs for real in test_gr00t_model.py."""
    bridge.install(load_cfg(model_type), config_dir=CONFIGS)
    policy = FakeGr00tPolicy("dex3", generation, output_action_chunks=4)
    env_obs = rlinf_env_obs()
    states = env_obs["states"].clone()

    actions, result = policy.predict_action_batch(env_obs, mode="train")

    # the model saw GR00T's inputs: numpy video uint8 [B,T,H,W,C], state float [B,T,D], language
    inputs = policy.model_inputs
    assert inputs["video.room_view"].dtype == np.uint8 and inputs["video.room_view"].shape == (B, 1, H, W, 3)
    np.testing.assert_array_equal(inputs["state.right_hand"][:, 0], states.numpy()[:, 21:28])
    assert inputs["annotation.human.task_description"].shape == (B,)
    assert isinstance(policy.raw_observations["annotation.human.task_description"], list)
    # RLinf's rollout gets [B, chunk, action_dim]: the 4 keys in mapping order (the env adds the 15 pads)
    assert isinstance(actions, torch.Tensor) and actions.dtype == torch.float32
    assert actions.shape == (B, 4, 28)
    for i in range(4):
        block = actions[..., 7 * i : 7 * (i + 1)]
        want = 100.0 * (i + 1) + torch.arange(4, dtype=torch.float32)[None, :, None]
        torch.testing.assert_close(block, want.expand(B, 4, 7))
    assert set(result) == {"prev_logprobs", "prev_values", "forward_inputs"}


def test_without_gr00t_mapping_action_the_data_configs_order_is_used(caplog):
    from rlinf.models.embodiment.gr00t import simulation_io

    mapping = OmegaConf.to_container(load_cfg().env.train.isaaclab.gr00t_mapping)
    del mapping["action"]  # as in IsaacLab's published trocar YAML
    cfg = load_cfg(gr00t_mapping=mapping)
    with caplog.at_level("WARNING"):
        bridge.install(cfg, config_dir=CONFIGS)
    notices = [r.getMessage() for r in caplog.records if "gr00t_mapping.action is unset" in r.getMessage()]
    assert len(notices) == 1 and "action_keys order" in notices[0] and "\n" not in notices[0]
    chunk = {k: np.full((B, 16, 7), float(i), np.float32) for i, k in enumerate(reversed(ACTION_KEYS))}
    out = simulation_io.ACTION_CONVERSION_N1D5["dex3"](chunk, chunk_size=2)
    assert out.shape == (B, 2, 28)
    np.testing.assert_array_equal(out[0, 0, ::7], [3.0, 2.0, 1.0, 0.0])  # data config order, not the dict's


def test_action_converter_names_missing_keys():
    from rlinf.models.embodiment.gr00t import simulation_io

    bridge.install(load_cfg(), config_dir=CONFIGS)
    chunk = {k: np.zeros((B, 16, 7), np.float32) for k in ACTION_KEYS[:3]}
    with pytest.raises(MappingError, match=r"gr00t_mapping\.action: GR00T returned no 'action\.right_hand'"):
        simulation_io.ACTION_CONVERSION_N1D5["dex3"](chunk, chunk_size=1)


# --------------------------------------------------------------------------------------------------
# embodiment tags: the id the model receives
# --------------------------------------------------------------------------------------------------


def test_embodiment_tag_id_from_config_replaces_rlinfs_in_the_mapping_rlinf_gives_gr00t():
    """RLinf's loader swaps this mapping into gr00t (Patcher); the real model's id is checked in
    test_gr00t_model.py."""
    assert bridge.embodiment_id("new_embodiment") == 10  # RLinf 0.3.0's value: the bug being fixed
    bridge.install(load_cfg(), config_dir=CONFIGS)
    assert bridge.embodiment_id("new_embodiment") == 31


def test_new_embodiment_tag_is_added_for_rlinf_and_gr00t():
    import pydantic
    from rlinf.models.embodiment.gr00t.embodiment_tags import EmbodimentTag

    bridge.install(load_cfg(embodiment_tag="g129_dex3", embodiment_tag_id=7), config_dir=CONFIGS)

    assert EmbodimentTag("g129_dex3").value == "g129_dex3"  # RLinf's policies call EmbodimentTag(tag)
    assert bridge.embodiment_id("g129_dex3") == 7

    class Metadata(pydantic.BaseModel):  # gr00t's DatasetMetadata validates the tag like this
        embodiment_tag: EmbodimentTag

    assert Metadata(embodiment_tag="g129_dex3").embodiment_tag is EmbodimentTag("g129_dex3")


# --------------------------------------------------------------------------------------------------
# missing gr00t
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def gr00t_hidden(monkeypatch):
    """``gr00t`` looks uninstalled to the bridge's check (whether or not it is installed here)."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name.split(".")[0] == "gr00t" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    for name in [m for m in sys.modules if m.split(".")[0] == "gr00t"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "gr00t", None)  # `import gr00t...` fails as if not installed


def test_missing_gr00t_gives_install_instructions_through_rlinfs_get_model(gr00t_hidden):
    from rlinf.models import get_model

    cfg = load_cfg()
    bridge.install(cfg, config_dir=CONFIGS)
    with pytest.raises(bridge.Gr00tNotInstalledError) as err:
        get_model(cfg.actor.model)  # RLinf's registry -> our builder
    msg = str(err.value)
    assert "`gr00t` is not installed" in msg and "N1.5" in msg and "\n" not in msg
    assert "make install-gr00t GR00T_SRC=" in msg
    assert isinstance(err.value, ImportError)

    for model_type, where in [("gr00t_n1d6", "n1.6.1-release"), ("gr00t_n1d7", "n1.7-release")]:
        with pytest.raises(bridge.Gr00tNotInstalledError, match=where):
            bridge.require_gr00t(model_type)


def test_a_data_config_importing_missing_gr00t_at_its_top_is_the_install_hint(tmp_path, gr00t_hidden):
    (tmp_path / "top_cfg.py").write_text("import gr00t.experiment.data_config\n\nclass Cfg:\n    pass\n")
    with pytest.raises(bridge.Gr00tNotInstalledError, match=r"make install-gr00t"):
        bridge.load_data_config("top_cfg:Cfg", tmp_path, "env.train.isaaclab.data_config_class")
    sys.modules.pop("top_cfg", None)


def test_wrong_gr00t_generation_is_named(tmp_path):
    """A ``gr00t`` package without N1.5's ``gr00t.experiment.data_config`` (another generation)."""
    (tmp_path / "gr00t").mkdir()
    (tmp_path / "gr00t" / "__init__.py").write_text("")
    code = "from isaaclab_rlinf.models.gr00t import require_gr00t\nrequire_gr00t('gr00t')\n"
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "Gr00tNotInstalledError" in proc.stderr and "not the N1.5 generation" in proc.stderr
