"""Regenerate ``panda/`` (the Franka Panda USD the Franka tasks spawn) from a PyPI-shipped URDF.

Development time only: nothing here is imported at run time, and the packages it needs are installed
into a side folder, never into the project's environment (their pins clash with isaaclab's)::

    .venv/bin/python -m uv pip install --python .venv/bin/python --no-deps --target /tmp/panda_conv/side \
        isaacsim-asset-isolated==6.2.0.0 isaacsim-robot-schema==6.2.0.0 urdf-usd-converter==0.3.4 \
        mujoco-usd-converter==0.6.1 numpy-stl python-utils tinyobjloader==2.0.0rc13
    .venv/bin/python -m uv pip install --python .venv/bin/python --no-deps --target /tmp/panda_conv/erd \
        example-robot-data==6.0.0
    PYTHONPATH=/tmp/panda_conv/side .venv/bin/python isaaclab_rlinf/tasks/franka/assets/make_panda_usd.py \
        /tmp/panda_conv/erd

Source: ``example-robot-data`` 6.0.0 (BSD-3-Clause) ships franka_ros' ``panda_description`` (URDF and
meshes, Apache-2.0). The URDF is edited (see :func:`edit_urdf`) and converted with IsaacLab's own
``UrdfConverter`` (the Isaac Sim URDF importer 3.0, kitless). The collision STLs double as visuals:
the DAE visuals would make the asset ~3 MB instead of ~130 KB, and a grey arm renders just as well.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "panda"  # -> panda/panda.usda (+ its payloads/)
DESCRIPTION = "cmeel.prefix/share/example-robot-data/robots/panda_description"
PACKAGE_URL = "package://example-robot-data/robots/panda_description/"


def edit_urdf(text: str) -> str:
    """The shipped URDF, made convertible offline and shaped like IsaacLab's Franka.

    - ``package://`` mesh paths become relative (no ROS package lookup);
    - visuals use the collision STLs (small asset, see the module docstring);
    - ``panda_link8`` / ``panda_joint8`` go, and ``panda_hand`` hangs off ``panda_link7`` 0.107 m out,
      turned -45 deg, as in IsaacLab's Franka (IsaacLab's body names and offsets expect it there);
    - the massless ``panda_hand_tcp`` frame gets 1 g, so Newton keeps it as a body (the tasks' end
      effector, between the fingertips) instead of dropping it.
    """
    text = text.replace(PACKAGE_URL, "../")
    text = re.sub(r"meshes/visual/(\w+)\.dae", r"meshes/collision/\1.stl", text)
    text = re.sub(r'\s*<link name="panda_link8">.*?</link>', "", text, flags=re.S)
    text = re.sub(r'\s*<joint name="panda_joint8" type="fixed">.*?</joint>', "", text, flags=re.S)
    hand = re.search(r'<joint name="panda_hand_joint" type="fixed">.*?</joint>', text, flags=re.S)
    if hand is None or "panda_link8" in text.replace(hand.group(0), ""):
        raise SystemExit(
            "unexpected URDF layout: panda_hand_joint / panda_link8 differ from example-robot-data 6.0.0"
        )
    text = text.replace(
        hand.group(0),
        '<joint name="panda_hand_joint" type="fixed">\n'
        '        <parent link="panda_link7"/>\n'
        '        <child link="panda_hand"/>\n'
        '        <origin rpy="0 0 -0.7853981633974483" xyz="0 0 0.107"/>\n'
        "    </joint>",
    )
    tcp = re.search(r'<link name="panda_hand_tcp">.*?</link>', text, flags=re.S)
    if tcp is None:
        raise SystemExit("unexpected URDF layout: no panda_hand_tcp link")
    text = text.replace(
        tcp.group(0),
        '<link name="panda_hand_tcp">\n'
        "        <inertial>\n"
        '            <mass value="0.001"/>\n'
        '            <origin rpy="0 0 0" xyz="0 0 0"/>\n'
        '            <inertia ixx="1e-7" ixy="0" ixz="0" iyy="1e-7" iyz="0" izz="1e-7"/>\n'
        "        </inertial>\n"
        "    </link>",
    )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("erd_dir", type=Path, help="where example-robot-data 6.0.0 was installed (--target)")
    args = parser.parse_args()
    src = args.erd_dir / DESCRIPTION
    if not (src / "urdf" / "panda.urdf").is_file():
        sys.exit(
            f"{src}/urdf/panda.urdf not found: install example-robot-data==6.0.0 --target {args.erd_dir}"
        )

    from isaaclab.sim.converters import UrdfConverter, UrdfConverterCfg

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "panda_description"
        (work / "urdf").mkdir(parents=True)
        shutil.copytree(src / "meshes" / "collision", work / "meshes" / "collision")
        urdf = work / "urdf" / "panda.urdf"
        urdf.write_text(edit_urdf((src / "urdf" / "panda.urdf").read_text()))
        cfg = UrdfConverterCfg(
            asset_path=str(urdf),
            usd_dir=str(Path(tmp) / "out"),
            fix_base=True,
            merge_fixed_joints=False,  # keeps panda_hand a body of its own (IsaacLab's ee frame)
            force_usd_conversion=True,
            make_instanceable=False,
            # gains come from the task's actuator config; the importer's defaults are overridden there
            joint_drive=UrdfConverterCfg.JointDriveCfg(
                gains=UrdfConverterCfg.JointDriveCfg.PDGainsCfg(stiffness=0.0, damping=0.0)
            ),
        )
        usd = Path(UrdfConverter(cfg).usd_path)
        if OUT_DIR.exists():
            shutil.rmtree(OUT_DIR)
        shutil.copytree(usd.parent, OUT_DIR)
    shutil.copy(src / "LICENSE", OUT_DIR / "LICENSE")
    size = sum(p.stat().st_size for p in OUT_DIR.rglob("*") if p.is_file())
    print(f"wrote {OUT_DIR} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
