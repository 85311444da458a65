"""The layers of docs/architecture.md hold: an app imports only from apps in lower layers (or its own).

Every import counts, including those inside functions (a lazy import is still an upward dependency). Tests and
migrations are left out; `comity.config` (wiring) sits above everything, and `comity.testing` (test helpers)
must never be imported by runtime code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "comity"

# Lowest first. Apps on the same line share a layer and may not import each other both ways.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("audit",),
    ("mail",),
    ("reference",),
    ("accounts",),
    ("directory",),
    ("legalprofiles",),  # country legal profiles and per-measure fiches (the cooperation types and measures)
    ("treaties",),  # instruments, parties, the legal-basis finder (its fallback reads the profiles)
    ("forum",),
    ("files",),  # above the forum: files are attached to forum spaces; the forum reaches files through hooks
    ("library",),  # documents (files checks), the glossary (the forum reaches it by a hook), legal search
    ("notifications",),
    ("meetings",),  # events, registration, funding, iCalendar
    ("planner", "teams", "requests"),  # the planner creates meetings; joint teams; the request writer and records
    ("portal",),
    ("ops",),  # the worker, readiness, metrics, backup: may read every app
    ("demo",),
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
OUTSIDE = {"config", "testing", "locale"}


def _runtime_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts:
            continue
        yield parts[0], path


def _imported_apps(path: Path):
    """(line, app) for every `comity.<app>` this file imports, at any depth of the code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "comity" else [f"comity.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "comity" and len(parts) > 1:
                yield node.lineno, parts[1]


def _violations() -> list[str]:
    found = []
    for app, path in _runtime_modules():
        for line, target in _imported_apps(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if target == app:
                continue
            if target == "testing":
                found.append(f"{where}: runtime code imports the test helpers (comity.testing)")
            elif app in OUTSIDE:
                continue
            elif target == "config":
                found.append(f"{where}: {app} imports comity.config (read settings through django.conf)")
            elif app not in LEVEL or target not in LEVEL:
                found.append(f"{where}: {app} -> {target}: an app missing from LAYERS (add it to the map first)")
            elif LEVEL[target] >= LEVEL[app]:
                found.append(f"{where}: {app} (layer {LEVEL[app]}) imports {target} (layer {LEVEL[target]})")
    return found


def test_every_app_is_in_the_layer_map():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - OUTSIDE == set(LEVEL)


def test_no_app_imports_a_higher_or_equal_layer():
    assert _violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from comity.forum import services\n", [(1, "forum")]),
        ("def f():\n    from comity.files.models import Attachment\n", [(2, "files")]),
        ("import comity.notifications.tasks\n", [(1, "notifications")]),
        ("from comity import demo\n", [(1, "demo")]),
        ("from .models import X\nimport json\n", []),
    ],
)
def test_the_scanner_sees_every_kind_of_import(tmp_path, source, expected):
    module = tmp_path / "module.py"
    module.write_text(source)
    assert list(_imported_apps(module)) == expected


def _string_role_comparisons(path: Path) -> list[int]:
    """Lines that compare a `.role` with a string literal (or a tuple of them) instead of the Role enum."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        has_role = any(isinstance(s, ast.Attribute) and s.attr == "role" for s in sides)
        literal = any(
            isinstance(s, ast.Constant)
            and isinstance(s.value, str)
            or isinstance(s, ast.Tuple | ast.List | ast.Set)
            and any(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in s.elts)
            for s in sides
        )
        if has_role and literal:
            lines.append(node.lineno)
    return lines


def test_roles_are_compared_through_the_enum():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for _app, path in _runtime_modules()
        for line in _string_role_comparisons(path)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('if user.role == "observer":\n    pass\n', [1]),
        ('ok = user.role in ("secretariat", "moderator")\n', [1]),
        ("if user.role == Role.OBSERVER:\n    pass\n", []),
        ("ok = user.role in (Role.SECRETARIAT, Role.MODERATOR)\n", []),
    ],
)
def test_the_role_check_sees_string_literals(tmp_path, source, flagged):
    module = tmp_path / "module.py"
    module.write_text(source)
    assert _string_role_comparisons(module) == flagged
