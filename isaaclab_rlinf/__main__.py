"""``python -m isaaclab_rlinf`` = ``isaaclab-rlinf``."""

import sys

from .cli import main

sys.exit(main())
