"""Rules about the code itself, checked by reading it (ast), so that they stay true:

- imports run down the layers only: core ← accounts ← registry ← outreach ← monitoring ←
  liaison_portal (the project: settings, URLs, make run). A lower app offers seams (signals,
  registries filled from a higher app's AppConfig.ready) instead of importing a higher one.
- a name that starts with ``_`` is private to its module: another module that needs it asks
  its owner to make it public (or the thing moves), so a module's private parts can change
  without breaking a caller they cannot see.
- every test asserts what it means: an ``assert``, ``pytest.raises``/``pytest.fail``, a
  Playwright ``expect``, a query-count check, or a helper of the tests that does one of
  these. A test that only runs code passes however wrong the outcome.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lowest first: each may import those before it, never those after.
LAYERS = ("core", "accounts", "registry", "outreach", "monitoring", "liaison_portal")
APPS = LAYERS
# Django's model options: public API despite the underscore.
PUBLIC_UNDERSCORED = {"_meta"}


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield relative.as_posix(), ".".join(parts), ast.parse(path.read_text(encoding="utf-8"))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in PUBLIC_UNDERSCORED


def _ours(module: str) -> bool:
    return module.split(".")[0] in APPS


def _private_uses(tree):
    """(line, what) for each private name of another of our modules that ``tree`` reads:
    ``from ours import _name`` and ``ours_module._name``."""
    modules = {}  # local name -> our module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _ours(node.module):
            for alias in node.names:
                if _private(alias.name) or any(_private(p) for p in node.module.split(".")):
                    yield node.lineno, f"from {node.module} import {alias.name}"
                # ``from outreach.messaging import services``: a module, read as services._x
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name):
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            yield node.lineno, f"{node.value.id}.{node.attr} ({modules[node.value.id]})"


def _imported(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def test_imports_run_down_the_layers():
    found = [
        f"{relative}:{line}: imports {module}"
        for relative, own, tree in _modules()
        for line, module in _imported(tree)
        if _ours(module) and LAYERS.index(module.split(".")[0]) > LAYERS.index(own.split(".")[0])
    ]
    assert not found, "a lower app imports a higher one (offer a seam instead):\n" + "\n".join(
        found
    )


def test_no_module_reads_another_modules_private_names():
    found = [
        f"{relative}:{line}: {what}"
        for relative, _module, tree in _modules()
        for line, what in _private_uses(tree)
    ]
    assert not found, "make it public in the module that owns it (or move it):\n" + "\n".join(found)


def test_the_scan_sees_both_kinds_of_private_use():
    source = (
        "from registry.views import _filters\n"
        "from outreach.messaging import services\n"
        "services._deliver_after_commit()\n"
        "Enterprise._meta.db_table\n"
    )
    found = [what for _line, what in _private_uses(ast.parse(source))]
    assert found == [
        "from registry.views import _filters",
        "services._deliver_after_commit (outreach.messaging.services)",
    ]


# Calls that assert by themselves (pytest, Playwright, Django's and pytest-django's checks).
ASSERTING_CALLS = {"raises", "fail", "warns", "expect", "approx"}


def _asserts(function, helpers: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func).split(".")[-1]
            if name in ASSERTING_CALLS or name in helpers or "assert" in name:
                return True
    return False


def _test_functions():
    """(path, function) of every function in tests/, test or helper."""
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield path, node


def test_every_test_asserts_something():
    functions = list(_test_functions())
    # Helpers that assert (directly or through another helper), by name, across tests/.
    helpers: set[str] = set()
    grew = True
    while grew:
        found = {
            f.name
            for _path, f in functions
            if not f.name.startswith("test") and _asserts(f, helpers)
        }
        grew = not found <= helpers
        helpers |= found
    silent = [
        f"{path.relative_to(ROOT)}:{function.lineno}: {function.name}"
        for path, function in functions
        if function.name.startswith("test_") and not _asserts(function, helpers)
    ]
    assert not silent, "these tests assert nothing:\n" + "\n".join(silent)
