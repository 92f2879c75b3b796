"""The enterprise page's one timeline: everything that happened to an enterprise, newest
first, as a reader sees it (field names in their language, protected values masked).

The registry's own history is the first source; later apps (outreach's contact attempts,
monitoring's light changes) add theirs with ``register_source`` in their AppConfig.ready, so
the registry never imports them.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from registry import clock, masking
from registry.models import Building, Door, EmergencyContact, Enterprise, Liaison
from registry.selectors import enterprise_history

_MODELS = {"enterprise": Enterprise, "liaison": Liaison, "emergencycontact": EmergencyContact}
_TITLES = {
    ("enterprise", "insert"): _("Enterprise registered"),
    ("enterprise", "update"): _("Enterprise details changed"),
    ("enterprise", "delete"): _("Enterprise removed"),
    ("liaison", "insert"): _("New liaison"),
    ("liaison", "update"): _("Liaison details changed"),
    ("liaison", "delete"): _("Liaison record removed"),
    ("emergencycontact", "insert"): _("Emergency contact added"),
    ("emergencycontact", "update"): _("Emergency contact changed"),
    ("emergencycontact", "delete"): _("Emergency contact removed"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Link:
    """Evidence an item links to (a visit's photo, the place it was logged at); ``image``:
    shown as a small picture."""

    label: str
    url: str
    image: bool = False


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # e.g. "registry.update"; templates style by it
    title: str
    who: str
    door: str
    changes: list[Change] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


Source = Callable[[Enterprise, object], list[TimelineItem]]
_SOURCES: list[Source] = []


def register_source(source: Source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def _shown(kind: str, name: str, value) -> str:
    model = _MODELS[kind]
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return "" if value is None else str(value)
    if model_field.name == "building" and value not in (None, ""):
        # The building an enterprise is in: its name, not its id (it may be gone since).
        value = Building.objects.filter(pk=value).values_list("name", flat=True).first() or value
    if model_field.choices and value not in (None, ""):
        value = dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    text = "" if value is None else str(value)
    return masking.masked(kind, name, text) if masking.is_protected(kind, name) else text


def _label(kind: str, name: str) -> str:
    try:
        return str(_MODELS[kind]._meta.get_field(name).verbose_name)
    except Exception:
        return name


def people_names(user_ids) -> dict[int, str]:
    """Users by id as the timeline names them: their name, else their login (one query)."""
    users = get_user_model().objects.filter(pk__in={pk for pk in user_ids if pk})
    return {u.pk: u.get_full_name() or u.get_username() for u in users}


def _liaison_title(entry, kind: str) -> str | None:
    """A liaison's event named after the person: who started, who left."""
    if kind != "liaison":
        return None
    name = entry.snapshot.get("name") or entry.changes.get("name") or ""
    if entry.action == "insert":
        return str(_("New liaison: %(name)s") % {"name": name})
    ended = entry.changes.get("ended_on")
    if entry.action == "update" and ended and not ended[0] and ended[1]:
        return str(_("Liaison left: %(name)s") % {"name": name})
    return None


def _replacements(entries) -> dict[int, str]:
    """A liaison ending and another starting in the same write (a replacement, by staff, the
    import or a confirmed handover: one history context): the newcomer's entry (by index)
    titled "张伟 → 赵敏"."""
    left = {}
    for entry in entries:
        ended = entry.changes.get("ended_on") if entry.record == "liaison" else None
        if entry.context_id and entry.action == "update" and ended and not ended[0] and ended[1]:
            left[entry.context_id] = entry.snapshot.get("name", "")
    titles = {}
    for index, entry in enumerate(entries):
        if entry.record == "liaison" and entry.action == "insert" and entry.context_id in left:
            names = {"old": left[entry.context_id], "new": entry.snapshot.get("name", "")}
            titles[index] = str(_("Liaison replaced: %(old)s → %(new)s") % names)
    return titles


def _registry_history(enterprise: Enterprise, user) -> list[TimelineItem]:
    items = []
    entries = enterprise_history(enterprise=enterprise)
    names = people_names(entry.user_id for entry in entries)
    replaced = _replacements(entries)
    for index, entry in enumerate(entries):
        kind = entry.record
        changes = []
        for name, value in entry.changes.items():
            if name.startswith("pgh_") or name in {"grid"}:
                continue
            old, new = value if entry.action == "update" else ("", value)
            changes.append(
                Change(
                    label=_label(kind, name),
                    old=_shown(kind, name, old),
                    new=_shown(kind, name, new),
                )
            )
        door = dict(Door.choices).get(entry.door, entry.door or "")
        if entry.door == Door.IMPORT and entry.context.get("import_run"):
            # "from import #12": the run's page says which file and what else it changed.
            door = _("Spreadsheet import #%(run)s") % {"run": entry.context["import_run"]}
        items.append(
            TimelineItem(
                at=entry.at,
                kind=f"registry.{entry.action}",
                title=replaced.get(index)
                or _liaison_title(entry, kind)
                or str(_TITLES.get((kind, entry.action), f"{kind} {entry.action}")),
                who=names.get(entry.user_id) or entry.username or str(_("system")),
                door=str(door),
                changes=changes,
            )
        )
    return items


def _free_text_masked(item: TimelineItem) -> TimelineItem:
    """Notes and other free text of any source with every number in them masked: the
    timeline is read by every role, and a note may carry someone's mobile."""
    changes = [
        Change(
            label=change.label,
            old=masking.mask_free_text(change.old),
            new=masking.mask_free_text(change.new),
        )
        for change in item.changes
    ]
    return dataclasses.replace(item, title=masking.mask_free_text(item.title), changes=changes)


def enterprise_timeline(*, enterprise: Enterprise, user) -> list[TimelineItem]:
    # The registry's own history, then the sources higher apps registered (register_source).
    # Every moment in the park's time zone (registry.clock), whatever its source stored: the
    # page, a print or an API reads the park's day (00:30 on 1 January, not 16:30 UTC).
    sources = [_registry_history, *_SOURCES]
    items = [
        dataclasses.replace(_free_text_masked(item), at=clock.local(item.at))
        for source in sources
        for item in source(enterprise, user)
    ]
    return sorted(items, key=lambda item: item.at, reverse=True)
