"""Model families (``isaaclab_rlinf.models.family``): ours, and a third party's found through entry-point
group ``isaaclab_rlinf.model_families``, each asked the same questions by the launcher.

The third-party family is a real distribution written to a temp dir (package + ``*.dist-info`` with
``entry_points.txt``) and found by ``importlib.metadata`` through ``sys.path``, as pip would install it.
Its hooks register a real builder into RLinf's table and raise our real ``ConfigError``.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from isaaclab_rlinf.cli import main
from isaaclab_rlinf.models.families import active_families, families, install_from_env
from isaaclab_rlinf.models.family import ENTRY_POINT_GROUP

ACME = """
from isaaclab_rlinf.models.family import ModelFamily
from isaaclab_rlinf.rlinf_cfg import ConfigError


def _install(cfg, config_dir):
    from rlinf.models import register_model

    register_model("acme_policy", lambda cfg, dtype: f"acme {cfg.width}", category="embodied", force=True)


def _check(cfg, config_dir):
    t = cfg.actor.model.get("acme_temperature")
    if not isinstance(t, float) or t <= 0:
        raise ConfigError(
            f"actor.model.acme_temperature: must be a positive float (got {t!r}). "
            "Fix: +actor.model.acme_temperature=1.0."
        )


FAMILY = ModelFamily(name="acme", model_types=("acme_policy",), install=_install, check=_check)
"""
ACME_TYPE = ["actor.model.model_type=acme_policy", "rollout.model.model_type=acme_policy"]


def write_dist(root: Path, dist: str, files: dict[str, str], entry_points: dict[str, str]) -> Path:
    """A distribution as pip would install it: its package files plus ``<name>-0.1.dist-info``."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip())
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    return root


@pytest.fixture
def acme(tmp_path, monkeypatch) -> Path:
    root = write_dist(
        tmp_path / "site", "acme-family", {"acme_family/__init__.py": ACME}, {"acme": "acme_family:FAMILY"}
    )
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.chdir(tmp_path)
    return root


def test_ours_come_first_each_serving_its_model_types():
    assert [(f.name, f.model_types) for f in families()][:4] == [
        ("gr00t", ("gr00t", "gr00t_n1d6", "gr00t_n1d7")),
        ("openpi", ("openpi",)),
        ("cnn_policy", ("cnn_policy",)),
        ("mlp_policy", ("mlp_policy",)),
    ]


def test_a_config_uses_the_families_of_its_actor_and_rollout_models():
    cfg = OmegaConf.create({"actor": {"model": {"model_type": "openpi"}}, "rollout": {"model": {}}})
    assert [f.name for f in active_families(cfg)] == ["openpi"]


def test_an_installed_package_adds_its_family_after_ours(acme):
    assert [f.name for f in families()][-1] == "acme"


def test_preflight_runs_a_plugin_familys_check_one_line_exit_2(acme, capsys):
    assert main(["train", "--no_task_check", *ACME_TYPE]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "isaaclab-rlinf train: error: actor.model.acme_temperature: must be a positive float (got None). "
        "Fix: +actor.model.acme_temperature=1.0."
    ]


def test_a_plugin_familys_install_makes_its_model_type_rlinfs_before_the_gpu_stop(acme, capsys):
    assert main(["train", "--no_task_check", *ACME_TYPE, "+actor.model.acme_temperature=0.5"]) == 3
    assert "`isaaclab-rlinf train` needs a GPU" in capsys.readouterr().err


def test_workers_install_the_family_of_the_saved_config(acme, tmp_path, monkeypatch):
    from rlinf.models import get_model

    path = tmp_path / "config.yaml"
    OmegaConf.save({"actor": {"model": {"model_type": "acme_policy"}}}, path)
    monkeypatch.setenv("RLINF_CONFIG_FILE", str(path))
    assert install_from_env() == ["acme"]
    model_cfg = {"model_type": "acme_policy", "width": 8, "precision": None, "is_lora": False}
    assert get_model(OmegaConf.create(model_cfg)) == "acme 8"  # RLinf builds with the plugin's builder


def test_a_broken_plugin_is_a_warning_naming_it_and_the_others_still_serve(tmp_path, monkeypatch, caplog):
    root = write_dist(tmp_path, "broken-family", {}, {"gone": "no_such_module:FAMILY"})
    monkeypatch.syspath_prepend(str(root))
    with caplog.at_level(logging.WARNING, logger="isaaclab_rlinf.models.families"):
        names = [f.name for f in families()]
    assert names == ["gr00t", "openpi", "cnn_policy", "mlp_policy"]
    (record,) = caplog.records
    assert record.getMessage().startswith(
        f"model family plugin broken-family (gone = no_such_module:FAMILY, group {ENTRY_POINT_GROUP}) "
        "skipped: ModuleNotFoundError: No module named 'no_such_module'"
    )


def test_init_writes_the_random_model_path_of_the_configs_family(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cnn = ["--config_name", "isaaclab_ppo_cnn_franka_reach"]
    assert main(["init", *cnn, "--out", str(tmp_path / "enc"), "--seed", "3"]) == 0
    assert (tmp_path / "enc" / "resnet10_random.pt").is_file()
    assert capsys.readouterr().out.splitlines()[0].startswith("wrote a random ResNet10 encoder (seed 3)")
    argv = ["train", *cnn, "--no_task_check", f"actor.model.model_path={tmp_path / 'enc'}"]
    assert main(argv) == 3  # the cnn check finds the encoder file: on to the GPU stop


def test_init_of_a_model_without_a_writer_names_those_with_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--out", str(tmp_path / "m")]) == 2  # the packaged mlp_policy config
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "isaaclab-rlinf init: error: actor.model.model_type: no random model_path writer for 'mlp_policy'. "
        "Fix: a config of a family that has one: gr00t (gr00t, gr00t_n1d6, gr00t_n1d7), openpi (openpi), "
        "cnn_policy (cnn_policy)."
    )
