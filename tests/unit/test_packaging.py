"""The packaging traps of architecture.md, checked against the files on disk."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"domain": "ektp.domain", "application": "ektp.application",
           "adapters": "ektp.adapters", "entrypoints": "ektp.entrypoints"}


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_subpackage_on_disk_is_listed_for_setuptools() -> None:
    on_disk = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            on_disk.add(".".join((package, *relative)))
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    assert listed == on_disk


def test_each_code_folder_is_mapped_and_typed() -> None:
    mapping = _pyproject()["tool"]["setuptools"]["package-dir"]
    assert mapping == {package: folder for folder, package in FOLDERS.items()}
    for folder in FOLDERS:
        assert (ROOT / folder / "py.typed").exists()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py")]


def test_nothing_imports_the_bare_folder_names() -> None:
    for path in _python_files(*FOLDERS, "tests", "benchmarks", "examples"):
        bare = {name for name in _imports(path) if name.split(".")[0] in FOLDERS}
        assert not bare, f"{path.relative_to(ROOT)} imports {bare}"


def test_the_domain_imports_only_attrs_and_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"attrs", "ektp"}
    for path in _python_files("domain"):
        foreign = {n for n in _imports(path) if n.split(".")[0] not in allowed}
        assert not foreign, f"{path.relative_to(ROOT)} imports {foreign}"
        assert not {n for n in _imports(path) if n.startswith("ektp.") and not n.startswith("ektp.domain")}


def test_every_public_function_and_module_has_a_docstring() -> None:
    missing = []
    for path in _python_files(*FOLDERS):
        tree = ast.parse(path.read_text())
        if ast.get_docstring(tree) is None and path.name != "__main__.py":
            missing.append(str(path.relative_to(ROOT)))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not node.name.startswith("_") and ast.get_docstring(node) is None:
                    if not _is_private_context(tree, node):
                        missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not missing, "\n".join(missing)


def _is_private_context(tree: ast.Module, target: ast.AST) -> bool:
    """Nested helpers and registered overloads (named `_`) inside private scopes are exempt."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node is not target:
            if target in ast.walk(node) and (node.name.startswith("_") or isinstance(node, ast.FunctionDef)):
                return True
    return False
