"""The route table (chalicelib/route_table.json) is what the blueprints declare, and the app
built from it answers as the blueprints would, importing a slice only when its route is used."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

from chalicelib import blueprints
from tests.support.stack import ROOT


def test_the_table_is_what_the_modules_declare() -> None:
    assert blueprints.TABLE.read_text(encoding="utf-8") == blueprints.render(blueprints.declared_routes()), (
        "chalicelib/route_table.json is stale: run `make routes` and commit it"
    )


def test_every_routed_module_is_listed_once() -> None:
    assert len(set(blueprints.MODULES)) == len(blueprints.MODULES)
    assert {r.module for r in blueprints.table()} <= set(blueprints.MODULES)


_PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", "app.py")
module = importlib.util.module_from_spec(spec); sys.modules["app"] = module; spec.loader.exec_module(module)
from chalicelib.blueprints import MODULES
loaded = sorted(m for m in sys.modules if m in MODULES)
routes = sum(len(methods) for methods in module.app.routes.values())
print(json.dumps({"loaded": loaded, "routes": routes}))
"""


def test_a_cold_app_has_every_route_and_imports_no_slice() -> None:
    """What a cold Lambda container pays before its first request: the routes are all there,
    and no slice's pages or routes module has been imported yet."""
    import json

    env = {"KUMO_STAGE": "local", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["routes"] == len(blueprints.table())
    assert seen["loaded"] == [], "imported at start-up: " + ", ".join(seen["loaded"])


def _registers_when_imported(path: Any) -> bool:
    """A module-level call (`error_pages.register(...)`) or a registering decorator (`@layout.provide`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    plain = ("bp.", "dataclass", "operation", "contract.operation", "functools.", "contextlib.")
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            return True
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            if any(not ast.unparse(d).startswith(plain) for d in node.decorator_list):
                return True
    return False


def test_every_registration_at_import_is_made_before_it_is_needed() -> None:
    """Routes are imported on first use, so a module that registers something for other slices
    when imported (an error page, a share panel, the layout's header) must be named in
    chalicelib/blueprints.py, which imports it in time; otherwise that feature silently goes
    missing from a cold container."""
    registering = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "chalicelib").rglob("*.py")
        if _registers_when_imported(path)
    }
    covered = {blueprints.LAYOUT, *blueprints.ERROR_PAGES.values()}
    covered |= {m for together in blueprints.TOGETHER.values() for m in together}
    assert registering <= covered, f"not imported in time: {sorted(registering - covered)}"


def test_every_blueprint_is_part_of_the_app() -> None:
    """A module with a blueprint that MODULES does not name would serve nothing."""
    with_blueprint = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "chalicelib").rglob("*.py")
        if "bp = Blueprint(__name__)" in path.read_text(encoding="utf-8")
    }
    assert with_blueprint == set(blueprints.MODULES), (
        "add the module to chalicelib/blueprints.py MODULES, then run `make routes`"
    )
