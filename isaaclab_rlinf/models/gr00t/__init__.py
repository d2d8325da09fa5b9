"""GR00T N1.5/N1.6/N1.7 on IsaacLab tasks through RLinf's own GR00T policies (see ``docs/gr00t.md``).

* :mod:`.bridge` -- our converters in RLinf's tables, installed from the ``isaaclab:`` block
  (:func:`install`, in the driver and in every Ray worker);
* :mod:`.family` -- GR00T's face to the launcher (require, install, check, init);
  :mod:`.init` -- ``gr00t-init``'s random checkpoint;
* :mod:`.tags` -- embodiment tags and ids (``new_embodiment`` -> 31 for N1.5);
* :mod:`.loader` -- data configs, the N1.5 model builder;
* :mod:`.requirement` -- the ``gr00t`` package check (install instructions when it is missing);
* :mod:`.installed` -- what :func:`install` put in place in this process (read by the model builder);
* :mod:`.checkpoint` -- a random-initialised N1.5 ``model_path`` for a mapping, and the check of a real
  checkpoint's ``metadata.json`` against the mapping;
* :mod:`.finetune` -- GR00T's own trainer on a recorded dataset -> a ``model_path`` (``gr00t-finetune``;
  not imported here).

Importing this package does not import ``gr00t``, ``rlinf`` or ``torch``.
"""

from __future__ import annotations

from .bridge import (
    GR00T_MODEL_TYPES,
    Gr00tInstall,
    check_model_path,
    install,
    is_gr00t_config,
    load_config_file,
    make_action_converter,
    make_obs_converter,
)
from .loader import build_gr00t_n1d5, load_data_config
from .requirement import Gr00tNotInstalledError, require_gr00t
from .tags import embodiment_id, register_embodiment_tag

__all__ = [
    "GR00T_MODEL_TYPES",
    "Gr00tInstall",
    "check_model_path",
    "Gr00tNotInstalledError",
    "build_gr00t_n1d5",
    "embodiment_id",
    "install",
    "is_gr00t_config",
    "load_config_file",
    "load_data_config",
    "make_action_converter",
    "make_obs_converter",
    "register_embodiment_tag",
    "require_gr00t",
]
