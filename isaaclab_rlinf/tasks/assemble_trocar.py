"""IsaacLab 3.0's assemble-trocar task (Unitree G1 29-DoF + Dex3) offered to RLinf.

The env cfgs are IsaacLab's own (``isaaclab_tasks.contrib.assemble_trocar``); nothing is copied.
Every name the task has been published under resolves, all backed by the same two env cfgs:

* ``IsaacContrib-Assemble-Trocar-G129-Dex3[-Eval]``: IsaacLab 3.0.0's gymnasium ids (the packaged
  GR00T config names these);
* ``Isaac-Assemble-Trocar-G129-Dex3-v0`` / ``-Eval-v0``: the ids in IsaacLab's published RLinf YAML
  (``isaaclab_ppo_gr00t_assemble_trocar.yaml``, written for its own RLinf 0.2 integration), so that
  YAML runs unchanged;
* ``Isaac-Assemble-Trocar-G129-Dex3-RLinf-v0`` / ``-RLinf-Eval-v0``: the ids its README gives on the
  command line (``--task Isaac-Assemble-Trocar-G129-Dex3-RLinf-v0``).

Running it needs Isaac Sim (PhysX and RTX cameras), the task's assets from the IsaacLab asset server,
a GR00T checkpoint and the ``gr00t`` package: see ``docs/gr00t.md``.
"""

from __future__ import annotations

from ..registry import TaskSpec

_ENV_CFG_MODULE = "isaaclab_tasks.contrib.assemble_trocar.g129_dex3_env_cfg"
_CONFIG = "configs/isaaclab_ppo_gr00t_assemble_trocar.yaml"
_TRAIN_CFG = f"{_ENV_CFG_MODULE}:G1AssembleTrocarEnvCfg"
_EVAL_CFG = f"{_ENV_CFG_MODULE}:G1AssembleTrocarEvalEnvCfg"
_DESCRIPTION = "G1 + Dex3 assembles a trocar from a tray; GR00T N1.5, needs Isaac Sim and a checkpoint"
_EVAL_DESCRIPTION = "Evaluation variant (deterministic per-env tray yaw); needs Isaac Sim and a checkpoint"

ASSEMBLE_TROCAR_TASKS: list[TaskSpec] = [
    # IsaacLab's own ids (also registered with gymnasium by isaaclab_tasks, same env cfgs).
    TaskSpec(
        id="IsaacContrib-Assemble-Trocar-G129-Dex3",
        env_cfg_entry_point=_TRAIN_CFG,
        config=_CONFIG,
        description=_DESCRIPTION,
    ),
    TaskSpec(
        id="IsaacContrib-Assemble-Trocar-G129-Dex3-Eval",
        env_cfg_entry_point=_EVAL_CFG,
        config=_CONFIG,
        description=_EVAL_DESCRIPTION,
    ),
    # Aliases: the ids of IsaacLab's published RLinf YAML, then those of its README's commands.
    TaskSpec(
        id="Isaac-Assemble-Trocar-G129-Dex3-v0",
        env_cfg_entry_point=_TRAIN_CFG,
        config=_CONFIG,
        description=f"Alias of IsaacContrib-Assemble-Trocar-G129-Dex3. {_DESCRIPTION}",
    ),
    TaskSpec(
        id="Isaac-Assemble-Trocar-G129-Dex3-Eval-v0",
        env_cfg_entry_point=_EVAL_CFG,
        config=_CONFIG,
        description=f"Alias of IsaacContrib-Assemble-Trocar-G129-Dex3-Eval. {_EVAL_DESCRIPTION}",
    ),
    TaskSpec(
        id="Isaac-Assemble-Trocar-G129-Dex3-RLinf-v0",
        env_cfg_entry_point=_TRAIN_CFG,
        config=_CONFIG,
        description=f"Alias of IsaacContrib-Assemble-Trocar-G129-Dex3. {_DESCRIPTION}",
    ),
    TaskSpec(
        id="Isaac-Assemble-Trocar-G129-Dex3-RLinf-Eval-v0",
        env_cfg_entry_point=_EVAL_CFG,
        config=_CONFIG,
        description=f"Alias of IsaacContrib-Assemble-Trocar-G129-Dex3-Eval. {_EVAL_DESCRIPTION}",
    ),
]
