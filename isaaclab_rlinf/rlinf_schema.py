"""The RLinf keys the packaged workflows read, as a small schema checked in the driver before Ray.

RLinf reads these keys deep inside its workers: a ``"64"`` for ``total_num_envs``, a ``gamma`` of 1.5 or a
``rollout.model.num_action_chunks`` overridden away from the actor's fail there (a traceback minutes
after the start, on a GPU) or, worse, train on quietly. Each rule says a key's type and range
(:class:`Rule`) or which other key it must equal (:class:`Agree`); :func:`check_rlinf_keys` applies them
to every split the run builds and raises :class:`~isaaclab_rlinf.rlinf_cfg.ConfigError` (exit 2) with
one line naming the key, the value and the fix. A key the config does not set is left to RLinf's
defaults and to the other checks.

``actor.optim.adaptive_lr`` is ours, not RLinf's (RLinf reads ``actor.optim`` key by key and ignores it):
the KL-adaptive learning rate of our actor worker (``workers.actor``), checked by
:func:`adaptive_lr_settings` with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .rlinf_cfg import ConfigError, model_key, only_eval, select

_KINDS = {"int": "an integer", "number": "a number", "bool": "true or false"}


@dataclass(frozen=True)
class Rule:
    """``key`` (``{split}``: each env split, ``{model}``: the model block RLinf builds) is a ``kind``
    within ``[low, high]`` (``low_open``: ``low`` excluded); ``example`` goes into the fix."""

    key: str
    kind: str
    example: Any
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    train_only: bool = False

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value``, or None."""
        if self.kind == "bool":
            ok = isinstance(value, bool)
        elif self.kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            return f"must be {_KINDS[self.kind]}"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {'>' if self.low_open else '>='} {self.low:g}" + (
                f" and <= {self.high:g}" if self.high is not None else ""
            )
        if self.high is not None and value > self.high:
            return f"must be <= {self.high:g}" + (f" and >= {self.low:g}" if self.low is not None else "")
        return None


@dataclass(frozen=True)
class Agree:
    """``key`` must equal ``other`` (the packaged configs tie them with ``${other}``); ``why`` says what
    RLinf does with both."""

    key: str
    other: str
    why: str
    train_only: bool = False


RULES: tuple[Rule, ...] = (
    Rule("env.{split}.total_num_envs", "int", 64, low=1),
    Rule("env.{split}.max_episode_steps", "int", 300, low=1),
    Rule("env.{split}.max_steps_per_rollout_epoch", "int", 64, low=1),
    Rule("env.{split}.rollout_epoch", "int", 1, low=1),
    Rule("env.{split}.seed", "int", 0, low=0),
    Rule("env.{split}.auto_reset", "bool", True),
    Rule("env.{split}.ignore_terminations", "bool", False),
    Rule("env.{split}.video_cfg.save_video", "bool", False),
    Rule("{model}.action_dim", "int", 7, low=1),
    Rule("{model}.num_action_chunks", "int", 1, low=1),
    Rule("{model}.add_value_head", "bool", True),
    Rule("actor.global_batch_size", "int", 4096, low=1, train_only=True),
    Rule("actor.micro_batch_size", "int", 4096, low=1, train_only=True),
    Rule("actor.optim.lr", "number", 1e-3, low=0, low_open=True, train_only=True),
    Rule("algorithm.update_epoch", "int", 5, low=1, train_only=True),
    Rule("algorithm.gamma", "number", 0.99, low=0, high=1, train_only=True),
    Rule("algorithm.gae_lambda", "number", 0.95, low=0, high=1, train_only=True),
    Rule("algorithm.clip_ratio_high", "number", 0.2, low=0, low_open=True, train_only=True),
    Rule("algorithm.clip_ratio_low", "number", 0.2, low=0, low_open=True, train_only=True),
)

AGREE: tuple[Agree, ...] = (
    Agree(
        "env.{split}.init_params.max_episode_steps",
        "env.{split}.max_episode_steps",
        "the task truncates episodes at one, RLinf's bookkeeping at the other",
    ),
    Agree(
        "rollout.model.num_action_chunks",
        "actor.model.num_action_chunks",
        "the rollout acts in chunks the actor's loss must cut the same way",
        train_only=True,
    ),
    Agree(
        "rollout.model.action_dim",
        "actor.model.action_dim",
        "the actor trains on the actions the rollout sampled",
        train_only=True,
    ),
    Agree(
        "rollout.model.model_type",
        "actor.model.model_type",
        "the actor's weights are synced into the rollout's model",
        train_only=True,
    ),
    Agree("env.train.group_size", "algorithm.group_size", "advantages are grouped by it", train_only=True),
)


