"""Dependencies point inwards: a scan of every import keeps the layering true."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import vaxpass

PACKAGE_ROOT = Path(vaxpass.__file__).resolve().parent
ENTRYPOINTS = ("vaxpass.cli", "vaxpass.api", "vaxpass.jobs", "vaxpass.web")
# `python -m vaxpass` starts the command line.
LAUNCHERS = ("vaxpass.__main__",)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> Iterator[tuple[str, str]]:
    """(importing module, imported vaxpass module) for every import in the package."""
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("vaxpass"):
                    yield _module_name(path), target


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


IMPORTS = list(_imports())


def test_the_scan_sees_the_package() -> None:
    assert len(IMPORTS) > 100
    assert any(_within(src, "vaxpass.formats") for src, _ in IMPORTS)


@pytest.mark.parametrize("entrypoint", ENTRYPOINTS)
def test_nothing_imports_an_entrypoint(entrypoint: str) -> None:
    offenders = [
        (src, dst)
        for src, dst in IMPORTS
        if _within(dst, entrypoint) and not _within(src, entrypoint) and src not in LAUNCHERS
    ]
    assert not offenders


def test_domain_is_pure() -> None:
    offenders = [
        (src, dst)
        for src, dst in IMPORTS
        if _within(src, "vaxpass.domain")
        and not (_within(dst, "vaxpass.domain") or dst == "vaxpass.errors")
    ]
    assert not offenders


@pytest.mark.parametrize(
    "forbidden",
    [
        "vaxpass.services",
        "vaxpass.storage",
        "vaxpass.registry",
        "vaxpass.bootstrap",
        "vaxpass.config",
    ],
)
def test_codecs_do_not_reach_outwards(forbidden: str) -> None:
    offenders = [
        (src, dst)
        for src, dst in IMPORTS
        if _within(src, "vaxpass.formats") and _within(dst, forbidden)
    ]
    assert not offenders


def test_only_the_composition_root_and_entrypoints_read_settings() -> None:
    # Alembic's environment script is an entrypoint of its own.
    allowed = ("vaxpass.bootstrap", "vaxpass.config", "vaxpass.storage.migrations", *ENTRYPOINTS)
    offenders = [
        (src, dst)
        for src, dst in IMPORTS
        if dst == "vaxpass.config" and not any(_within(src, root) for root in allowed)
    ]
    assert not offenders


def test_only_settings_read_the_environment() -> None:
    offenders = [
        path.name
        for path in PACKAGE_ROOT.rglob("*.py")
        if path.name != "config.py"
        and ("os.environ" in (text := path.read_text(encoding="utf-8")) or "getenv(" in text)
    ]
    assert not offenders
