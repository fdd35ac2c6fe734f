"""Imports run in one direction: the core never imports adapters or heavy adapter libraries.

The layers between contraband's own modules are held by import-linter (`make lint`, from the
contract in pyproject.toml); this test holds what it does not: third-party libraries."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "contraband"
CORE = [
    "text",
    "matching",
    "policy",
    "decision",
    "category",
    "item",
    "ledger",
    "listing.py",
    "screening.py",
    "summary.py",
    "verdict.py",
    "settings.py",
    "cache.py",
    "errors.py",
]
ADAPTERS = ("contraband.cli", "contraband.batch", "contraband.report", "contraband.files")
ADAPTER_LIBRARIES = ("typer", "rich", "jinja2", "fastapi")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _files(entry: str) -> list[Path]:
    path = SRC / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@pytest.mark.parametrize("entry", CORE)
def test_core_does_not_import_adapters(entry: str) -> None:
    for file in _files(entry):
        bad = [
            name
            for name in _imports(file)
            if name.startswith(ADAPTERS) or name.split(".")[0] in ADAPTER_LIBRARIES
        ]
        assert bad == [], f"{file.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize(
    "entry", ["text", "matching", "policy", "decision", "listing.py", "verdict.py", "summary.py"]
)
def test_sqlalchemy_and_sklearn_stay_in_their_modules(entry: str) -> None:
    for file in _files(entry):
        bad = [n for n in _imports(file) if n.split(".")[0] in ("sqlalchemy", "sklearn", "alembic")]
        assert bad == [], f"{file.relative_to(SRC)} imports {bad}"


def test_the_declared_layers_hold() -> None:
    """import-linter's layer contract, run here too so `make test` alone catches a break."""
    import subprocess
    import sys

    linter = Path(sys.executable).parent / "lint-imports"
    if not linter.exists():
        pytest.skip("import-linter is not installed")
    done = subprocess.run(
        [str(linter), "--no-cache"], capture_output=True, text=True, cwd=SRC.parents[1]
    )
    assert done.returncode == 0, done.stdout[-3000:]
