"""The Eagle prompt RLinf's GR00T N1.5 pads, against ``rl_head_config.padding_value``, before Ray.

Why: RLinf's ``predict_action_batch`` pads the prompt (256 image tokens per view, then the instruction's
template) to ``rl_head_config.padding_value`` with ``F.pad``. A longer prompt is cut by the negative pad:
the instruction is lost and nothing says so. A shorter one gets pad tokens, which GR00T's action head
attends to (its cross-attention takes no mask) while GR00T's own inference and trainer never see them: a
model fine-tuned by GR00T's trainer (``gr00t-finetune``) acts through RLinf as GR00T's own inference does
only with ``padding_value`` at the prompt's length (tests/test_gr00t_finetune.py: within 1e-3; with 850
on the 553-token states config, up to 0.023 apart on a tiny model).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ...rlinf_cfg import ConfigError, select

logger = logging.getLogger(__name__)

__all__ = ["check_padding", "prompt_length"]


def prompt_length(
    model_path: str | Path, spec: Any, data_config: Any, gr00t_obs: Mapping[str, Any]
) -> int | None:
    """Tokens of the prompt GR00T's transforms make of one env's ``gr00t_obs`` (our converter's output),
    with the checkpoint's metadata for the mapping's tag set as RLinf sets it; None (and a warning) where
    they cannot be measured here: the check must never be what stops a run that RLinf would start."""
    from .tags import register_embodiment_tag

    try:
        from gr00t.data.schema import DatasetMetadata

        register_embodiment_tag(spec.embodiment_tag, spec.embodiment_tag_id)  # the tag enum the schema checks
        transforms = data_config.transform()
        entry = json.loads((Path(model_path) / "experiment_cfg" / "metadata.json").read_text())
        transforms.set_metadata(DatasetMetadata.model_validate(entry[spec.embodiment_tag]))
        transforms.eval()
        first = {k: np.asarray(v)[:1] for k, v in gr00t_obs.items()}  # [1, T, ...]: batched, as RLinf's
        return int(transforms(first)["eagle_input_ids"].shape[-1])
    except Exception as exc:  # noqa: BLE001 - any failure of GR00T's own transforms here
        logger.warning(
            "rl_head_config.padding_value not checked: measuring the prompt with GR00T's transforms "
            "failed (%s: %s)",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )
        return None


def check_padding(cfg: Any, mpath: str, length: int) -> None:
    """Raise :class:`ConfigError` when ``<mpath>.rl_head_config.padding_value`` would cut a prompt of
    ``length`` tokens; say (log) what a longer one adds."""
    key = f"{mpath}.rl_head_config.padding_value"
    padding = select(cfg, key)
    if not isinstance(padding, int):
        return  # RLinf's own config check names a missing or malformed value
    if padding < length:
        raise ConfigError(
            f"{key}: {padding} is below the prompt's {length} tokens (256 per camera view + the "
            f"instruction); RLinf pads the prompt to it and would cut it. Fix: {key}={length}."
        )
    if padding > length:
        logger.info(
            "%s: %d pads the %d-token prompt with tokens GR00T's action head attends to; a model fine-tuned "
            "by GR00T's own trainer (gr00t-finetune) saw none: %s=%d gives it what it trained on",
            key,
            padding,
            length,
            key,
            length,
        )
