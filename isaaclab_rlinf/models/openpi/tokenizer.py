"""The PaliGemma tokenizer openpi reads, or a local stand-in for random weights.

openpi fetches ``gs://big_vision/paligemma_tokenizer.model`` into ``$OPENPI_DATA_HOME`` (default
``~/.cache/openpi``); offline that is ~45 s of retries and a DNS error. Random weights do not care which
tokenizer they see, so ``openpi-init`` trains a small SentencePiece model (byte fallback: every prompt
encodes) into ``<model_path>/openpi_data_home/big_vision/`` and our loader points ``OPENPI_DATA_HOME`` there.
It is never written into the user's cache, where it would silently replace the real one for a real
checkpoint -- which needs the real tokenizer (its token ids index the checkpoint's embedding table).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "STAND_IN_DIR",
    "STAND_IN_VOCAB",
    "TOKENIZER_RELPATH",
    "real_tokenizer_path",
    "stand_in_home",
    "write_stand_in",
]

TOKENIZER_RELPATH = Path("big_vision") / "paligemma_tokenizer.model"  # under $OPENPI_DATA_HOME
STAND_IN_DIR = "openpi_data_home"  # under model_path
STAND_IN_VOCAB = 320

# Words a robot prompt and pi0.5's discretised state ("Task: ..., State: 12 250 ...;\nAction: ") use.
_CORPUS = [
    "Task: move the gripper to the red ball, State: 0 1 2 3 4 5 6 7 8 9 10 127 128 255;\nAction: ",
    "pick up the cube and place it on the plate, stack the red block on the blue block",
    "open the drawer, close the door, push the button, reach the target, lift the object",
    "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 32 64 100 128 200 255",
]


def real_tokenizer_path() -> Path | None:
    """The real tokenizer in the user's openpi cache, or None (nothing is downloaded here)."""
    home = Path(os.environ.get("OPENPI_DATA_HOME", "~/.cache/openpi")).expanduser()
    path = home / TOKENIZER_RELPATH
    return path if path.is_file() else None


def stand_in_home(model_path: str | Path) -> Path:
    """The ``OPENPI_DATA_HOME`` that holds ``model_path``'s stand-in tokenizer."""
    return Path(model_path) / STAND_IN_DIR


def write_stand_in(model_path: str | Path, vocab_size: int = STAND_IN_VOCAB) -> Path:
    """Train the stand-in SentencePiece model into ``model_path`` (a second, ~0.1 s) and return its path."""
    import io

    import sentencepiece as spm

    target = stand_in_home(model_path) / TOKENIZER_RELPATH
    target.parent.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_CORPUS * 20),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    target.write_bytes(model.getvalue())
    return target
