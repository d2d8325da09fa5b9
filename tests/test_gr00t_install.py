"""One venv serves RLinf's workers and GR00T N1.5: both import in the same process (transformers 4.51.3).

Run by `make test` after `make install-gr00t`; skipped, with the reason, only when gr00t is absent.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.gr00t,
    pytest.mark.skipif(
        importlib.util.find_spec("gr00t") is None,
        reason="gr00t (Isaac-GR00T N1.5) is not installed: make install-gr00t GR00T_SRC=PATH",
    ),
]


def test_rlinf_workers_and_gr00t_n15_import_in_one_process():
    code = (
        "import transformers, tokenizers\n"
        "import rlinf.workers.actor.fsdp_actor_worker, rlinf.workers.rollout.hf.huggingface_worker\n"
        "import rlinf.workers.env.env_worker\n"
        "from isaaclab_rlinf.models.gr00t.runtime import prepare\n"
        "print(prepare(None))\n"
        "from rlinf.models.embodiment.gr00t.gr00t_n1d5.gr00t_action_model import "
        "GR00T_N1_5_ForRLActionPrediction\n"
        "import gr00t.model.backbone.eagle2_hg_model  # the Eagle processor package\n"
        "print(transformers.__version__, tokenizers.__version__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["sdpa", "4.51.3", "0.21.4"]


def test_gr00t_is_installed_with_the_eagle_backbone_files_it_loads():
    from pathlib import Path

    import gr00t

    eagle = Path(gr00t.__file__).parent / "model/backbone/eagle2_hg_model"
    for name in ("config.json", "tokenizer_config.json", "vocab.json", "merges.txt", "processor_config.json"):
        assert (eagle / name).is_file(), name


def test_stand_ins_only_for_absent_packages_and_every_call_says_what_to_install():
    code = (
        "import importlib.util, sys\n"
        "from isaaclab_rlinf.models.gr00t.runtime import install_import_stand_ins\n"
        "absent = [p for p in ('flash_attn', 'pytorch3d', 'av') if importlib.util.find_spec(p) is None]\n"
        "added = install_import_stand_ins()\n"
        "assert sorted({n.split('.')[0] for n in added}) == sorted(absent), (added, absent)\n"
        "assert install_import_stand_ins() == []  # idempotent\n"
        "import pytorch3d.transforms as pt\n"
        "try:\n"
        "    pt.axis_angle_to_matrix(None)\n"
        "except ImportError as e:\n"
        "    print(e)\n"
        "import gr00t.data.transform.state_action, gr00t.utils.video  # their top-level imports now work\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("pytorch3d is not installed") and "Install pytorch3d" in proc.stdout
