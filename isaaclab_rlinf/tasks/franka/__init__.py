"""Embedded Franka Panda tasks (Reach a red ball, Lift a cube), kitless, three cameras; see ``env_cfg``."""
