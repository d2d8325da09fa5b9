"""Task registry against real installed-style distributions, real rlinf and real gymnasium.

Third-party plugins are real distributions written to a temp dir (package + ``*.dist-info`` with
``METADATA`` and ``entry_points.txt``) and found by ``importlib.metadata`` through ``sys.path`` /
``PYTHONPATH``. ``register()`` mutates process-global registries (RLinf's and gymnasium's), so it runs in
fresh subprocesses, started together once per module (importing rlinf takes several seconds).
Discovery, the table and config paths touch no global registry and run in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import isaaclab_rlinf
from isaaclab_rlinf.registry import (
    ENTRY_POINT_GROUP,
    TaskRow,
    TaskSpec,
    config_task_ids,
    discover_tasks,
    format_task_table,
    list_tasks,
    resolve_config_path,
)

GENERIC_ENV = "isaaclab_rlinf.env:IsaacLabGenericEnv"
RLINF_STACK_CUBE = "Isaac-Stack-Cube-Franka-IK-Rel-Visuomotor-Rewarded-v0"  # shipped by RLinf itself
ISAACLAB_ID = "Isaac-Cartpole"  # registered with gymnasium by isaaclab_tasks, not by any plugin

ACME = {
    "acme_tasks/__init__.py": """
        from isaaclab_rlinf import TaskSpec

        TASKS = [
            TaskSpec(
                id="Acme-Reach-v0",
                env_cfg_entry_point="acme_tasks.cfg:ReachEnvCfg",
                config="configs/reach.yaml",
                description="Reach a point",
            ),
            TaskSpec(
                id="Acme-Lift-v0",
                env_cfg_entry_point="acme_tasks.cfg:LiftEnvCfg",
                entry_point="isaaclab.envs:DirectRLEnv",
            ),
        ]
        """,
    "acme_tasks/configs/reach.yaml": "env: {}\n",
    # a zero-argument callable returning one spec; its config lives in the parent package
    "acme_tasks/sub/__init__.py": """
        from isaaclab_rlinf import TaskSpec

        def more_tasks():
            return TaskSpec(id="Acme-Push-v0", env_cfg_entry_point="acme_tasks.cfg:PushEnvCfg",
                            config="configs/reach.yaml")
        """,
}
ACME_EPS = {"acme": "acme_tasks:TASKS", "acme_more": "acme_tasks.sub:more_tasks"}
ACME_IDS = {"Acme-Reach-v0": "acme_tasks.cfg:ReachEnvCfg", "Acme-Lift-v0": "acme_tasks.cfg:LiftEnvCfg"}
ACME_IDS["Acme-Push-v0"] = "acme_tasks.cfg:PushEnvCfg"

BROKEN = {
    # import error inside the plugin's module
    ("broken-import", "broken = broken_import.tasks:TASKS"): {
        "broken_import/__init__.py": "",
        "broken_import/tasks.py": "import not_installed_dependency_xyz\nTASKS = []\n",
    },
    # wrong object type: a dict, and a list holding a string
    ("wrong-type", "wrong = wrong_type:TASKS"): {
        "wrong_type/__init__.py": """
            from isaaclab_rlinf import TaskSpec
            TASKS = {"id": "Wrong-v0"}
            ITEMS = [TaskSpec(id="Wrong-Item-v0", env_cfg_entry_point="wrong_type:Cfg"), "Wrong-Str-v0"]
            """,
    },
    ("wrong-type", "wrong_items = wrong_type:ITEMS"): {},
    # duplicate id with a different spec, next to a good task of the same entry point
    ("dup-task", "dup = dup_task:TASKS"): {
        "dup_task/__init__.py": """
            from isaaclab_rlinf import TaskSpec
            TASKS = [
                TaskSpec(id="Acme-Reach-v0", env_cfg_entry_point="dup_task.cfg:OtherEnvCfg"),
                TaskSpec(id="Dup-Good-v0", env_cfg_entry_point="dup_task.cfg:GoodEnvCfg"),
                # an identical duplicate is merged silently
                TaskSpec(id="Acme-Lift-v0", env_cfg_entry_point="acme_tasks.cfg:LiftEnvCfg",
                         entry_point="isaaclab.envs:DirectRLEnv"),
            ]
            # gymnasium refuses an unversioned id beside a versioned one of the same name
            CLASH = [TaskSpec(id="Dup-Good", env_cfg_entry_point="dup_task.cfg:GoodEnvCfg")]
            """,
    },
    ("dup-task", "later_clash = dup_task:CLASH"): {},
}


def write_dist(root: Path, dist: str, files: dict[str, str], entry_points: dict[str, str]) -> None:
    """A distribution as pip would install it: its package files plus ``<name>-0.1.dist-info``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    eps = info / "entry_points.txt"
    old = eps.read_text() if eps.exists() else f"[{ENTRY_POINT_GROUP}]\n"
    eps.write_text(old + "".join(f"{name} = {value}\n" for name, value in entry_points.items()))


