"""The project's import graph: which package imports which, cycles, and the largest modules.

``python tools/imports.py`` reads every module of the product packages with
``ast`` (imports inside functions included, since a lazy import is still a
dependency) and prints:

- the package graph (``a -> b`` when a module of ``a`` imports one of ``b``),
  with the edges that point against the layering marked;
- every cycle between modules;
- the ten largest modules by line count.

It exits 1 when a module cycle exists, so it can guard the layering.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Arrows run from left to right only: cli -> graph -> nodes -> libraries -> config.
LAYERS = (
    ("orchestrator", "serve"),  # the CLI and the service: serve never imports the orchestrator
    ("nodes",),
    ("finetune",),
    ("decoding", "analysis", "memory", "verify"),
    ("config",),
)
PACKAGES = tuple(p for layer in LAYERS for p in layer)


def module_name(path: Path) -> str:
    """``decoding/search.py`` -> ``decoding.search``; a package's ``__init__`` is the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the product packages."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules ``path`` imports (the longest known prefix of each import)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for candidate in names:
            parts = candidate.split(".")
            for end in range(len(parts), 0, -1):
                prefix = ".".join(parts[:end])
                if prefix in known:
                    if prefix != name:
                        targets.add(prefix)
                    break
    return targets


def layer_of(module: str) -> int:
    """The layer index of a module's package."""
    top = module.split(".")[0]
    return next(i for i, layer in enumerate(LAYERS) if top in layer)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    """Print the package graph, the module cycles and the largest modules."""
    found = modules()
    known = set(found)
    graph = {name: imports_of(path, name, known) for name, path in found.items()}
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for source, targets in graph.items():
        for target in targets:
            a, b = source.split(".")[0], target.split(".")[0]
            if a != b:
                edges[(a, b)] += 1
    print("package imports (modules importing; '!' = against the layering):")
    for (a, b), count in sorted(edges.items()):
        against = layer_of(b) < layer_of(a) or (
            layer_of(a) == layer_of(b) and a != b and (b, a) in edges
        )
        print(f"  {'!' if against else ' '} {a} -> {b} ({count})")
    found_cycles = cycles(graph)
    print(f"module cycles: {len(found_cycles)}")
    for component in found_cycles:
        print("  " + " <-> ".join(component))
    sizes = sorted(
        ((len(path.read_text(encoding="utf-8").splitlines()), name) for name, path in found.items()),
        reverse=True,
    )
    print("largest modules (lines):")
    for lines, name in sizes[:10]:
        print(f"  {lines:5d} {name}")
    return 1 if found_cycles else 0


if __name__ == "__main__":
    raise SystemExit(main())
