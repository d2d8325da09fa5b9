"""Everything checked before Ray starts, in the driver: a bad config fails in seconds with one line naming
the key, the value and the fix (:class:`ConfigError`, exit 2), and a good one gets as far as the GPU check.

* :func:`check_interpolations`: every ``${...}`` resolves (the CLI runs it right after composing);
* :func:`preflight` (static): RLinf 0.3's required blocks a RLinf 0.2-era config lacks are filled with
  RLinf's defaults, one notice each (:func:`upgrade_config`); the task ids (entry-point tasks, tasks RLinf
  serves with its own env class, IsaacLab's gymnasium ids); the ``env.{train,eval}.isaaclab`` mapping
  blocks (:class:`~isaaclab_rlinf.spec.MappingSpec`; none for RLinf's own tasks); each model family's
  ``install`` (:mod:`isaaclab_rlinf.models.family`); RLinf's static rules; the actor's batches against the
  rollout size; checkpoint paths and a ``resume_dir`` already at ``max_epochs``; each family's ``check``;
* :func:`check_tasks_live`: each mapped task built once with one env (CUDA if there is a GPU, else CPU)
  and the mapping checked against its first observation, as ``inspect`` does; tasks needing Isaac Sim
  are skipped with a note;
* :func:`require_accelerator` (exit 3), then :func:`require_model_package` (each family's ``require``).

:mod:`isaaclab_rlinf.launcher` runs them in this order, then prepares the workers' environment and launches.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict

# The checkpoint finders, the run config's readers and the bad-input error sit below the checks (the model
# bridges and the CLI use them too); those marked F401 stay importable from here.
from .checkpoints import find_latest_checkpoint, find_model_weights, step_of  # noqa: F401
from .models.families import active_families
from .models.family import ModelFamily
from .rlinf_cfg import ConfigError, LaunchError, model_key, only_eval, select  # noqa: F401
from .rlinf_schema import check_rlinf_keys

logger = logging.getLogger(__name__)

WEIGHT_SYNCER_TYPES = ("bucket", "patch")
# RLinf's examples/embodiment/config/weight_syncer/bucket_syncer.yaml: what RLinf 0.2 did without the block
RLINF_BUCKET_SYNCER = {
    "type": "bucket",
    "bucket": {"bucket_size": 536870912, "bucket_dtype": None, "is_agent": False, "load_instant": True},
}


class NoAcceleratorError(LaunchError):
    """No GPU: RLinf's actor and rollout workers cannot run here."""

    exit_code = 3


# --------------------------------------------------------------------------------------------------
# small helpers


def notice(message: str) -> None:
    """One line on stderr for something the launcher did for the user (never stdout: ``--json -``)."""
    print(f"isaaclab-rlinf: note: {message}", file=sys.stderr)


def check_interpolations(cfg: Any, node: Any = None, path: str = "") -> None:
    """Resolve every ``${...}`` in the config; the first that fails is a :class:`ConfigError` naming its key.

    Without this a broken reference surfaces wherever it is first read: a traceback in ``inspect``, or in a
    Ray worker after the launch.
    """
    from omegaconf import ListConfig
    from omegaconf.errors import OmegaConfBaseException

    if node is None:
        from rlinf.utils.omega_resolver import omegaconf_register

        omegaconf_register()  # RLinf's own resolvers (${multiply:...}, ...), as its entry scripts have them
    node = cfg if node is None else node
    keys = range(len(node)) if isinstance(node, ListConfig) else list(node.keys())
    for key in keys:
        where = f"{path}[{key}]" if isinstance(node, ListConfig) else f"{path}.{key}" if path else str(key)
        child = node._get_node(key)
        if child is None:
            continue
        if child._is_interpolation():
            try:
                node[key]
            except OmegaConfBaseException as exc:
                reason = str(exc).strip().splitlines()[0]
                fix = (
                    "set that environment variable, or give a default: ${oc.env:NAME,default}"
                    if "oc.env" in str(child._value())
                    else "point it at an existing key (absolute like ${env.train.max_episode_steps}, or "
                    "relative like ${..max_episode_steps}), or write the value"
                )
                raise ConfigError(
                    f"{where}: cannot resolve {child._value()!r} ({reason}). Fix: {fix}."
                ) from exc
        elif isinstance(child, (DictConfig, ListConfig)) and not child._is_missing() and not child._is_none():
            check_interpolations(cfg, child, where)