def write_plugins(root: Path, broken: bool) -> Path:
    write_dist(root, "acme-tasks", ACME, ACME_EPS)
    if broken:
        for (dist, ep), files in BROKEN.items():
            name, value = (s.strip() for s in ep.split("="))
            write_dist(root, dist, files, {name: value})
    return root


RUN_YAML = f"""
defaults:            # Hydra defaults: not composed by the registry
  - env/isaaclab_cartpole@env.train
  - _self_
task: {ISAACLAB_ID}
env:
  train:
    init_params:
      id: ${{task}}
  eval:
    init_params:
      id: {RLINF_STACK_CUBE}
"""

# Run in a fresh interpreter: register() twice (the second must change nothing and warn nothing), then
# report RLinf's table, gymnasium's entries and get_env_cls's answers as JSON on the last line.
PROBE = """
import json, os, sys, warnings
first = sys.argv[1]
if first == "rlinf_hook":  # the way RLinf's Ray workers call us
    from rlinf.scheduler.cluster.utils import load_user_extension_module
    os.environ["RLINF_EXT_MODULE"] = "isaaclab_rlinf"
    load_user_extension_module()
import gymnasium
from omegaconf import OmegaConf
from rlinf.envs import get_env_cls
from rlinf.envs.isaaclab import REGISTER_ISAACLAB_ENVS
import isaaclab_rlinf
from isaaclab_rlinf.registry import RegistryError

def call():
    try:
        return {"ids": isaaclab_rlinf.registry.register(), "error": None}
    except RegistryError as e:
        return {"ids": None, "error": str(e), "broken": [[b.distribution, b.entry_point] for b in e.broken]}

calls = [call() if first == "register" else None]
before = (dict(REGISTER_ISAACLAB_ENVS), dict(gymnasium.registry))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    calls.append(call())
unchanged = before == (dict(REGISTER_ISAACLAB_ENVS), dict(gymnasium.registry))
name = lambda c: f"{c.__module__}:{c.__qualname__}"
print(json.dumps({
    "calls": calls,
    "unchanged": unchanged,
    "warnings": [str(w.message) for w in caught],
    "rlinf": {k: name(v) for k, v in REGISTER_ISAACLAB_ENVS.items()},
    "get_env_cls": {k: name(get_env_cls("isaaclab", OmegaConf.create({"init_params": {"id": k}})))
                    for k in REGISTER_ISAACLAB_ENVS},
    "gym": {k: [s.entry_point, s.kwargs["env_cfg_entry_point"], s.disable_env_checker]
            for k, s in gymnasium.registry.items() if "env_cfg_entry_point" in s.kwargs},
    "heavy_imports": sorted(m for m in ("isaaclab", "isaaclab_tasks") if m in sys.modules),
}))
"""


def start_probe(plugins: Path, mode: str, config_file: Path | None) -> subprocess.Popen:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(plugins), os.environ.get("PYTHONPATH")]))
    )
    env.pop("RLINF_CONFIG_FILE", None)
    env.pop("RLINF_EXT_MODULE", None)
    if config_file is not None:
        env["RLINF_CONFIG_FILE"] = str(config_file)
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, mode],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def probes(tmp_path_factory) -> dict[str, dict]:
    """Both subprocess runs, started together: good plugins only (via RLinf's own hook), and all plugins
    including the broken ones plus an ``RLINF_CONFIG_FILE``."""
    good = write_plugins(tmp_path_factory.mktemp("good"), broken=False)
    everything = write_plugins(tmp_path_factory.mktemp("all"), broken=True)
    run_yaml = everything / "run.yaml"
    run_yaml.write_text(RUN_YAML)
    procs = {
        "good": start_probe(good, "rlinf_hook", None),
        "all": start_probe(everything, "register", run_yaml),
    }
    results = {}
    for key, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{key} probe failed:\n{err}"
        results[key] = json.loads(out.strip().splitlines()[-1])
    return results


