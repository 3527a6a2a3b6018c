"""No import cycles among the modules of ``siting``.

The graph is read from the source, not from an import: for every module, the imports it
runs when it is imported (module level, also inside ``if``/``try`` blocks, but not under
``if TYPE_CHECKING:`` and not inside functions, which run later). Importing ``a.b.c`` also
runs the package ``__init__`` of ``a.b``; that counts as an edge to ``a.b`` unless ``a.b``
encloses the importing module (a package is always initialised before its own modules).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import siting

PACKAGE_DIR = Path(siting.__file__).resolve().parent


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name → source file, for every module and package under ``package_dir``."""
    root = package_dir.parent
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                found += _module_level_imports(node.body)
            found += _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                found += _module_level_imports(block)
            found += _module_level_imports(node.finalbody)
        elif isinstance(node, ast.With):
            found += _module_level_imports(node.body)
    return found


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(package_dir: Path) -> nx.DiGraph:
    """Module → the package modules its import runs, as described in the module docstring."""
    modules = module_names(package_dir)
    top = package_dir.name
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        own = {*_ancestors(name), name}
        targets: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in modules else base)
        for target in targets:
            if target.split(".")[0] != top:
                continue
            # the module itself, or the deepest module that exists (``a.b.attr`` → ``a.b``)
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            for step in [*_ancestors(target), target]:
                if step in modules and step not in own:
                    graph.add_edge(name, step)
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle through each strongly connected group of modules."""
    found = []
    for group in nx.strongly_connected_components(graph):
        if len(group) > 1:
            sub = graph.subgraph(group)
            found.append([u for u, _v in nx.find_cycle(sub, source=min(group))])
    return sorted(found)


def test_siting_has_no_import_cycles():
    graph = import_graph(PACKAGE_DIR)
    assert graph.number_of_edges() > 100  # the walk sees the package's real imports
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" → ".join([*c, c[0]]) for c in found)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_finds_a_cycle_through_a_package_init(tmp_path):
    """``pkg.io.reader`` imports ``pkg.sweep.spec``, which runs ``pkg/sweep/__init__.py``,
    which imports the reader back: a cycle although no two modules name each other."""
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/io/__init__.py": "",
            "pkg/io/reader.py": "from pkg.sweep.spec import Spec\n",
            "pkg/sweep/__init__.py": "from pkg.io.reader import read\n",
            "pkg/sweep/spec.py": "Spec = 1\n",
        },
    )
    assert cycles(import_graph(pkg)) == [["pkg.io.reader", "pkg.sweep"]]


def test_finds_relative_and_plain_imports_and_skips_lazy_ones(tmp_path):
    pkg = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from . import b\n",
            "pkg/b.py": "import pkg.c\n",
            "pkg/c.py": "try:\n    from .a import x\nexcept ImportError:\n    pass\n",
            "pkg/d.py": "def f():\n    from pkg.e import y\n",
            "pkg/e.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.d import f\n"
                "from pkg.d import f\n"
            ),
        },
    )
    graph = import_graph(pkg)
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert graph.has_edge("pkg.e", "pkg.d") and not graph.has_edge("pkg.d", "pkg.e")
