"""Launch RLinf's embodied runner (train) or eval runner (play) for a composed config.

The order is the point: everything that can be checked without Ray is checked first, in the driver
(:mod:`isaaclab_rlinf.preflight`), so a bad config fails in seconds with one message naming the key, the
value and the fix:

0. (CLI, :func:`isaaclab_rlinf.cli.config.build_config`) every ``${...}`` resolves
   (:func:`check_interpolations`).
1. :func:`preflight` (no Ray, no GPU): a RLinf 0.2-era config upgraded, then the task ids, the mapping
   blocks, the model bridges, the batch sizes, RLinf's static rules and the checkpoint paths (the list is
   in :mod:`isaaclab_rlinf.preflight`).
2. :func:`check_tasks_live`: each mapped task is built once with one env in the driver and the mapping
   checked against its first observation, as ``inspect`` does. ``--no_task_check`` skips it.
3. :func:`require_accelerator`: RLinf's actor and rollout workers need one; without it we stop here and
   point to ``isaaclab-rlinf inspect``. :func:`require_model_package`: each model family's package
   (``gr00t``, openpi's venv; :mod:`isaaclab_rlinf.models.family`).
4. :func:`prepare_environment`: the variables Ray copies to every worker (below).
5. :func:`validate_with_rlinf`: ``rlinf.config.validate_cfg``. It creates RLinf's ``Cluster`` (this starts
   a local Ray instance and RLinf's manager actors, but no worker), because its placement checks need the
   cluster's node and accelerator count. Its assertion messages are turned into the same one-line error.
   Meanwhile a background thread imports the worker classes' modules (:func:`prefetch_worker_modules`).
6. :func:`write_config`, then :func:`launch_train` / :func:`launch_eval` exactly as RLinf's
   ``examples/embodiment/train_embodied_agent.py`` / ``eval_embodied_agent.py`` do.

So every config error comes before step 3: a GPU config can be validated on a laptop.

Environment given to the driver and (copied by RLinf's ``Cluster``) every Ray worker:

* ``RLINF_EXT_MODULE=isaaclab_rlinf``: RLinf imports it in each worker and calls ``register()``.
* ``RLINF_CONFIG_FILE=<log_dir>/config.yaml``: the resolved config; ``register()`` registers its task ids
  and the GR00T bridge rebuilds its converters from it in each worker. Unset for a config whose tasks are
  all RLinf's own (nothing of ours to rebuild).
* ``PYTHONPATH``: the config directory first (so ``data_config_class: "module:Class"`` next to the YAML
  imports in workers), after ``$RLINF_ROOT`` when set; for a source checkout (editable install) also the
  checkout, so workers import this package whatever their working directory.
* ``RLINF_ROOT`` (optional, read): a source checkout of RLinf (the directory holding ``rlinf/``). It is put
  first on ``sys.path`` (driver) and ``PYTHONPATH`` (workers), so that checkout's ``rlinf`` is used instead
  of the installed wheel, and ``EMBODIED_PATH`` defaults to ``$RLINF_ROOT/examples/embodiment`` (RLinf's
  example configs search ``${oc.env:EMBODIED_PATH}/config``), so
  ``--config_path $RLINF_ROOT/examples/embodiment/config`` composes RLinf's own configs.
* ``NCCL_NVLS_ENABLE=0``, ``TORCH_SYMM_MEM_DISABLE_MULTICAST=1``, ``NVSHMEM_DISABLE_NVLS=1``: NVLink
  multicast stays off (forced, whatever the caller's environment says).
* ``PYTHONUNBUFFERED=1`` (unless set): a Ray worker's stdout is a file, block-buffered, so RLinf's worker
  log lines (and ours: :mod:`.workers.first_epoch_log`) would reach the terminal kilobytes late.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

# The checks before Ray live in .preflight; these names stay importable from here.
from .preflight import (  # noqa: F401
    ConfigError,
    LaunchError,
    NoAcceleratorError,
    check_interpolations,
    check_tasks_live,
    find_latest_checkpoint,
    find_model_weights,
    note_rlinf_own_tasks,
    notice,
    only_eval,
    preflight,
    prepare_run,
    require_accelerator,
    require_model_package,
    rlinf_own_splits,
    rollout_size,
    select,
    step_of,
    task_id,
    upgrade_config,
)

logger = logging.getLogger(__name__)

EXT_MODULE = "isaaclab_rlinf"
CONFIG_FILE_NAME = "config.yaml"
NVLINK_MULTICAST_OFF = {
    "NCCL_NVLS_ENABLE": "0",
    "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1",
    "NVSHMEM_DISABLE_NVLS": "1",
}


# --------------------------------------------------------------------------------------------------
# environment, RLinf validation


def apply_rlinf_root(environ: dict[str, str] | None = None) -> Path | None:
    """Honour ``$RLINF_ROOT`` (see the module docstring); returns it, or None when unset."""
    environ = os.environ if environ is None else environ
    root = environ.get("RLINF_ROOT")
    if not root:
        return None
    path = Path(root).expanduser().resolve()
    if not (path / "rlinf" / "__init__.py").is_file():
        raise ConfigError(
            f"RLINF_ROOT={root!r}: no rlinf/__init__.py there. Fix: point RLINF_ROOT at a source checkout of "
            "RLinf (the directory holding rlinf/), or unset it to use the installed wheel."
        )
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    _prepend_path(environ, "PYTHONPATH", str(path))
    environ.setdefault("EMBODIED_PATH", str(path / "examples" / "embodiment"))
    return path


def _prepend_path(environ: dict[str, str], name: str, entry: str) -> None:
    parts = [p for p in environ.get(name, "").split(os.pathsep) if p and p != entry]
    environ[name] = os.pathsep.join([entry, *parts])


def _site_dirs() -> set[str]:
    import site

    dirs = set(site.getsitepackages())
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    return {str(Path(d).resolve()) for d in dirs | ({user} if user else set())}


def prepare_environment(
    config_file: str | os.PathLike | None,
    config_dir: str | os.PathLike | None,
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """Set the variables RLinf copies to every Ray worker (module docstring); returns what was set.

    ``config_file`` None unsets ``RLINF_CONFIG_FILE`` (a run of RLinf's own tasks only)."""
    environ = os.environ if environ is None else environ
    apply_rlinf_root(environ)
    environ["RLINF_EXT_MODULE"] = EXT_MODULE
    # An editable install (source checkout): workers import this very package, whatever their cwd.
    package_root = str(Path(__file__).resolve().parent.parent)
    if package_root not in _site_dirs():
        _prepend_path(environ, "PYTHONPATH", package_root)
    if config_file is None:
        environ.pop("RLINF_CONFIG_FILE", None)
    else:
        environ["RLINF_CONFIG_FILE"] = str(Path(config_file).resolve())
    if config_dir is not None:
        config_dir = str(Path(config_dir).resolve())
        _prepend_path(environ, "PYTHONPATH", config_dir)
        if config_dir not in sys.path:
            sys.path.insert(0, config_dir)
        if environ.get("RLINF_ROOT"):  # keep the RLinf checkout first
            root = str(Path(environ["RLINF_ROOT"]).expanduser().resolve())
            _prepend_path(environ, "PYTHONPATH", root)
            sys.path.remove(root)
            sys.path.insert(0, root)
    environ.update(NVLINK_MULTICAST_OFF)
    environ.setdefault("PYTHONUNBUFFERED", "1")
    keys = ("RLINF_EXT_MODULE", "RLINF_CONFIG_FILE", "PYTHONPATH", "PYTHONUNBUFFERED", *NVLINK_MULTICAST_OFF)
    return {k: environ[k] for k in keys if k in environ}


def validate_with_rlinf(cfg: DictConfig) -> DictConfig:
    """``rlinf.config.validate_cfg`` (starts RLinf's Ray cluster, no workers); its errors -> ConfigError."""
    from rlinf.config import validate_cfg

    try:
        return validate_cfg(cfg)
    except (AssertionError, ValueError, NotImplementedError, KeyError) as exc:
        _shutdown_ray()
        msg = str(exc) or type(exc).__name__
        raise ConfigError(f"RLinf's validate_cfg rejected the config: {msg}") from exc


def _shutdown_ray() -> None:
    try:
        import ray

        if ray.is_initialized():
            ray.shutdown()
    except Exception:  # pragma: no cover - best effort
        pass


def write_config(cfg: DictConfig, log_dir: str | os.PathLike) -> Path:
    """Save the resolved config as ``<log_dir>/config.yaml`` (what ``RLINF_CONFIG_FILE`` points at)."""
    path = Path(log_dir) / CONFIG_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(cfg, path, resolve=True)
    return path


# --------------------------------------------------------------------------------------------------
# launch


def run(
    cfg: DictConfig, config_dir: str | os.PathLike | None, command: str = "train", task_check: bool = True
) -> Path:
    """Preflight, the live task check, accelerator check, environment, RLinf validation, then train or
    evaluate.

    Every config error comes before the accelerator check, so a GPU config can be validated on a laptop.
    With a GPU the live task check overlaps Ray's start (:func:`start_task_check`); its error still wins.
    Returns the log directory. Train runs ``EmbodiedRunner``; eval-only runs (``play``, ``--only_eval``)
    run ``EmbodiedEvalRunner``.
    """
    specs = preflight(cfg, config_dir)
    workers_mode(cfg)  # a bad runner.env_rollout_workers fails here, before Ray
    note_rlinf_own_tasks(cfg)
    task_check_job = start_task_check(cfg, specs) if task_check else None
    log_dir = Path(select(cfg, "runner.logger.log_path")).resolve()
    existed = log_dir.exists()
    try:
        require_accelerator(command)
        require_model_package(cfg)  # each model family's package (gr00t, openpi's venv), in one line
        config_file = log_dir / CONFIG_FILE_NAME
        # A config of RLinf's own tasks only has no mapping for our workers' register() to read.
        prepare_environment(config_file if specs else None, config_dir)
        prepare_run(cfg, log_dir)  # e.g. cnn_policy, empty model_path: a random encoder in the run dir
        write_config(cfg, log_dir)  # RLINF_CONFIG_FILE exists before any Ray process could read it
        prefetch = prefetch_worker_modules()  # the worker classes' imports, while Ray starts
        try:
            cfg = validate_with_rlinf(cfg)  # starts Ray: the task check runs meanwhile
        finally:
            prefetch.join()  # the launch needs them next; an error exit leaves no thread importing
        finish_task_check(task_check_job)
    except Exception:
        _shutdown_ray()
        if not existed:
            shutil.rmtree(log_dir, ignore_errors=True)
        finish_task_check(task_check_job)  # a mapping error found meanwhile is the one reported
        raise
    from . import register
    from .registry import RegistryError

    write_config(cfg, log_dir)  # as validated: what every worker sees
    try:
        register()  # again: now with RLINF_CONFIG_FILE's task ids
    except RegistryError as exc:  # a broken plugin: its tasks are missing, ours are registered
        logger.warning("%s", exc)
    logger.info("isaaclab-rlinf %s: logs, checkpoints and videos under %s", command, log_dir)
    if only_eval(cfg):
        launch_eval(cfg)
    else:
        launch_train(cfg)
    return log_dir


def start_task_check(cfg: DictConfig, specs: dict) -> Future | None:
    """:func:`check_tasks_live`, overlapped with Ray's start where a run will follow.

    With a GPU the check (~10 s: IsaacLab's imports, the task built with one env) runs in a spawned
    process while this one goes on to start Ray (which must stay in the main thread: RLinf's ``Cluster``
    installs a signal handler); :func:`finish_task_check` collects it before any worker is launched.
    Without a GPU it runs here and now, so a laptop still reports a mapping error before the missing GPU.
    Returns the pending check, or None when it has run (or there is nothing to check).
    """
    import torch

    if not specs or not torch.cuda.is_available():
        check_tasks_live(cfg, specs)
        return None
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    job = pool.submit(check_tasks_live, cfg, specs)
    pool.shutdown(wait=False)
    return job


def finish_task_check(job: Future | None) -> None:
    """Wait for a :func:`start_task_check` job; its ConfigError/LaunchError is raised here."""
    if job is not None:
        job.result()


# What launch_train / launch_eval import before launching (the worker classes Ray pickles, the runners).
WORKER_MODULES = (
    "isaaclab_rlinf.workers.single_process",
    "isaaclab_rlinf.workers.handoff",
    "isaaclab_rlinf.workers.actor",
    "rlinf.runners.embodied_runner",
    "rlinf.runners.embodied_eval_runner",
)


def prefetch_worker_modules() -> threading.Thread:
    """Import :data:`WORKER_MODULES` in a background thread; returns it (started).

    Why: the launch needs these modules in the driver (Ray pickles the worker classes by reference),
    ~2 s of imports on one H100's host that used to run after Ray's start, between ``validate_cfg`` and
    the first worker process. Ray's start (``validate_with_rlinf``) mostly waits on Ray's own processes,
    so the imports fit in that wait. A failure here is left for the launch's own import to raise.
    """

    def load() -> None:
        for name in WORKER_MODULES:
            try:
                importlib.import_module(name)
            except Exception as exc:  # raised again, in the main thread, where the launch imports it
                logger.debug("prefetch of %s failed: %s", name, exc)

    thread = threading.Thread(target=load, name="isaaclab-rlinf-prefetch", daemon=True)
    thread.start()
    return thread


WORKERS_KEY = "runner.env_rollout_workers"
WORKERS_MODES = ("auto", "single_process", "two_process", "rlinf")


def workers_mode(cfg: DictConfig) -> str:
    """``runner.env_rollout_workers``: which workers run the env and the policy (default ``auto``).

    * ``auto``: ``single_process`` where it applies (``workers.single_process_blocker``), else
      ``two_process``.
    * ``single_process``: env and policy in one worker (``workers.EnvPolicyWorker``); an error where it
      cannot apply.
    * ``two_process``: RLinf's two workers, flat observations sent point to point
      (``workers.FlatObsEnvWorker`` / ``FlatObsRolloutWorker``).
    * ``rlinf``: RLinf's own classes, unchanged (no gc freeze either): the reference for comparisons.
    """
    mode = str(cfg.runner.get("env_rollout_workers", "auto") or "auto")
    if mode not in WORKERS_MODES:
        raise ConfigError(
            f"{WORKERS_KEY}: {mode!r} is not one of {', '.join(WORKERS_MODES)}. Fix: {WORKERS_KEY}=auto "
            "(one process for env and policy where they share a device)."
        )
    return mode


def _actor_worker_cls(cfg: DictConfig, mode: str = "auto"):
    """The actor class RLinf's ``train_embodied_agent.py`` picks; its PPO actor as ours unless ``rlinf``."""
    if cfg.algorithm.loss_type == "embodied_sac":
        from rlinf.workers.actor.fsdp_sac_policy_worker import EmbodiedSACFSDPPolicy

        return EmbodiedSACFSDPPolicy
    if mode == "rlinf":
        from rlinf.workers.actor.fsdp_actor_worker import EmbodiedFSDPActor

        return EmbodiedFSDPActor
    from .workers import GcFrozenActor

    return GcFrozenActor


def resolve_workers_mode(cfg: DictConfig, placement) -> str:
    """``single_process``, ``two_process`` or ``rlinf`` for this config on this placement (logged)."""
    from .workers import single_process_blocker

    mode = workers_mode(cfg)
    if mode in ("auto", "single_process"):
        blocker = single_process_blocker(cfg, placement)
        if blocker is None:
            mode = "single_process"
        elif mode == "single_process":
            raise ConfigError(
                f"{WORKERS_KEY}: single_process cannot apply: {blocker}. Fix: {WORKERS_KEY}=auto."
            )
        else:
            logger.info("env and policy in two workers: %s", blocker)
            mode = "two_process"
    logger.info("%s: %s", WORKERS_KEY, mode)
    return mode


def env_rollout_classes(mode: str) -> tuple[type, type]:
    """(env worker class, rollout worker class) for a resolved ``mode``; in ``single_process`` one class
    is both."""
    if mode == "single_process":
        from .workers import EnvPolicyWorker

        return EnvPolicyWorker, EnvPolicyWorker
    if mode == "rlinf":
        from rlinf.workers.env.env_worker import EnvWorker
        from rlinf.workers.rollout.hf.huggingface_worker import MultiStepRolloutWorker

        return EnvWorker, MultiStepRolloutWorker
    from .workers import FlatObsEnvWorker, FlatObsRolloutWorker

    return FlatObsEnvWorker, FlatObsRolloutWorker


def launch_env_rollout(cfg: DictConfig, cluster: Any, placement: Any, mode: str) -> tuple[Any, Any]:
    """Launch the env and rollout groups of a resolved ``mode``: (rollout group, env group).

    In ``single_process`` both are one ``EnvPolicyWorker`` group, launched under the rollout's group name
    so that the actor's weight sync reaches it; train and play launch them alike.
    """
    env_cls, rollout_cls = env_rollout_classes(mode)
    rollout_group = rollout_cls.create_group(cfg).launch(
        cluster, name=cfg.rollout.group_name, placement_strategy=placement.get_strategy("rollout")
    )
    if env_cls is rollout_cls:
        return rollout_group, rollout_group
    env_group = env_cls.create_group(cfg).launch(
        cluster, name=cfg.env.group_name, placement_strategy=placement.get_strategy("env")
    )
    return rollout_group, env_group


def await_channels(*channels) -> None:
    """Wait until each channel's actor is up.

    ``Channel.create`` launches an actor and leaves its readiness call pending in a thread. A channel that
    carries nothing (the env and rollout channels where one worker is both, or with point-to-point
    hand-off) may still be starting when the run ends; Ray's shutdown then fails that call, the thread
    signals the driver (RLinf's SIGUSR1 handler) and the process exits 1 after a good run (seen on CPU in
    ``tests/fixtures/rollout_both_ways.py``, 1 run in ~4). One call to each actor waits for it.
    """
    for channel in channels:
        channel.qsize()


def launch_train(cfg: DictConfig):
    """RLinf's ``train_embodied_agent.py``: cluster, placement, actor/rollout/env groups, EmbodiedRunner.

    Where env and rollout share a device, one ``EnvPolicyWorker`` group (launched under the rollout's
    group name) is both; otherwise RLinf's two workers as ``workers.handoff`` runs them
    (``runner.env_rollout_workers``, :func:`workers_mode`).
    """
    import torch.multiprocessing as mp
    from rlinf.runners.embodied_runner import EmbodiedRunner
    from rlinf.scheduler import Cluster
    from rlinf.utils.placement import HybridComponentPlacement

    mp.set_start_method("spawn", force=True)
    cluster = Cluster(cluster_cfg=cfg.cluster, distributed_log_dir=cfg.runner.get("per_worker_log_path"))
    placement = HybridComponentPlacement(cfg, cluster)
    mode = resolve_workers_mode(cfg, placement)

    actor_group = (
        _actor_worker_cls(cfg, mode)
        .create_group(cfg)
        .launch(cluster, name=cfg.actor.group_name, placement_strategy=placement.get_strategy("actor"))
    )
    rollout_group, env_group = launch_env_rollout(cfg, cluster, placement, mode)
    reward_group = None
    reward_cfg = cfg.get("reward", {}) or {}
    if reward_cfg.get("use_reward_model", False) and not reward_cfg.get("standalone_realworld", False):
        from rlinf.workers.reward.reward_worker import EmbodiedRewardWorker

        reward_group = EmbodiedRewardWorker.create_group(cfg).launch(
            cluster, name=cfg.reward.group_name, placement_strategy=placement.get_strategy("reward")
        )

    runner = EmbodiedRunner(
        cfg=cfg, actor=actor_group, rollout=rollout_group, env=env_group, reward=reward_group
    )
    runner.init_workers()
    await_channels(runner.env_channel, runner.rollout_channel, runner.actor_channel)
    runner.run()
    return runner


def launch_eval(cfg: DictConfig):
    """RLinf's ``eval_embodied_agent.py``: rollout and env groups, EmbodiedEvalRunner.

    Env and policy in one worker where they share a device, by training's rule
    (``runner.env_rollout_workers``, :func:`resolve_workers_mode`).
    """
    import torch.multiprocessing as mp
    from rlinf.runners.embodied_eval_runner import EmbodiedEvalRunner
    from rlinf.scheduler import Cluster
    from rlinf.utils.placement import HybridComponentPlacement

    mp.set_start_method("spawn", force=True)
    cluster = Cluster(cluster_cfg=cfg.cluster)
    placement = HybridComponentPlacement(cfg, cluster)
    mode = resolve_workers_mode(cfg, placement)
    rollout_group, env_group = launch_env_rollout(cfg, cluster, placement, mode)
    runner = EmbodiedEvalRunner(cfg=cfg, rollout=rollout_group, env=env_group)
    runner.init_workers()
    await_channels(runner.env_channel, runner.rollout_channel)
    runner.run()
    return runner
