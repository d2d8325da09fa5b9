"""openpi's face to the launcher (:class:`~isaaclab_rlinf.models.family.ModelFamily`): pi0 and pi0.5.

* require: openpi and its transformers in this venv (:mod:`.requirement`; else ``make install-openpi``);
* install: our builder for ``model_type: openpi`` in RLinf's table (:mod:`.loader`);
* check: every ``actor.model.openpi`` key a field of RLinf's config (:mod:`.keys`), and the
  ``model_path``'s norm stats against the task: the actions' width statically, the states' width when the
  mapping fixes it (all ``states`` sliced) or else against the live task (``check_live``, which also
  counts the task's longest prompt against ``max_token_len``: :mod:`.prompt`), and the ``model_path``'s
  weights against the model the config builds (:mod:`.weights`);
* init: a random ``model_path`` (``isaaclab-rlinf openpi-init``, :mod:`.init`).
"""

from __future__ import annotations

import os
from typing import Any

from ...rlinf_cfg import LaunchError, model_key, only_eval, select
from ..family import ModelFamily

__all__ = ["FAMILY"]


def _require(cfg: Any) -> None:
    from .requirement import OpenpiNotInstalledError, require_openpi

    try:
        require_openpi()
    except OpenpiNotInstalledError as exc:
        raise LaunchError(str(exc)) from exc


def _install(cfg: Any, config_dir: str | os.PathLike | None) -> None:
    from .loader import install

    install(None)  # cheap: registers the builder; openpi is imported when a model is built


def _split(cfg: Any) -> str:
    return "eval" if only_eval(cfg) else "train"


def _static_state_dim(cfg: Any) -> int | None:
    """The mapping's state width when every state term is sliced (else only the live task knows it)."""
    from ...spec import MappingSpec

    block = select(cfg, f"env.{_split(cfg)}.isaaclab")
    if block is None:
        return None
    states = MappingSpec.from_config(block).states
    if not states or any(st.slice is None for st in states):
        return None
    return sum(end - start for start, end in (st.slice for st in states))


def _check(cfg: Any, config_dir: str | os.PathLike | None) -> None:
    from .keys import check_openpi_keys
    from .norm_stats import check_norm_stats
    from .weights import check_weights

    check_openpi_keys(cfg)
    mapped = select(cfg, f"env.{_split(cfg)}.isaaclab") is not None
    check_norm_stats(cfg, _static_state_dim(cfg), mapped=mapped)
    check_weights(cfg)


def _check_live(cfg: Any, split: str, obs: dict) -> None:
    from ...spec import MappingSpec
    from .norm_stats import check_norm_stats
    from .prompt import check_prompt_length

    block = select(cfg, f"env.{split}.isaaclab")
    if block is not None:
        spec = MappingSpec.from_config(block)
        state_dim = spec.resolve(obs).state_dim
        check_norm_stats(cfg, state_dim)
        check_prompt_length(cfg, model_key(cfg), state_dim, spec.task_description or "")


def _init(cfg: Any, config_dir: str | os.PathLike | None, out: str | os.PathLike, **options: Any) -> str:
    from .init import init_model_path

    return init_model_path(cfg, config_dir, out, **options)


FAMILY = ModelFamily(
    name="openpi",
    model_types=("openpi",),
    require=_require,
    install=_install,
    check=_check,
    check_live=_check_live,
    init=_init,
)
