"""pi0 / pi0.5 (openpi, RLinf's ``model_type: openpi``) on isaaclab-rlinf tasks.

openpi lives in its own venv (``make install-openpi``: ``.venv-openpi``); nothing here imports it at
module level, so the main venv can import this package, check a config and say how to install openpi.

- :mod:`.requirement`: is openpi installed, and the one command that installs it;
- :mod:`.keys`: every `actor.model.openpi` key a field of RLinf's model config (it would ignore a typo);
- :mod:`.transforms`: our data transform (views, states, action width) and train configs (imports openpi);
- :mod:`.tiny`: a shrunk model for CPU tests (real openpi code, every size cut);
- :mod:`.tokenizer`: the real PaliGemma tokenizer or a local stand-in for random weights;
- :mod:`.norm_stats`: the task's normalisation statistics;
- :mod:`.checkpoint`: a random ``model_path`` (``isaaclab-rlinf openpi-init``);
- :mod:`.loader`: the ``model_type: openpi`` builder registered into RLinf;
- :mod:`.family`: openpi's face to the launcher (require, install, check, init);
- :mod:`.init`: ``openpi-init``'s random checkpoint.
"""

from __future__ import annotations

from .loader import build_openpi, install, is_openpi_config
from .requirement import INSTALL_HINT, OpenpiNotInstalledError, require_openpi, require_openpi_for
from .tiny import TinySpec

__all__ = [
    "INSTALL_HINT",
    "OpenpiNotInstalledError",
    "TinySpec",
    "build_openpi",
    "install",
    "is_openpi_config",
    "require_openpi",
    "require_openpi_for",
]
