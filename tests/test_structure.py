"""The package's shape: the CLI on top, nothing reaching back into it, a cheap package import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "energysim"


def _imports(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) of every import statement in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, ()) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            out.append((node.lineno, module, tuple(a.name for a in node.names)))
    return out


def _violations() -> list[str]:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        if rel.parts[1] == "cli":
            continue
        for line, module, names in _imports(path):
            where = f"{rel}:{line}"
            if module == "energysim.cli" or module.startswith("energysim.cli."):
                bad.append(f"{where} imports {module}")
            elif module == "energysim" and (not names or rel.name != "__init__.py"):
                bad.append(f"{where} imports the package root ({', '.join(names) or 'import'})")
    return bad


def test_no_module_imports_the_cli_or_the_package_root():
    assert _violations() == []


def test_the_import_check_catches_a_back_import(tmp_path, monkeypatch):
    """The checker itself sees ``from energysim.cli import ...`` and ``from energysim import``."""
    fake = tmp_path / "energysim"
    (fake / "sub").mkdir(parents=True)
    (fake / "sub" / "bad.py").write_text(
        "from energysim.cli import main\nfrom energysim import simulate\nfrom ..cli import out\n"
    )
    (fake / "cli").mkdir()
    (fake / "cli" / "ok.py").write_text("from energysim import simulate\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    found = _violations()
    assert len(found) == 3 and all("sub/bad.py" in f for f in found)


def test_importing_the_package_loads_neither_pypsa_nor_numba():
    code = (
        "import sys, energysim; "
        "print(sorted(m for m in ('pypsa', 'numba', 'linopy', 'xarray', 'matplotlib') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert proc.stdout.strip() == "[]"


def test_the_public_names_resolve_lazily():
    import energysim

    assert callable(energysim.simulate) and callable(energysim.check)
    assert energysim.Scenario.__name__ == "Scenario"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        energysim.nope  # noqa: B018


def test_help_does_not_import_the_engines():
    code = (
        "import sys\n"
        "from energysim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pypsa', 'numba', 'pandas', 'xarray') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_pyproject_lists_every_package():
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = {p for p in config["tool"]["setuptools"]["packages"] if "._shipped." not in p}
    found = {
        ".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")
    }
    assert listed == found
