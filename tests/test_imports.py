"""The package's imports go one way: the layers of ``.importlinter`` hold, and no module imports another
that imports it back, at module top or inside a function (``lint-imports``, run by ``make lint``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "isaaclab_rlinf"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path, env_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(env_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted: the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_layers_contract_holds():
    result = _lint_imports(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_of_the_package_imports_itself_back_through_others():
    """Stricter than the contract: package ``__init__`` modules (the root's lazy exports and RLinf hook
    included) count as modules, and every import counts, top-level or inside a function."""
    graph = grimp.build_graph(PACKAGE, exclude_type_checking_imports=True)
    circles = _cycles(graph)
    for circle in circles:  # one example chain per circle, for the failure message
        chain = graph.find_shortest_chain(circle[0], circle[1])
        back = graph.find_shortest_chain(circle[1], circle[0])
        print(" -> ".join(chain or []), "|", " -> ".join(back or []))
    assert circles == []


@pytest.mark.parametrize(
    ("module", "lazy_import"),
    [
        ("converters.py", "from .env import default_device"),  # env is above the converters
        ("models/gr00t/bridge.py", "from ...preflight import select"),  # the checks call the bridges
        ("spec_parts.py", "from .spec import MappingSpec"),  # the leaf of the mapping modules
    ],
    ids=["converters_to_env", "bridge_to_preflight", "spec_parts_to_spec"],
)
def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path, module, lazy_import):
    """import-linter sees function-level imports: a lazy import against the layers fails ``make lint``."""
    shutil.copytree(ROOT / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("*.yaml", "assets"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    path = tmp_path / PACKAGE / module
    path.write_text(path.read_text() + f"\n\ndef _upward():\n    {lazy_import}\n\n    return None\n")
    result = _lint_imports(tmp_path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    target = lazy_import.split()[1].lstrip(".")
    assert f"{PACKAGE}.{target}" in result.stdout  # the report names the offending import


def test_importing_the_package_loads_none_of_the_heavy_libraries():
    code = (
        "import sys, isaaclab_rlinf\n"
        "heavy = [m for m in ('torch', 'isaaclab', 'rlinf', 'omegaconf', 'gymnasium') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


WORKER_PROCESS = "import sys, {module}\nprint(sorted(m for m in {others} if m in sys.modules))\n"


@pytest.mark.parametrize(
    "module, others",
    [
        (  # the env + policy worker: RLinf's FSDP actor is not its business
            "isaaclab_rlinf.workers.single_process",
            ("rlinf.workers.actor.fsdp_actor_worker",),
        ),
        (  # the PPO actor: RLinf's env and rollout workers are not its business
            "isaaclab_rlinf.workers.actor",
            ("rlinf.workers.env.env_worker", "rlinf.workers.rollout.hf.huggingface_worker"),
        ),
    ],
)
def test_a_worker_process_imports_only_its_own_classs_module(module, others):
    """Ray imports a worker class's module in its process; ``isaaclab_rlinf.workers`` loads names lazily."""
    code = WORKER_PROCESS.format(module=module, others=others)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "[]"
