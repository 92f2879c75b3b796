"""docs/ARCHITECTURE.md stays a map of the code as it is (issue 17).

What it writes in backticks is checked against the tree: a repository path must exist (a
placeholder such as ``<app>`` or ``…`` must match at least one), a dotted name of our
packages (``registry.panels.register_panel``) must import, a bare class name must be a class
of ours and an upper-case name must appear in the settings. The page stays under 200 lines
(the feature history belongs in docs/CHANGELOG.md); a section of either page that code cites
(``docs/ARCHITECTURE.md, "Time"``) is a heading there; and the map's diagram of the apps
draws the layers tests/test_conventions.py holds the imports to.

URL paths (``/s/<token>/``), SQL and Celery task names are not checked: write a task as its
module (``outreach/messaging/tasks.py``), not as its Celery name.
"""

import importlib
import re
from pathlib import Path

from django.apps import apps

from tests.test_conventions import LAYERS as CONVENTION_LAYERS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MAP = DOCS / "ARCHITECTURE.md"
MAX_LINES = 200

# The domain apps, lowest first, as the map's diagram draws them; the project package
# (liaison_portal) sits above them all and none of them may import it.
PROJECT = "liaison_portal"
LAYERS = [app for app in CONVENTION_LAYERS if app != PROJECT]
OUR_PACKAGES = (*LAYERS, PROJECT, "tests")

_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_CODE = re.compile(r"`([^`\n]+)`")
_ROOT_FILE = re.compile(r"^[\w.-]+\.(?:py|md|yml|yaml|toml|txt|cfg|ini|html|css|js)$")
_PLACEHOLDER = re.compile(r"<[^<>/]*>|…")
_DOTTED = re.compile(rf"^(?:{'|'.join(OUR_PACKAGES)})(?:\.[A-Za-z_]\w*)+$")


def _code_spans(text: str) -> list[str]:
    """Inline code of the page, outside fenced blocks (diagrams)."""
    return _CODE.findall(_FENCE.sub("", text))


def _is_path(token: str) -> bool:
    if any(c.isspace() for c in token) or token.startswith("/") or "|" in token:
        return False
    return "/" in token or bool(_ROOT_FILE.match(token))


def _path_exists(token: str) -> bool:
    pattern = _PLACEHOLDER.sub("*", token)
    want_dir = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    braces = re.search(r"\{([^{}]*)\}", pattern)
    if braces:  # `settings/{base,dev}.py`: each alternative must exist
        return all(
            _path_exists(pattern[: braces.start()] + choice + pattern[braces.end() :])
            for choice in braces.group(1).split(",")
        )
    matches = [p for p in ROOT.glob(pattern) if ".venv" not in p.parts]
    return any(p.is_dir() if want_dir else p.exists() for p in matches)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                target = getattr(target, name)
        except AttributeError:
            break
        return True
    if len(parts) == 2:  # `outreach.Task`: app label and model
        try:
            apps.get_model(*parts)
        except LookupError:
            return False
        return True
    return False


def test_the_map_stays_under_200_lines():
    lines = MAP.read_text(encoding="utf-8").splitlines()
    assert len(lines) < MAX_LINES, (
        f"docs/ARCHITECTURE.md has {len(lines)} lines: keep it a map and move the history "
        "of a feature to docs/CHANGELOG.md"
    )


def test_every_path_in_the_map_exists():
    tokens = sorted({t for t in _code_spans(MAP.read_text(encoding="utf-8")) if _is_path(t)})
    assert len(tokens) > 30, "the map names the places of the code"
    missing = [t for t in tokens if not _path_exists(t)]
    assert not missing, f"docs/ARCHITECTURE.md names paths that do not exist: {missing}"


def test_every_dotted_name_in_the_map_imports():
    names = sorted({t for t in _code_spans(MAP.read_text(encoding="utf-8")) if _DOTTED.match(t)})
    assert len(names) > 10, "the map names the seams and entry points"
    missing = [name for name in names if not _resolves(name)]
    assert not missing, f"docs/ARCHITECTURE.md names what does not import: {missing}"


def _python_sources() -> list[Path]:
    return [path for package in OUR_PACKAGES for path in (ROOT / package).rglob("*.py")]


def test_every_class_and_setting_the_map_names_is_defined():
    """A bare ``LightChange`` or ``ServiceError`` is a class of ours; a bare ``REDIS_URL`` or
    ``CELERY_BEAT_SCHEDULE`` is read or defined by the settings."""
    spans = set(_code_spans(MAP.read_text(encoding="utf-8")))
    classes = {t for t in spans if re.fullmatch(r"[A-Z][a-z]\w*", t)}
    settings_names = {t for t in spans if re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", t)}
    defined = set()
    for source in _python_sources():
        defined |= set(re.findall(r"^\s*class (\w+)", source.read_text(encoding="utf-8"), re.M))
    settings_text = "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / PROJECT / "settings").glob("*.py")
    )
    missing = sorted(classes - defined) + sorted(
        name for name in settings_names if not re.search(rf"\b{name}\b", settings_text)
    )
    assert not missing, (
        f"docs/ARCHITECTURE.md names classes or settings that do not exist: {missing}"
    )


def test_sections_that_code_cites_exist():
    # `docs/ARCHITECTURE.md, "Time"` in a docstring names the section "Time".
    cited = re.compile(r"docs/(ARCHITECTURE|CHANGELOG)\.md,\s*\"([^\"]+)\"")
    wrong = []
    for source in _python_sources():
        for page, section in cited.findall(source.read_text(encoding="utf-8")):
            headings = [
                line.lstrip("#").strip()
                for line in (DOCS / f"{page}.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("#")
            ]
            if not any(heading.startswith(section) for heading in headings):
                wrong.append(f"{source.relative_to(ROOT)}: {page}.md, {section!r}")
    assert not wrong, f"code cites sections the docs do not have: {wrong}"


def test_the_maps_diagram_draws_the_layers_tested_here():
    diagram = next(line for line in MAP.read_text(encoding="utf-8").splitlines() if "◀──" in line)
    assert [name.strip() for name in diagram.split("◀──")] == LAYERS
