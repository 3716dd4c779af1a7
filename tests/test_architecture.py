"""The shape docs/architecture.md promises: no import cycles, small service modules.

The layer contracts themselves are import-linter's (`lint-imports`, run by `make test`);
these tests cover what a contract cannot say.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "elicit" / "services"
MAX_SERVICE_LINES = 350


def _strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm over every import grimp saw (those inside functions included)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_cycle_anywhere_in_elicit_or_analysis(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    graph = grimp.build_graph("elicit", "analysis", cache_dir=None)
    assert _strongly_connected(graph) == []


def test_no_service_module_is_over_350_lines():
    long = {str(p.relative_to(ROOT)): n for p in SERVICES.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_SERVICE_LINES}
    assert long == {}


def test_services_import_elicit_only_at_module_level():
    inside_functions = []
    for path in SERVICES.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] in ("elicit", "analysis") for n in names):
                    inside_functions.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert inside_functions == []