def own_task_ids() -> list[str]:
    from isaaclab_rlinf.tasks import TASKS

    return [t.id for t in TASKS]


# --------------------------------------------------------------------------------------------------
# register(): subprocesses


def test_rlinf_hook_registers_third_party_and_own_tasks(probes):
    r = probes["good"]
    assert r["calls"][1]["error"] is None
    expected = {**ACME_IDS, **{i: None for i in own_task_ids()}}
    assert set(r["calls"][1]["ids"]) == set(expected)
    for task_id, cfg in expected.items():
        assert r["rlinf"][task_id] == GENERIC_ENV
        assert r["get_env_cls"][task_id] == GENERIC_ENV
        entry_point, env_cfg, no_checker = r["gym"][task_id]
        assert no_checker
        if cfg is not None:
            assert env_cfg == cfg
    assert r["gym"]["Acme-Lift-v0"][0] == "isaaclab.envs:DirectRLEnv"
    assert r["gym"]["Acme-Reach-v0"][0] == "isaaclab.envs:ManagerBasedRLEnv"
    # RLinf's own task keeps its own class
    assert r["rlinf"][RLINF_STACK_CUBE].endswith(":IsaaclabStackCubeEnv")


def test_register_is_idempotent_and_cheap(probes):
    for r in probes.values():
        assert r["unchanged"], "a second register() changed RLinf's or gymnasium's registry"
        assert r["warnings"] == []  # e.g. gymnasium's "Overriding environment ..."
        assert r["heavy_imports"] == []  # isaaclab / isaaclab_tasks are not imported to register
    calls = probes["all"]["calls"]
    assert calls[0] == calls[1]


def test_broken_plugins_raise_one_error_naming_each_and_good_tasks_still_register(probes):
    r = probes["all"]
    call = r["calls"][0]
    assert call["ids"] is None
    message = call["error"]
    assert sorted(map(tuple, call["broken"])) == sorted(
        [
            ("broken-import", "broken = broken_import.tasks:TASKS"),
            ("wrong-type", "wrong = wrong_type:TASKS"),
            ("wrong-type", "wrong_items = wrong_type:ITEMS"),
            ("dup-task", "dup = dup_task:TASKS"),
            ("dup-task", "later_clash = dup_task:CLASH"),
        ]
    )
    assert message.startswith("5 problem(s)")
    for dist, ep in BROKEN:
        assert f"distribution {dist!r}, entry point {ep!r}" in message
    assert "No module named 'not_installed_dependency_xyz'" in message
    assert "broken_import/tasks.py:1" in message  # where it failed
    assert "'wrong_type:TASKS' is a dict, not a TaskSpec" in message
    assert "item 1 is a str" in message
    assert (
        "task 'Acme-Reach-v0' of distribution 'dup-task'" in message
        and "already provided by distribution 'acme-tasks'" in message
        and "env_cfg_entry_point: 'dup_task.cfg:OtherEnvCfg' != 'acme_tasks.cfg:ReachEnvCfg'" in message
    )
    assert "gymnasium refused task id 'Dup-Good': RegistrationError: Can't register" in message
    assert message.count("fix: ") == 5
    # every good task is registered, and listed in the error
    good = [*ACME_IDS, "Dup-Good-v0", *own_task_ids()]
    for task_id in good:
        assert r["rlinf"][task_id] == GENERIC_ENV and task_id in r["gym"]
        assert task_id in message.rsplit("Registered tasks:", 1)[1]
    # the first claimant keeps a disputed id; nothing of a broken entry point leaks in
    assert r["gym"]["Acme-Reach-v0"][1] == "acme_tasks.cfg:ReachEnvCfg"
    for task_id in ("Wrong-v0", "Wrong-Item-v0", "Wrong-Str-v0", "Dup-Good"):
        assert task_id not in r["rlinf"] and task_id not in r["gym"]


