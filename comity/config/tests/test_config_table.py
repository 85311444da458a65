"""README's configuration table names exactly the environment variables that Comity's code reads.

The variables are found by parsing the source with `ast`: calls of the helpers defined in
`comity/config/env.py` (whatever their names), `os.environ.get/setdefault/pop`, `os.environ[...]`,
`os.getenv` and `... in os.environ`, in the settings, the WSGI/ASGI entry points and every other
runtime module of the package (management commands included; tests and `comity/testing` are not
runtime code). A read whose name is not a string literal fails the test, so nothing is missed
silently.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "comity"
ENV_MODULE = PACKAGE / "config" / "env.py"
README = ROOT / "README.md"
ENVIRON_METHODS = {"get", "setdefault", "pop"}


def _env_helpers() -> set[str]:
    """Functions of comity/config/env.py that take the variable's name as their first argument."""
    tree = ast.parse(ENV_MODULE.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.args.args and node.args.args[0].arg == "name"
    }


def _runtime_modules() -> list[Path]:
    skipped = {"tests", "testing", "migrations"}
    return sorted(path for path in PACKAGE.rglob("*.py") if not skipped & set(path.relative_to(PACKAGE).parts))


def _is_environ(node: ast.expr) -> bool:
    """`os.environ`, or `environ` imported from os."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _name_argument(node: ast.Call) -> ast.expr | None:
    if node.args:
        return node.args[0]
    for keyword in node.keywords:
        if keyword.arg in ("name", "key"):
            return keyword.value
    return None


def _env_reads(path: Path, helpers: set[str]) -> tuple[set[str], list[str]]:
    """(variable names read in the file, reads whose name is not a literal, as 'file:line')."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    unresolved: list[str] = []
    in_env_module = path == ENV_MODULE

    def record(expr: ast.expr | None, line: int) -> None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            names.add(expr.value)
        elif not in_env_module:  # the helpers themselves read `name`, their parameter
            unresolved.append(f"{path.relative_to(ROOT)}:{line}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            environ_method = (
                isinstance(func, ast.Attribute) and func.attr in ENVIRON_METHODS and _is_environ(func.value)
            )
            getenv = (
                isinstance(func, ast.Attribute)
                and func.attr == "getenv"
                and isinstance(func.value, ast.Name)
                and func.value.id == "os"
            )
            helper = _callee(node) in helpers and not (isinstance(func, ast.Attribute) and _is_environ(func.value))
            if environ_method or getenv or helper:
                record(_name_argument(node), node.lineno)
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            record(node.slice, node.lineno)
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            record(node.left, node.lineno)
    return names, unresolved


def code_variables() -> set[str]:
    helpers = _env_helpers()
    found: set[str] = set()
    unresolved: list[str] = []
    for path in _runtime_modules():
        names, loose = _env_reads(path, helpers)
        found |= names
        unresolved += loose
    assert not unresolved, f"environment reads whose variable name is not a string literal: {unresolved}"
    return found


def readme_variables() -> set[str]:
    """Every `NAME` in the first column of the table under README's '## Configuration' heading."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Configuration")
    names: set[str] = set()
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            continue
        first_cell = line.strip().strip("|").split("|")[0]
        names.update(token for token in re.findall(r"`([^`]+)`", first_cell) if re.fullmatch(r"[A-Z][A-Z0-9_]*", token))
    return names


def test_the_scanner_finds_what_settings_read():
    found = code_variables()
    # One of each kind of read: a helper in base.py, a required value in prod.py, setdefault in wsgi.py.
    assert {"COMITY_VAR_DIR", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"} <= found
    assert {"env_str", "env_required", "env_bool", "env_int", "env_list"} <= _env_helpers()


def test_readme_configuration_table_matches_the_code():
    in_code = code_variables()
    in_readme = readme_variables()
    missing_from_readme = sorted(in_code - in_readme)
    not_read_by_code = sorted(in_readme - in_code)
    assert not missing_from_readme and not not_read_by_code, (
        f"README's configuration table is out of date. Read by the code but missing from the table: "
        f"{missing_from_readme}. In the table but read nowhere: {not_read_by_code}."
    )
