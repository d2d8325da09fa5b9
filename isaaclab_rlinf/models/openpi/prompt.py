"""The prompt openpi tokenizes, against the model's ``max_token_len``, before Ray.

Why: openpi's ``PaligemmaTokenizer`` cuts a prompt longer than ``max_token_len`` (pi0.5: 200, pi0: 48)
and says so only in a worker's log. pi0.5 writes the state into the prompt (``Task: ..., State: 12 250
...;\\nAction: ``, each dimension discretised into 256 bins, so up to 3 digits), so a wide state or a long
instruction loses its end: the action prompt, or the instruction itself on pi0. The longest prompt the
task can produce (every state value at its longest in tokens) is counted with the tokenizer the workers
will load (the model_path's stand-in, else the real one in openpi's cache; not checked where neither is
here) against the ``max_token_len`` of the model RLinf builds (the train config's, ``<model>.openpi``
keys over it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...rlinf_cfg import ConfigError, select

__all__ = ["check_prompt_length", "longest_prompt"]


def longest_prompt(tokenizer_file: str | Path, instruction: str, state_dim: int | None) -> int:
    """Tokens of the longest prompt openpi's tokenizer makes of ``instruction`` and a ``state_dim``-wide
    discretised state (None: pi0's prompt, no state), as ``PaligemmaTokenizer.tokenize`` builds it."""
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(tokenizer_file))
    cleaned = instruction.strip().replace("_", " ").replace("\n", " ")
    if state_dim is None:
        return len(sp.encode(cleaned, add_bos=True)) + len(sp.encode("\n"))
    # the bin (-1 .. 255) whose text takes the most tokens, in every dimension
    worst = max((str(v) for v in range(-1, 256)), key=lambda v: len(sp.encode(f"State: {v} {v}")))
    state = " ".join([worst] * state_dim)
    return len(sp.encode(f"Task: {cleaned}, State: {state};\nAction: ", add_bos=True))


def _tokenizer_file(model_path: Path) -> Path | None:
    from .tiny import read_marker
    from .tokenizer import TOKENIZER_RELPATH, real_tokenizer_path, stand_in_home

    _, tokenizer = read_marker(str(model_path))
    if tokenizer == "stand-in":
        path = stand_in_home(model_path) / TOKENIZER_RELPATH
        return path if path.is_file() else None
    return real_tokenizer_path()


def check_prompt_length(cfg: Any, mpath: str, state_dim: int, instruction: str) -> None:
    """Raise :class:`ConfigError` when the longest prompt of this task exceeds the model's
    ``max_token_len``. Where openpi is installed and ``model_path`` is a local directory."""
    from .requirement import OpenpiNotInstalledError, require_openpi

    model_path = select(cfg, f"{mpath}.model_path")
    name = select(cfg, f"{mpath}.openpi.config_name")
    if not model_path or not name or not Path(str(model_path)).expanduser().is_dir():
        return
    try:
        require_openpi()
    except OpenpiNotInstalledError:
        return
    tokenizer = _tokenizer_file(Path(str(model_path)).expanduser())
    if tokenizer is None:
        return
    from rlinf.models.embodiment.openpi.dataconfig import get_openpi_config

    from .transforms import register_train_configs

    register_train_configs()
    model = get_openpi_config(str(name)).model
    # RLinf writes the <model>.openpi keys over the train config's model after its __post_init__
    max_len = select(cfg, f"{mpath}.openpi.max_token_len") or model.max_token_len
    discrete = select(cfg, f"{mpath}.openpi.discrete_state_input")
    discrete = model.discrete_state_input if discrete is None else discrete
    length = longest_prompt(tokenizer, instruction, state_dim if discrete else None)
    if length > max_len:
        what = f"the instruction + {state_dim} discretised state values" if discrete else "the instruction"
        key = f"{mpath}.openpi.max_token_len"
        plus = "" if select(cfg, key) is not None else "+"  # Hydra adds a missing key with +
        raise ConfigError(
            f"{key}: {max_len} is below the task's longest prompt, {length} tokens ({what}); openpi's "
            f"tokenizer would cut it, saying so only in a worker's log. Fix: {plus}{key}={length}, or a "
            "shorter instruction."
        )