def upgrade_config(cfg: DictConfig) -> list[str]:
    """Fill in what RLinf 0.3 requires and a RLinf 0.2-era config (e.g. IsaacLab's published RLinf YAMLs)
    lacks, with RLinf's defaults; prints and returns one notice per filled block. Idempotent.

    * ``weight_syncer`` (training): RLinf 0.3's actor and rollout workers assert it; RLinf 0.2 synced
      weights in buckets without it. Filled with RLinf's bucket syncer (``weight_syncer/bucket_syncer``).
    * ``rollout.model`` model keys (evaluation): RLinf 0.2 built the rollout model from ``actor.model``;
      0.3's eval runs build it from ``rollout.model`` alone. The keys it lacks are copied from
      ``actor.model``.

    What 0.3's ``validate_cfg`` migrates itself (``algorithm.rollout_epoch``, ``sampling_params``,
    ``fsdp_config.amp``) is left to it.
    """
    notes: list[str] = []
    with open_dict(cfg):
        if not only_eval(cfg) and select(cfg, "weight_syncer") is None:
            cfg.weight_syncer = OmegaConf.create(RLINF_BUCKET_SYNCER)
            notes.append(
                "weight_syncer: missing (RLinf 0.2-era config; RLinf 0.3's workers need it); using RLinf's "
                "default bucket syncer {type: bucket, bucket: {bucket_size: 536870912}}. Add a weight_syncer "
                "block to the YAML to choose."
            )
        actor_model, rollout_model = select(cfg, "actor.model"), select(cfg, "rollout.model")
        if only_eval(cfg) and actor_model is not None and select(cfg, "rollout.model.model_type") is None:
            if rollout_model is None:
                OmegaConf.update(cfg, "rollout.model", {}, force_add=True)
                rollout_model = cfg.rollout.model
            missing = [k for k in actor_model if k not in rollout_model]
            for key in missing:
                rollout_model[key] = actor_model._get_node(key)
            notes.append(
                "rollout.model: no model_type (RLinf 0.2-era config: RLinf 0.2 evaluated with actor.model, "
                f"0.3 with rollout.model); copied from actor.model: {', '.join(missing)}."
            )
    for note in notes:
        notice(note)
    return notes


def env_splits(cfg: DictConfig) -> list[str]:
    """The ``env.*`` configs the run will build: ``eval`` for eval-only runs, ``train`` (+ ``eval`` when
    periodic evaluation is on) for training."""
    if only_eval(cfg):
        return ["eval"]
    splits = ["train"]
    if (select(cfg, "runner.val_check_interval", -1) or -1) > 0 and select(cfg, "env.eval") is not None:
        splits.append("eval")
    return splits


def task_id(cfg: DictConfig) -> str:
    """The task a run is named after: the eval task for eval-only runs, else the train task."""
    split = "eval" if only_eval(cfg) else "train"
    return str(
        select(cfg, f"env.{split}.init_params.id") or select(cfg, "env.train.init_params.id") or "task"
    )


