"""The sandbox is a standalone emulator: it imports nothing of homeport outside itself."""

from __future__ import annotations

import ast
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[2] / "src" / "homeport" / "sandbox"


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports (absolute names; relative imports stay inside)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "homeport":  # ``from homeport import x`` imports homeport.x
                names.update(f"homeport.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def test_the_sandbox_imports_nothing_from_homeport_outside_homeport_sandbox() -> None:
    """So a misreading of KCP cannot pass on both sides (DESIGN: sandbox/)."""
    offending = {
        f"{path.relative_to(SANDBOX)}: {name}"
        for path in SANDBOX.rglob("*.py")
        for name in imported_modules(path)
        if (name == "homeport" or name.startswith("homeport."))
        and not (name == "homeport.sandbox" or name.startswith("homeport.sandbox."))
    }

    assert not offending, sorted(offending)