def test_config_file_ids_go_to_rlinf_only(probes):
    r = probes["all"]
    assert r["rlinf"][ISAACLAB_ID] == GENERIC_ENV
    assert r["get_env_cls"][ISAACLAB_ID] == GENERIC_ENV
    assert ISAACLAB_ID not in r["gym"]  # IsaacLab registers it itself when isaaclab_tasks is imported
    assert r["rlinf"][RLINF_STACK_CUBE].endswith(":IsaaclabStackCubeEnv")  # not replaced
    assert ISAACLAB_ID in r["calls"][0]["error"].rsplit("Registered tasks:", 1)[1]


# --------------------------------------------------------------------------------------------------
# Discovery, table, config paths: in-process (no global registry touched)


PLUGIN_PACKAGES = ("acme_tasks", "broken_import", "wrong_type", "dup_task")


@pytest.fixture(scope="module")
def plugins_root(tmp_path_factory):
    """One plugin dir per module: the plugins' modules, once imported, stay bound to it."""
    yield write_plugins(tmp_path_factory.mktemp("inproc"), broken=True)
    for name in [m for m in sys.modules if m.split(".")[0] in PLUGIN_PACKAGES]:
        del sys.modules[name]


@pytest.fixture
def all_plugins(plugins_root, monkeypatch) -> Path:
    monkeypatch.syspath_prepend(str(plugins_root))
    return plugins_root


def test_list_tasks_reports_tasks_and_broken_plugins_without_raising(all_plugins):
    rows = list_tasks()
    good = {r.id: r for r in rows if not r.broken}
    # "Dup-Good" looks fine until gymnasium sees it: list_tasks does not import gymnasium
    assert {*ACME_IDS, "Dup-Good-v0", "Dup-Good", *own_task_ids()} == set(good)
    reach = good["Acme-Reach-v0"]
    assert (reach.distribution, reach.config, reach.description) == (
        "acme-tasks",
        "configs/reach.yaml",
        "Reach a point",
    )
    assert reach.entry_point == "acme = acme_tasks:TASKS" and reach.module == "acme_tasks"
    assert good[own_task_ids()[0]].distribution == "isaaclab-rlinf"
    bad = [r for r in rows if r.broken]
    assert {(r.distribution, r.entry_point, r.id) for r in bad} == {
        ("broken-import", "broken = broken_import.tasks:TASKS", ""),
        ("wrong-type", "wrong = wrong_type:TASKS", ""),
        ("wrong-type", "wrong_items = wrong_type:ITEMS", ""),
        ("dup-task", "dup = dup_task:TASKS", "Acme-Reach-v0"),
    }
    assert all("fix: " in r.error for r in bad)
    assert rows.index(bad[0]) == len(good)  # usable tasks first


def test_table_output(all_plugins):
    text = format_task_table(list_tasks())
    lines = text.splitlines()
    assert lines[0].split() == ["ID", "DISTRIBUTION", "CONFIG", "DESCRIPTION"]
    reach = next(line for line in lines if line.startswith("Acme-Reach-v0"))
    assert reach.split() == ["Acme-Reach-v0", "acme-tasks", "configs/reach.yaml", "Reach", "a", "point"]
    lift = next(line for line in lines if line.startswith("Acme-Lift-v0"))
    assert lift.split() == ["Acme-Lift-v0", "acme-tasks", "-"]
    # columns line up
    assert lines[0].index("DISTRIBUTION") == reach.index("acme-tasks") == lift.index("acme-tasks")
    assert "BROKEN PLUGINS (4; their tasks are not available):" in lines
    assert any(
        line.startswith("  broken-import [broken = broken_import.tasks:TASKS]: loading") for line in lines
    )
    assert any(line.startswith("  task 'Acme-Reach-v0' of dup-task [dup = dup_task:TASKS]") for line in lines)