ADAPTIVE_LR_KEY = "actor.optim.adaptive_lr"
ADAPTIVE_LR_DEFAULTS = {"min_lr": 1e-5, "max_lr": 1e-2}  # rsl_rl's clamp
_ADAPTIVE_LR_EXAMPLE = "{desired_kl: 0.01}"
_KL_LOSSES = ("actor_critic", "actor")  # RLinf's PPO losses that report actor/approx_kl


def adaptive_lr_settings(cfg: Any) -> dict[str, float] | None:
    """``actor.optim.adaptive_lr`` as ``{desired_kl, min_lr, max_lr}``, or None when unset or null.

    Raises:
        ConfigError: one line for a value that is not a mapping, an unknown key, a value that is not a
            positive number, ``min_lr >= max_lr``, or a run it cannot apply to (a loss that reports no
            ``actor/approx_kl``, an lr schedule or warm-up that would fight it).
    """
    key = ADAPTIVE_LR_KEY
    block = select(cfg, key)
    if block is None:
        return None
    fix = f"Fix: {key}={_ADAPTIVE_LR_EXAMPLE} (optional min_lr, max_lr), or drop it for RLinf's fixed lr."
    if not hasattr(block, "keys"):
        raise ConfigError(f"{key}: must be a mapping (got {block!r}). {fix}")
    settings = dict(ADAPTIVE_LR_DEFAULTS)
    for name in block.keys():
        if name not in ("desired_kl", *ADAPTIVE_LR_DEFAULTS):
            raise ConfigError(f"{key}.{name}: unknown (known: desired_kl, min_lr, max_lr). {fix}")
        value = select(cfg, f"{key}.{name}")
        if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
            raise ConfigError(f"{key}.{name}: must be a number > 0 (got {value!r}). {fix}")
        settings[name] = float(value)
    if "desired_kl" not in settings:
        raise ConfigError(f"{key}: desired_kl is missing. {fix}")
    if settings["min_lr"] >= settings["max_lr"]:
        raise ConfigError(
            f"{key}: min_lr {settings['min_lr']:g} must be < max_lr {settings['max_lr']:g}. {fix}"
        )
    loss = select(cfg, "algorithm.loss_type")
    if loss not in _KL_LOSSES:
        raise ConfigError(
            f"{key}: algorithm.loss_type {loss!r} reports no actor/approx_kl to adapt to (PPO's "
            f"{' or '.join(_KL_LOSSES)} do). {fix}"
        )
    schedule = select(cfg, "actor.optim.lr_scheduler", "constant")
    warmup = select(cfg, "actor.optim.lr_warmup_steps", -1) or -1
    warmup_ratio = select(cfg, "actor.optim.lr_warmup_steps_ratio", 0.0) or 0.0
    if schedule != "constant" or warmup > 0 or warmup_ratio > 0:
        raise ConfigError(
            f"{key}: sets the actor's lr itself; actor.optim.lr_scheduler={schedule!r} "
            f"(lr_warmup_steps {warmup}, lr_warmup_steps_ratio {warmup_ratio}) would fight it. Fix: "
            f"actor.optim.lr_scheduler=constant without warm-up, or drop {key}."
        )
    return settings


def _keys(template: str, splits: Iterable[str], model: str) -> list[str]:
    template = template.replace("{model}", model)
    return [template.replace("{split}", s) for s in splits] if "{split}" in template else [template]


def check_rlinf_keys(cfg: Any, splits: Iterable[str]) -> None:
    """Apply :data:`RULES` and :data:`AGREE` to ``splits`` (the ``env.*`` configs the run builds).

    Raises:
        ConfigError: on the first key of the wrong type, out of range, or disagreeing with its pair.
    """
    splits = list(splits)
    train = not only_eval(cfg)
    model = model_key(cfg)
    for rule in RULES:
        if rule.train_only and not train:
            continue
        for key in _keys(rule.key, splits, model):
            value = select(cfg, key)
            problem = None if value is None else rule.problem(value)
            if problem:
                raise ConfigError(f"{key}: {problem} (got {value!r}). Fix: {key}={rule.example!r}.")
    if train:
        adaptive_lr_settings(cfg)
    for pair in AGREE:
        if pair.train_only and not train:
            continue
        for key, other in zip(_keys(pair.key, splits, model), _keys(pair.other, splits, model), strict=True):
            value, theirs = select(cfg, key), select(cfg, other)
            if value is not None and theirs is not None and value != theirs:
                raise ConfigError(
                    f"{key}: {value!r} disagrees with {other} ({theirs!r}); {pair.why}. "
                    f"Fix: {key}={theirs!r}, or drop the override (packaged configs set ${{{other}}})."
                )
