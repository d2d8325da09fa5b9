"""A tiny pi0 / pi0.5: the real openpi and RLinf modules, every width and depth cut, for CPU smoke tests.

openpi's own ``dummy`` Gemma variant does not get there: PaliGemmaWithExpertModel still builds the full
SigLIP (27 layers, 1152 wide), a 2048-wide projection and a 257,152-token vocabulary, and RLinf's value
head is hard-coded to the 1024-wide action expert. :func:`shrunk` patches exactly those constructors, while
a model is built, so that a <1M-parameter model runs predict, PPO forward/backward and the SFT loss in
seconds. The same spec is written beside the weights (``isaaclab_rlinf.json``) by ``openpi-init --tiny`` and
applied again by our loader, so RLinf's ``get_model`` rebuilds the same shapes in every worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["MARKER", "TinySpec", "read_marker", "shrunk", "write_marker"]

MARKER = "isaaclab_rlinf.json"  # beside the weights: {"tiny": {...} | null, "tokenizer": "stand-in" | "real"}


@dataclasses.dataclass(frozen=True)
class TinySpec:
    """Widths and depths of the shrunk model. VLM and action expert share heads (joint attention)."""

    width: int = 64
    expert_width: int = 64
    depth: int = 1
    mlp_dim: int = 128
    num_heads: int = 2
    num_kv_heads: int = 1
    head_dim: int = 32
    vision_width: int = 32
    vision_depth: int = 1
    vision_heads: int = 2
    vision_mlp: int = 64
    vocab_size: int = 512  # >= the stand-in tokenizer's vocabulary (tokenizer.STAND_IN_VOCAB)


@contextlib.contextmanager
def shrunk(spec: TinySpec | None) -> Iterator[None]:
    """While open, pi0/pi0.5 models built by openpi + RLinf get ``spec``'s sizes (no-op for ``None``)."""
    if spec is None:
        yield
        return
    import openpi.models.gemma as gemma
    import openpi.models_pytorch.gemma_pytorch as gemma_pt
    from rlinf.models.embodiment.openpi import openpi_action_model as rl_model

    def get_config(variant: str) -> Any:  # one tiny config for both the VLM and the action expert
        width = spec.expert_width if "300m" in variant else spec.width
        return gemma.Config(
            width=width,
            depth=spec.depth,
            mlp_dim=spec.mlp_dim,
            num_heads=spec.num_heads,
            num_kv_heads=spec.num_kv_heads,
            head_dim=spec.head_dim,
        )

    def paligemma(config: Any) -> Any:
        v = config.vision_config
        v.hidden_size, v.num_hidden_layers = spec.vision_width, spec.vision_depth
        v.num_attention_heads, v.intermediate_size = spec.vision_heads, spec.vision_mlp
        v.projection_dim = config.text_config.hidden_size  # the projector maps SigLIP onto the VLM width
        config.text_config.vocab_size = spec.vocab_size
        config._vocab_size = spec.vocab_size  # noqa: SLF001 - what openpi itself sets
        config.image_token_index = spec.vocab_size - 1
        return real_paligemma(config=config)

    def causal_lm(config: Any) -> Any:
        config.vocab_size = spec.vocab_size
        return real_causal_lm(config=config)

    def value_head(*, input_dim: int, **kwargs: Any) -> Any:
        # RLinf hard-codes 2048 (gemma_2b: value_after_vlm) or 1024 (gemma_300m: after the action expert)
        return real_value_head(input_dim=spec.width if input_dim == 2048 else spec.expert_width, **kwargs)

    real_paligemma, real_causal_lm = gemma_pt.PaliGemmaForConditionalGeneration, gemma_pt.GemmaForCausalLM
    real_value_head, real_get_config = rl_model.ValueHead, gemma.get_config
    gemma.get_config = get_config
    gemma_pt.PaliGemmaForConditionalGeneration = paligemma
    gemma_pt.GemmaForCausalLM = causal_lm
    rl_model.ValueHead = value_head
    try:
        yield
    finally:
        gemma.get_config = real_get_config
        gemma_pt.PaliGemmaForConditionalGeneration = real_paligemma
        gemma_pt.GemmaForCausalLM = real_causal_lm
        rl_model.ValueHead = real_value_head


def write_marker(model_path: str | Path, tiny: TinySpec | None, tokenizer: str) -> Path:
    """Record how ``model_path``'s weights were built (tiny sizes, which tokenizer) for our loader."""
    path = Path(model_path) / MARKER
    body = {"tiny": dataclasses.asdict(tiny) if tiny else None, "tokenizer": tokenizer}
    path.write_text(json.dumps(body, indent=2) + "\n")
    return path


def read_marker(model_path: str | Path) -> tuple[TinySpec | None, str | None]:
    """(tiny sizes or None, "stand-in" / "real" / None) from ``model_path``; (None, None) without a marker
    (a real checkpoint: nothing is shrunk)."""
    path = Path(model_path) / MARKER
    if not path.is_file():
        return None, None
    body = json.loads(path.read_text())
    tiny = body.get("tiny")
    return (TinySpec(**tiny) if tiny else None), body.get("tokenizer")