def test_table_exact_format():
    rows = [
        TaskRow("A-v0", "dist-a", "configs/a.yaml", "First task", "a = a:TASKS"),
        TaskRow("Longer-Id-v0", "b", None, "", "b = b:TASKS"),
        TaskRow("", "bad", None, "", "bad = bad:X", error="ImportError: nope; fix: reinstall"),
    ]
    assert format_task_table(rows) == (
        "ID            DISTRIBUTION  CONFIG          DESCRIPTION\n"
        "A-v0          dist-a        configs/a.yaml  First task\n"
        "Longer-Id-v0  b             -\n"
        "\n"
        "BROKEN PLUGINS (1; their tasks are not available):\n"
        "  bad [bad = bad:X]: ImportError: nope; fix: reinstall"
    )
    assert format_task_table([]) == f"No tasks found in entry-point group {ENTRY_POINT_GROUP!r}."


def test_resolve_config_path(all_plugins):
    reach = all_plugins / "acme_tasks" / "configs" / "reach.yaml"
    assert resolve_config_path("Acme-Reach-v0") == reach.resolve()
    # acme_tasks.sub names configs/reach.yaml: found in the parent package
    push = next(r for r in list_tasks() if r.id == "Acme-Push-v0")
    assert resolve_config_path(push) == reach.resolve()
    spec = next(r.spec for r in discover_tasks()[0] if r.id == "Acme-Reach-v0")
    assert resolve_config_path(spec) == reach.resolve()
    # the embedded task's packaged config
    own = next(r for r in list_tasks() if r.distribution == "isaaclab-rlinf" and r.config)
    path = resolve_config_path(own)
    assert path.is_file() and path.is_relative_to(Path(isaaclab_rlinf.__file__).parent)

    with pytest.raises(LookupError, match="declares no default config"):
        resolve_config_path("Acme-Lift-v0")
    with pytest.raises(LookupError, match=r"'Nope-v0' is not offered.*known tasks: .*Acme-Reach-v0"):
        resolve_config_path("Nope-v0")
    missing = TaskRow(
        "M-v0", "acme-tasks", "configs/missing.yaml", "", "x = acme_tasks.sub:f", "acme_tasks.sub"
    )
    with pytest.raises(
        FileNotFoundError, match=r"tried: .*acme_tasks/sub/configs/missing.yaml, .*acme_tasks/"
    ):
        resolve_config_path(missing)


def test_config_task_ids(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(RUN_YAML)
    assert config_task_ids(path) == [ISAACLAB_ID, RLINF_STACK_CUBE]
    path.write_text(
        "env:\n  train:\n    init_params:\n      id: ${oc.env:NOT_SET_ANYWHERE_XYZ}\n  eval: {}\n"
    )
    assert config_task_ids(path) == []  # unresolvable interpolation and missing keys are skipped
    path.write_text("defaults: [a, b]\n")
    assert config_task_ids(path) == []
    path.write_text("env:\n  train: {init_params: {id: Same-v0}}\n  eval: {init_params: {id: Same-v0}}\n")
    assert config_task_ids(path) == ["Same-v0"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": "has space"}, "not a valid gymnasium id"),
        ({"id": ""}, "not a valid gymnasium id"),
        ({"env_cfg_entry_point": "no_colon.Cfg"}, "env_cfg_entry_point='no_colon.Cfg' must be"),
        ({"entry_point": "pkg:Env:x"}, "entry_point='pkg:Env:x' must be"),
        ({"config": ""}, "config must be"),
    ],
)
def test_taskspec_validation(kwargs, match):
    base = {"id": "Ok-v0", "env_cfg_entry_point": "pkg.mod:Cfg"}
    with pytest.raises(ValueError, match=match):
        TaskSpec(**{**base, **kwargs})


def test_taskspec_accepts_pathlike_config_and_lists_differences():
    a = TaskSpec("Ns/Task-v1", "pkg.mod:Cfg", config=Path("configs/x.yaml"))
    assert a.config == "configs/x.yaml"
    b = TaskSpec("Ns/Task-v1", "pkg.mod:Other", config="configs/x.yaml")
    assert a.differences(b) == ["env_cfg_entry_point: 'pkg.mod:Cfg' != 'pkg.mod:Other'"]
    assert a.differences(a) == []