def _did_you_mean(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


# --------------------------------------------------------------------------------------------------
# preflight (no Ray)


def rollout_size(cfg: DictConfig) -> int | None:
    """Samples one training epoch gives the actor: envs x chunk steps x rollout epochs (None if unknown)."""
    try:
        envs = int(select(cfg, "env.train.total_num_envs"))
        steps = int(select(cfg, "env.train.max_steps_per_rollout_epoch"))
        chunks = int(select(cfg, "actor.model.num_action_chunks", 1) or 1)
        epochs = int(select(cfg, "env.train.rollout_epoch", 1) or 1)
    except (TypeError, ValueError):
        return None
    return envs * (steps // chunks) * epochs


def preflight(cfg: DictConfig, config_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """All checks that need neither Ray nor a GPU; raises :class:`ConfigError` on the first problem.

    First fills what a RLinf 0.2-era config lacks (:func:`upgrade_config`). Calls
    :func:`isaaclab_rlinf.register` (entry-point tasks into gymnasium and RLinf's
    ``REGISTER_ISAACLAB_ENVS``) and the ``install`` and ``check`` of the config's model families
    (:func:`~isaaclab_rlinf.models.families.active_families`).
    Returns the parsed mapping specs by split; a split whose task RLinf serves with its own env class
    (:func:`~isaaclab_rlinf.registry.rlinf_env_class`) has none, and needs no ``isaaclab`` block.
    """
    from .spec import MappingError, MappingSpec

    upgrade_config(cfg)
    specs: dict[str, MappingSpec] = {}
    splits = env_splits(cfg)
    for split in splits:
        if select(cfg, f"env.{split}") is None:
            raise ConfigError(
                f"env.{split}: missing. Fix: add an env.{split} block (see the packaged configs)."
            )
        if select(cfg, f"env.{split}.env_type") != "isaaclab":
            raise ConfigError(
                f"env.{split}.env_type: must be 'isaaclab' for isaaclab-rlinf "
                f"(got {select(cfg, f'env.{split}.env_type')!r}). Fix: env.{split}.env_type=isaaclab."
            )
        n = select(cfg, f"env.{split}.total_num_envs")
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ConfigError(
                f"env.{split}.total_num_envs: must be a positive integer (got {n!r}). Fix: --num_envs N."
            )
    check_rlinf_keys(cfg, splits)  # types, ranges and agreeing pairs of the RLinf keys the workflows read
    own = _check_tasks(cfg, splits)
    for split in splits:
        block = select(cfg, f"env.{split}.isaaclab")
        if block is None and split in own:
            continue  # RLinf's own env class converts the observations itself
        if block is None:
            raise ConfigError(
                f"env.{split}.isaaclab: missing; it maps the task's observations to RLinf's keys. Fix: add "
                "the block (e.g. `isaaclab: &isaaclab_config {main_images: ..., states: [...]}` under "
                "env.train and `isaaclab: *isaaclab_config` under env.eval)."
            )
        try:
            specs[split] = MappingSpec.from_config(block, path=f"env.{split}.isaaclab")
        except MappingError as exc:
            raise ConfigError(str(exc)) from exc

    families = active_families(cfg)
    _each(families, "install", cfg, config_dir)  # first: a new model type is RLinf's once installed
    _check_model(cfg)
    if not only_eval(cfg):
        _check_batches(cfg)
        apply_critic_warmup_epochs(cfg)
    _check_paths(cfg)
    _each(families, "check", cfg, config_dir)
    return specs


def _each(families: list[ModelFamily], hook: str, *args: Any) -> None:
    """Call ``hook`` of every family that has one; a :class:`MappingError` is bad input like ours."""
    from .spec import MappingError

    for family in families:
        fn = getattr(family, hook)
        if fn is None:
            continue
        try:
            fn(*args)
        except MappingError as exc:
            raise ConfigError(str(exc)) from exc


def rlinf_own_splits(cfg: DictConfig) -> list[str]:
    """The splits of the run whose task RLinf serves with its own env class (no ``isaaclab`` block)."""
    from .registry import rlinf_env_class

    return [
        s for s in env_splits(cfg) if rlinf_env_class(str(select(cfg, f"env.{s}.init_params.id"))) is not None
    ]


def _check_tasks(cfg: DictConfig, splits: list[str]) -> set[str]:
    """Task ids must be entry-point tasks (``isaaclab-rlinf tasks``), tasks RLinf serves with its own env
    class, or IsaacLab gymnasium ids. Returns the splits whose task is RLinf's own."""
    from . import register
    from .registry import RegistryError, discover_tasks, rlinf_env_class

    try:
        register()
    except RegistryError as exc:  # a broken plugin: its tasks are missing, the others registered
        logger.warning("%s", exc)
    known = {row.id for row in discover_tasks()[0]}
    own: set[str] = set()
    for split in splits:
        key = f"env.{split}.init_params.id"
        tid = select(cfg, key)
        if not isinstance(tid, str) or not tid:
            raise ConfigError(
                f"{key}: must name a task (got {tid!r}). Fix: --task ID (see `isaaclab-rlinf tasks`)."
            )
        if tid in known:
            continue
        if rlinf_env_class(tid) is not None:
            own.add(split)
            continue
        import gymnasium

        if tid not in gymnasium.registry:
            try:  # IsaacLab's own tasks register on import (slow: only for ids we do not offer)
                import isaaclab_tasks  # noqa: F401
            except Exception as exc:  # pragma: no cover - depends on the install
                logger.warning("could not import isaaclab_tasks to look up %r: %s", tid, exc)
        if tid not in gymnasium.registry:
            options = sorted(known | {k for k in gymnasium.registry if str(k).startswith("Isaac")})
            raise ConfigError(
                f"{key}: unknown task {tid!r}.{_did_you_mean(tid, options)} Fix: pass --task with one of "
                f"the ids listed by `isaaclab-rlinf tasks` (ours: {', '.join(sorted(known))}) or an IsaacLab "
                "task id."
            )
    return own


def _check_model(cfg: DictConfig) -> None:
    """RLinf's static model rules, checked here so they fail before Ray with the key named."""
    from rlinf.config import EMBODIED_MODEL, SupportedModel

    mpath = model_key(cfg)
    model_type = select(cfg, f"{mpath}.model_type")
    try:
        supported = SupportedModel(str(model_type)) in EMBODIED_MODEL
    except NotImplementedError:
        supported = False
    if not supported:
        names = sorted(m.value for m in EMBODIED_MODEL)
        raise ConfigError(
            f"{mpath}.model_type: {model_type!r} is not an embodied model RLinf knows."
            f"{_did_you_mean(str(model_type), names)}"
            f" Fix: use one of {names}."
        )
    loss = select(cfg, "algorithm.loss_type")
    if not only_eval(cfg) and loss in ("actor_critic", "decoupled_actor_critic"):
        if not select(cfg, "actor.model.add_value_head", False):
            raise ConfigError(
                f"actor.model.add_value_head: PPO (algorithm.loss_type={loss}) needs the value head "
                "(got False). Fix: actor.model.add_value_head=True."
            )
    if not only_eval(cfg) and select(cfg, "weight_syncer.type") not in WEIGHT_SYNCER_TYPES:
        raise ConfigError(
            f"weight_syncer.type: {select(cfg, 'weight_syncer.type')!r} is not a weight syncer RLinf has. "
            f"Allowed: {list(WEIGHT_SYNCER_TYPES)}. Fix: weight_syncer.type=bucket (or leave weight_syncer "
            "out: RLinf's bucket syncer is filled in)."
        )
    chunks = select(cfg, f"{mpath}.num_action_chunks", 1) or 1
    for split in env_splits(cfg):
        steps = select(cfg, f"env.{split}.max_steps_per_rollout_epoch")
        if isinstance(steps, int) and steps % chunks:
            raise ConfigError(
                f"env.{split}.max_steps_per_rollout_epoch: {steps} is not a multiple of "
                f"{mpath}.num_action_chunks ({chunks}). Fix: use a multiple of {chunks}."
            )


def _check_batches(cfg: DictConfig) -> None:
    """The actor splits each epoch's rollout into ``global_batch_size`` minibatches of micro batches."""
    size = rollout_size(cfg)
    gbs = select(cfg, "actor.global_batch_size")
    mbs = select(cfg, "actor.micro_batch_size")
    if size is None or not isinstance(gbs, int) or not isinstance(mbs, int):
        return
    if gbs <= 0 or mbs <= 0 or gbs % mbs:
        raise ConfigError(
            f"actor.global_batch_size / actor.micro_batch_size: {gbs} / {mbs}; the global batch must be a "
            f"positive multiple of the micro batch. Fix: e.g. actor.micro_batch_size={gbs}."
        )
    if size % gbs:
        raise ConfigError(
            f"actor.global_batch_size: {gbs} does not divide the {size} samples of one epoch "
            f"(env.train.total_num_envs x max_steps_per_rollout_epoch / num_action_chunks x rollout_epoch). "
            f"Fix: actor.global_batch_size={size} actor.micro_batch_size={size} (one minibatch), or a "
            f"divisor of {size}."
        )
    # what the critic and actor get to learn from: 4 steps an epoch left the GR00T loop's critic unfitted
    logger.info(
        "PPO: %d samples an epoch in %d minibatches x %s update epochs = %s optimizer steps an epoch",
        size,
        size // gbs,
        select(cfg, "algorithm.update_epoch", 1) or 1,
        optimizer_steps_per_epoch(cfg),
    )


def optimizer_steps_per_epoch(cfg: DictConfig) -> int | None:
    """The actor's optimizer steps an epoch: rollout samples / ``global_batch_size`` minibatches, each
    ``algorithm.update_epoch`` times (RLinf's ``run_training``); None where a size is unknown."""
    size, gbs = rollout_size(cfg), select(cfg, "actor.global_batch_size")
    update_epochs = select(cfg, "algorithm.update_epoch", 1) or 1
    if size is None or not isinstance(gbs, int) or gbs <= 0 or not isinstance(update_epochs, int):
        return None
    return size // gbs * update_epochs


CRITIC_WARMUP_EPOCHS_KEY = "actor.optim.critic_warmup_epochs"


def apply_critic_warmup_epochs(cfg: DictConfig) -> None:
    """Ours: ``actor.optim.critic_warmup_epochs`` N sets RLinf's ``critic_warmup_steps`` to N epochs of
    optimizer steps (rollout samples / ``global_batch_size`` x ``algorithm.update_epoch`` an epoch).

    Why: RLinf counts its critic warm-up (only the value head trains, then a fresh optimizer for both) in
    optimizer steps, which depend on envs, steps, chunks and batch sizes: the GR00T loop's "2" meant to
    be 2 epochs was 2 steps, half an epoch of 4. Epochs stay epochs when ``--num_envs`` or the batch
    changes. Setting both keys to different step counts is refused.
    """
    epochs = select(cfg, CRITIC_WARMUP_EPOCHS_KEY)
    if epochs is None:
        return
    key = CRITIC_WARMUP_EPOCHS_KEY
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise ConfigError(f"{key}: must be an integer >= 0 (got {epochs!r}). Fix: e.g. {key}=2.")
    per_epoch = optimizer_steps_per_epoch(cfg)
    if per_epoch is None:
        raise ConfigError(
            f"{key}: {epochs} epochs cannot be counted in optimizer steps without env.train.total_num_envs, "
            "max_steps_per_rollout_epoch, actor.global_batch_size and algorithm.update_epoch. Fix: set "
            "them, or actor.optim.critic_warmup_steps (RLinf's, in optimizer steps) instead."
        )
    steps = epochs * per_epoch
    given = select(cfg, "actor.optim.critic_warmup_steps", 0) or 0
    if given not in (0, steps):
        raise ConfigError(
            f"{key}: {epochs} epochs ({steps} optimizer steps) and actor.optim.critic_warmup_steps {given} "
            f"both set. Fix: keep one: {key}={epochs} or actor.optim.critic_warmup_steps={given}."
        )
    with open_dict(cfg):
        OmegaConf.update(cfg, "actor.optim.critic_warmup_steps", steps, force_add=True)
    logger.info(
        "%s: %d epochs -> actor.optim.critic_warmup_steps %d (%d optimizer steps an epoch)",
        key,
        epochs,
        steps,
        per_epoch,
    )


def _check_paths(cfg: DictConfig) -> None:
    ckpt = select(cfg, "runner.ckpt_path")
    if ckpt and not Path(ckpt).is_file():
        raise ConfigError(f"runner.ckpt_path: {ckpt!r} is not a file. Fix: point it at a full_weights.pt.")
    resume = select(cfg, "runner.resume_dir")
    if resume and not (Path(resume) / "actor").is_dir():
        raise ConfigError(
            f"runner.resume_dir: {resume!r} has no actor/ checkpoint. Fix: pass --resume_dir RUN_DIR "
            "(the newest checkpoints/global_step_N is found)."
        )
    step = step_of(Path(resume)) if resume else None
    if step is not None and not only_eval(cfg):
        # RLinf's EmbodiedRunner continues from the checkpoint's step up to max_epochs (or runner.max_steps)
        max_epochs, max_steps = select(cfg, "runner.max_epochs"), select(cfg, "runner.max_steps", -1)
        key, last = "runner.max_epochs", max_epochs
        if (
            isinstance(max_steps, int)
            and max_steps >= 0
            and not (isinstance(max_epochs, int) and max_epochs <= max_steps)
        ):
            key, last = "runner.max_steps", max_steps
        if isinstance(last, int) and step >= last:
            raise ConfigError(
                f"{key}: {last} is not past the step of the checkpoint to resume ({step}, {resume!r}); RLinf "
                f"would train nothing. Fix: --max_epochs N with N > {step} (epochs count on from the "
                "checkpoint's step)"
                + (", and raise or drop runner.max_steps." if key == "runner.max_steps" else ".")
            )


# --------------------------------------------------------------------------------------------------
# accelerator and model package (still before Ray)


def require_model_package(cfg: DictConfig) -> None:
    """Each model family's package (``gr00t``, openpi's venv, ...): fail in the driver, not in a worker."""
    _each(active_families(cfg), "require", cfg)


def prepare_run(cfg: DictConfig, run_dir: str | os.PathLike) -> None:
    """Files the model families write into the run directory (a ``cnn_policy``'s random encoder)."""
    _each(active_families(cfg), "prepare_run", cfg, run_dir)


def require_accelerator(command: str = "train") -> None:
    """Stop (before Ray) when no CUDA device is visible: RLinf's actor/rollout workers need one."""
    import torch

    if torch.cuda.is_available():
        return
    raise NoAcceleratorError(
        f"`isaaclab-rlinf {command}` needs a GPU: RLinf's actor and rollout workers run the policy on an "
        "accelerator (torch.cuda.is_available() is False here). The config passed isaaclab-rlinf's checks; "
        "nothing was started.\n"
        "On this machine, check what the policy will receive instead (CPU, no Ray):\n"
        "  isaaclab-rlinf inspect [--config_name NAME] [--num_envs 2 --steps 20 --random]"
    )


# --------------------------------------------------------------------------------------------------
# the live task


def check_tasks_live(cfg: DictConfig, specs: dict[str, Any]) -> None:
    """Build each mapped task once with one env in this process and check its mapping, as ``inspect`` does.

    On CUDA when there is a GPU, else on CPU (seconds for a kitless task). Tasks that need Isaac Sim are
    skipped with a note. Mapping errors become :class:`ConfigError`; a task that fails to build is a
    :class:`LaunchError` pointing at ``--no_task_check``.
    """
    import torch

    from .inspection import check_tasks
    from .spec import MappingError

    if not specs:
        return
    device = "cuda:0" if torch.cuda.is_available() else "cpu"
    with _output_to_file() as log:
        try:
            notes = check_tasks(cfg, specs, device=device)
        except MappingError as exc:
            raise ConfigError(str(exc)) from exc
        except LaunchError:  # a model family's check against the live task: its own one line
            raise
        except Exception as exc:
            log.keep = True
            first = (str(exc).strip().splitlines() or [""])[0]
            raise LaunchError(
                f"building {task_id(cfg)!r} with one env on {device} to check the mapping failed: "
                f"{type(exc).__name__}: {first}. Fix: see the task's output in {log.path}; --no_task_check "
                "skips this check."
            ) from exc
    for note in notes:
        notice(note)


class _CapturedOutput:
    def __init__(self, path: str):
        self.path, self.keep = path, False


@contextlib.contextmanager
def _output_to_file():
    """IsaacLab's and warp's output while the task is built for the check (a hundred lines of scene, joint
    and manager tables, Python's and native) goes to a temporary file, kept only when the build fails."""
    import tempfile

    fd, path = tempfile.mkstemp(prefix="isaaclab-rlinf-task-check-", suffix=".log")
    captured = _CapturedOutput(path)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        yield captured
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (*saved, fd):
            os.close(f)
        if not captured.keep:
            os.unlink(path)


def note_rlinf_own_tasks(cfg: DictConfig) -> None:
    """One note per task of the run that RLinf serves with its own env class (no mapping, no live check)."""
    from .registry import rlinf_env_class

    for tid in dict.fromkeys(str(select(cfg, f"env.{s}.init_params.id")) for s in rlinf_own_splits(cfg)):
        notice(
            f"task {tid!r} is served by RLinf's own env class {rlinf_env_class(tid).__name__}: it needs no "
            "isaaclab block, and RLinf's own observation and action conversion is used."
        )
