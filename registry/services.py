"""Every write to the registry, whichever door it comes through (page, API, admin action,
import, self-service, Celery task). Each runs in one transaction and tags the history
triggers with who and which door.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pghistory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.errors import ServiceError, StaleEdit
from registry import annual_reports, clock, masking, selectors
from registry.models import (
    AnnualReport,
    Door,
    EmergencyContact,
    Enterprise,
    GridArea,
    Liaison,
    SecurityEvent,
    SensitiveView,
)
from registry.normalize import mask_phone
from registry.pinyin import name_pinyin
from registry.roles import Role, role_group, user_role
from registry.security_log import security_event_record
from registry.signals import liaison_corrected, liaisons_started
from registry.sql.names import Table

LIAISON_FIELDS = ("name", "position", "mobile", "landline", "email", "wechat", "id_number")
EMERGENCY_CONTACT_FIELDS = ("name", "relation", "phone")


@contextmanager
def changes_by(*, by, door: Door | str, **extra: Any) -> Iterator[None]:
    """One transaction whose history events all carry who made them, through which door, and
    when by the one clock (``at``: the events' own ``pgh_created_at`` is the database's row
    stamp, which keeps them in the order they were written; a decision reads ``at``)."""
    metadata = {"door": str(door), "at": clock.now().isoformat(), **extra}
    if by is not None:
        metadata.update(user=by.pk, username=by.get_username())
    with transaction.atomic(), pghistory.context(**metadata):
        yield


def _apply(instance, changes: dict[str, Any]) -> list[str]:
    """Set the given fields, validate the whole record, return the fields that really changed.

    Values are normalised first (full_clean runs each field's to_python), so that typing
    ``１３８ 1234 5678`` over ``13812345678`` is no change at all and writes no history.
    """
    unknown = set(changes) - {f.name for f in instance._meta.get_fields()}
    if unknown:
        raise _unknown_fields(unknown)
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, "" if value is None and _is_text(instance, name) else value)
    instance.full_clean()
    return [name for name in changes if getattr(instance, name) != before[name]]


def _unknown_fields(names) -> ServiceError:
    return ServiceError(
        _("Unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(names))},
        code="unknown_field",
    )


def _is_text(instance, name: str) -> bool:
    field = instance._meta.get_field(name)
    return field.get_internal_type() in {"CharField", "EmailField", "TextField"} and not field.null


def _check_version(instance, expected_version: int | None, fields) -> None:
    if expected_version is not None and instance.version != expected_version:
        raise StaleEdit(
            current={name: getattr(instance, name) for name in fields}, version=instance.version
        )


def _save_changed(instance, changed: list[str], *, derived: list[str] = ()) -> None:
    if changed:
        instance.version += 1
        instance.save(update_fields=[*changed, *derived, "version", "updated_at"])


# --- Grid areas -------------------------------------------------------------------------


def _grid_changed(grid: GridArea, by, **detail: Any) -> None:
    security_event_record(
        action=SecurityEvent.Action.GRID_CHANGED,
        at=clock.now(),
        by=by,
        target=grid.code,
        detail=detail,
    )


def grid_area_create(*, code: str, name: str, by, door: Door = Door.STAFF) -> GridArea:
    grid = GridArea(code=code.strip(), name=name)
    with changes_by(by=by, door=door):
        grid.full_clean()
        grid.save()
        _grid_changed(grid, by, created=True, name=grid.name)
    return grid


def grid_area_update(*, grid: GridArea, by, door: Door = Door.STAFF, **changes: Any) -> None:
    with changes_by(by=by, door=door):
        locked = GridArea.objects.select_for_update().get(pk=grid.pk)
        before = {name: getattr(locked, name) for name in changes}
        changed = _apply(locked, changes)
        if changed:
            locked.save(update_fields=changed)
            _grid_changed(
                locked,
                by,
                **{name: [before[name], getattr(locked, name)] for name in changed},
            )
    grid.refresh_from_db()


def grid_area_assign_workers(*, grid: GridArea, workers, by, door: Door = Door.STAFF) -> None:
    """Who works the grid; a change of its workers is a change of who may see what, so it is
    written to the security log (who joined, who left)."""
    with changes_by(by=by, door=door):
        before = {user.get_username() for user in grid.workers.all()}
        grid.workers.set(workers)
        after = {user.get_username() for user in grid.workers.all()}
        if before != after:
            _grid_changed(
                grid,
                by,
                workers_added=sorted(after - before),
                workers_removed=sorted(before - after),
            )


# --- Enterprises ------------------------------------------------------------------------


def enterprise_create(
    *,
    by,
    door: Door = Door.STAFF,
    liaison: dict[str, Any] | None = None,
    emergency_contact: dict[str, Any] | None = None,
    **fields: Any,
) -> Enterprise:
    """A new enterprise, optionally with its first liaison and emergency contact."""
    with changes_by(by=by, door=door):
        enterprise = Enterprise()
        _apply(enterprise, fields)
        enterprise.name_pinyin = name_pinyin(enterprise.name)
        enterprise.save()
        if liaison:
            _liaison_start(
                enterprise=enterprise,
                details=liaison,
                started_on=liaison.get("started_on"),
                by=by,
                door=door,
            )
        if emergency_contact:
            contact = EmergencyContact(enterprise=enterprise)
            _apply(contact, emergency_contact)
            contact.save()
    return enterprise


def enterprise_update(
    *,
    enterprise: Enterprise,
    by,
    door: Door = Door.STAFF,
    expected_version: int | None = None,
    **changes: Any,
) -> list[str]:
    """Change an enterprise's fields; returns the names of the fields that changed.

    With ``expected_version`` (what the editor's form was loaded with), a save over someone
    else's newer save raises StaleEdit instead of overwriting it.
    """
    with changes_by(by=by, door=door):
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        _check_version(locked, expected_version, changes)
        changed = _apply(locked, changes)
        derived = []
        if "name" in changed:
            locked.name_pinyin = name_pinyin(locked.name)
            derived.append("name_pinyin")
        _save_changed(locked, changed, derived=derived)
    enterprise.refresh_from_db()
    return changed


def enterprise_pinyin_backfill(*, everything: bool = False, batch: int = 5000) -> int:
    """Write the names' pinyin (registry.pinyin) where it is missing, or for every enterprise
    with ``everything`` (after a change of pypinyin's dictionary, or names written by SQL
    outside the portal): 5,000 names a statement. Returns how many were written. The history
    records nothing: the column is derived from the name (registry.models)."""
    rows = Enterprise.objects.order_by("pk")
    if not everything:
        rows = rows.filter(name_pinyin="").exclude(name="")
    table = Table(Enterprise)
    statement = (
        f"UPDATE {table} SET {table.column('name_pinyin')} = v.pinyin "
        f"FROM unnest(%s::bigint[], %s::text[]) AS v(id, pinyin) "
        f"WHERE {table.db_table}.{table.column('id')} = v.id"
    )
    written = 0
    ids, names = [], []
    with connection.cursor() as cursor:
        for pk, name in rows.values_list("pk", "name").iterator(chunk_size=batch):
            ids.append(pk)
            names.append(name_pinyin(name))
            if len(ids) == batch:
                cursor.execute(statement, [ids, names])
                written, ids, names = written + len(ids), [], []
        if ids:
            cursor.execute(statement, [ids, names])
            written += len(ids)
    return written


def enterprise_delete(*, enterprise: Enterprise, by, door: Door = Door.STAFF) -> None:
    with changes_by(by=by, door=door):
        enterprise.delete()


# --- Annual reports (企业信息公示暂行条例 art. 8) ----------------------------------------


def annual_report_set(
    *, enterprise: Enterprise, year: int, filed: bool, by, now: datetime.datetime | None = None
) -> AnnualReport:
    """Record whether ``enterprise`` filed its annual report for ``year``: one row per
    enterprise and year, written in one statement (two clicks at once leave one row)."""
    now = now or clock.now()
    years = annual_reports.report_years(clock.today(now))
    if year not in years:
        raise ServiceError(
            _("Enter a report year between %(first)s and %(last)s.")
            % {"first": years[0], "last": years[-1]},
            code="year",
        )
    with transaction.atomic():
        AnnualReport.objects.bulk_create(
            [
                AnnualReport(
                    enterprise=enterprise, year=year, filed=filed, updated_by=by, updated_at=now
                )
            ],
            update_conflicts=True,
            unique_fields=["enterprise", "year"],
            update_fields=["filed", "updated_by", "updated_at"],
        )
    return AnnualReport.objects.get(enterprise=enterprise, year=year)


# --- Liaisons ---------------------------------------------------------------------------


def _liaison_start(
    *, enterprise: Enterprise, details: dict[str, Any], by, door, started_on=None
) -> Liaison:
    liaison = Liaison(enterprise=enterprise, started_on=started_on or clock.today())
    _apply(liaison, {k: v for k, v in details.items() if k in LIAISON_FIELDS})
    liaison.save()
    # A new period: outreach welcomes the new liaison (in this transaction, so once or never).
    liaisons_started.send(sender=Liaison, liaison_ids=[liaison.pk], door=Door(door), by=by)
    return liaison


def liaison_replace(
    *,
    enterprise: Enterprise,
    by,
    door: Door = Door.STAFF,
    started_on: datetime.date | None = None,
    **details: Any,
) -> Liaison:
    """A new person takes over: the current liaison's period ends, a new one starts.

    The old row is kept as it was (past liaisons are never overwritten). The enterprise row
    is locked first so two replacements at once queue up instead of racing; the partial
    unique index would refuse the loser anyway.
    """
    unknown = set(details) - set(LIAISON_FIELDS)
    if unknown:
        raise _unknown_fields(unknown)
    today = started_on or clock.today()
    with changes_by(by=by, door=door):
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        current = Liaison.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
        if current is not None:
            current.ended_on = max(today, current.started_on)
            current.version += 1
            current.save(update_fields=["ended_on", "version", "updated_at"])
        return _liaison_start(
            enterprise=enterprise, details=details, by=by, door=door, started_on=today
        )


def liaison_update(
    *,
    liaison: Liaison,
    by,
    door: Door = Door.STAFF,
    expected_version: int | None = None,
    **changes: Any,
) -> list[str]:
    """Correct the same person's contact details (a new person is liaison_replace)."""
    unknown = set(changes) - set(LIAISON_FIELDS)
    if unknown:
        raise _unknown_fields(unknown)
    with changes_by(by=by, door=door):
        locked = Liaison.objects.select_for_update().get(pk=liaison.pk)
        if locked.ended_on is not None:
            raise ServiceError(
                _("A past liaison's details cannot be changed."), code="liaison_ended"
            )
        _check_version(locked, expected_version, changes)
        changed = _apply(locked, changes)
        _save_changed(locked, changed)
        if changed:
            liaison_corrected.send(
                sender=Liaison, liaison=locked, changed=changed, door=Door(door), by=by
            )
    liaison.refresh_from_db()
    return changed


def liaison_mark_verified(*, liaison: Liaison, by, door: Door, at=None) -> None:
    """The liaison's details were confirmed right (by a contact or by the liaison)."""
    with changes_by(by=by, door=door):
        Liaison.objects.filter(pk=liaison.pk).update(last_verified_at=at or clock.now())


def liaison_consent_record(*, liaison: Liaison, version: str, by, door: Door, at=None) -> None:
    """The liaison accepted the data-use notice of this version (e.g. through self-service).
    Not a change of their details: the row's version stays, so open links stay valid."""
    with changes_by(by=by, door=door):
        Liaison.objects.filter(pk=liaison.pk).update(
            consent_at=at or clock.now(), consent_version=version[:20]
        )


# --- Emergency contact ------------------------------------------------------------------


def emergency_contact_set(
    *,
    enterprise: Enterprise,
    by,
    door: Door = Door.STAFF,
    expected_version: int | None = None,
    **details: Any,
) -> EmergencyContact:
    """Create or change the enterprise's emergency contact."""
    unknown = set(details) - set(EMERGENCY_CONTACT_FIELDS)
    if unknown:
        raise _unknown_fields(unknown)
    with changes_by(by=by, door=door):
        contact = EmergencyContact.objects.select_for_update().filter(enterprise=enterprise).first()
        if contact is None:
            contact = EmergencyContact(enterprise=enterprise)
            _apply(contact, details)
            contact.save()
            return contact
        _check_version(contact, expected_version, details)
        _save_changed(contact, _apply(contact, details))
    return contact


# --- Users and their roles -------------------------------------------------------------


def user_create(
    *,
    username: str,
    by,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    role: Role | str | None = None,
    grids=(),
) -> tuple[Any, str]:
    """A new account made in the portal, with its role and grid areas, and a one-time
    password for the admin to hand over (returned, never stored in clear): its owner must
    change it at the first login (accounts.services.account_password_set_by_admin). The
    creation, the role, the grids and the password are each a row of the security log."""
    User = get_user_model()
    username = username.strip()
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    # Who made it, for the security log's row of a new account (security_log._on_user_saved,
    # which every door — this one, the Django admin, createsuperuser — goes through).
    user.security_log_by = by
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ServiceError(
                _("An account with this username already exists."),
                field="username",
                code="username_taken",
            )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        if role:
            user_role_set(user=user, role=role, is_active=True, by=by)
        user_grid_areas_set(user=user, grids=grids, by=by)
        password = user_password_reset(user=user, by=by)
    return user, password


def user_password_reset(*, user, by) -> str:
    """An admin resets an account's password: a one-time password, returned to be shown to
    the admin once; the owner's sessions and API token end, and the owner must choose their
    own at the next login. Logged (password set by an admin)."""
    from accounts.passwords import temporary_password
    from accounts.services import account_password_set_by_admin

    if by is not None and user.pk == by.pk:
        raise ServiceError(_("Change your own password on the password page."), code="own_password")
    password = temporary_password(user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        account_password_set_by_admin(user=user, by=by)
    return password


def user_grid_areas_set(*, user, grids, by) -> None:
    """The grid areas a user works; each grid that gains or loses the user is a row of the
    security log, as when the grid's own page changes its workers."""
    wanted = {grid.pk for grid in grids}
    with changes_by(by=by, door=Door.STAFF):
        current = set(user.grid_areas.values_list("pk", flat=True))
        for grid in GridArea.objects.filter(pk__in=wanted ^ current).order_by("code"):
            if grid.pk in wanted:
                grid.workers.add(user)
                _grid_changed(grid, by, workers_added=[user.get_username()], workers_removed=[])
            else:
                grid.workers.remove(user)
                _grid_changed(grid, by, workers_added=[], workers_removed=[user.get_username()])


def _is_active_admin(user) -> bool:
    return user.is_active and user_role(user) == Role.ADMIN


def _refuse_losing_the_last_admin(user) -> None:
    # Every change that could leave no active admin takes the admin group's row lock first,
    # so two admins switching each other off at once cannot both pass the count.
    User = get_user_model()
    Group.objects.select_for_update().filter(name=Role.ADMIN.value).first()
    others = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value))
        .exclude(pk=user.pk)
    )
    if not others.exists():
        raise ServiceError(
            _("This is the last active park admin: give another account the admin role first."),
            field="role",
            code="last_admin",
        )


def user_role_set(*, user, role: Role | str | None, is_active: bool, by) -> None:
    """Give a user exactly one role (or none), and switch the account on or off.

    An admin cannot take their own admin role or account away, and nobody can take away the
    last active admin's: there would be nobody left to give it back on a small park's portal.
    """
    if by is not None and user.pk == by.pk and (role != Role.ADMIN or not is_active):
        raise ServiceError(
            _("You cannot remove your own admin role or switch off your own account."),
            field="role",
            code="self_demotion",
        )
    user.__dict__.pop("_portal_role", None)  # roles.user_role's per-request cache
    before_role, was_active = user_role(user), user.is_active
    now = clock.now()
    with transaction.atomic():
        if _is_active_admin(user) and (role != Role.ADMIN or not is_active):
            _refuse_losing_the_last_admin(user)
        others = user.groups.exclude(name__in=[r.value for r in Role])
        user.groups.set([*others, *([role_group(Role(role))] if role else [])])
        user.is_active = is_active
        # The Django admin is for park admins only; a superuser given another role is one no
        # more (roles.user_role counts every superuser as an admin).
        user.is_staff = role == Role.ADMIN
        if role != Role.ADMIN:
            user.is_superuser = False
        user.save(update_fields=["is_active", "is_staff", "is_superuser"])
        user.__dict__.pop("_portal_role", None)
        after_role = user_role(user)
        if after_role == Role.ADMIN and before_role != Role.ADMIN:
            # A token issued before was issued without the admins' second factor.
            Token.objects.filter(user=user).delete()
        if after_role != before_role:
            security_event_record(
                action=SecurityEvent.Action.ROLE_CHANGED,
                at=now,
                by=by,
                target=user.get_username(),
                detail={
                    "from": before_role.value if before_role else "",
                    "to": after_role.value if after_role else "",
                },
            )
        if is_active != was_active:
            security_event_record(
                action=(
                    SecurityEvent.Action.USER_ACTIVATED
                    if is_active
                    else SecurityEvent.Action.USER_DEACTIVATED
                ),
                at=now,
                by=by,
                target=user.get_username(),
            )
    user.__dict__.pop("_portal_role", None)


def user_update(*, user, role: Role | str | None, is_active: bool, grids, by) -> None:
    """The users page's one save: role, on or off, grid areas, all or nothing."""
    with transaction.atomic():
        user_role_set(user=user, role=role, is_active=is_active, by=by)
        user_grid_areas_set(user=user, grids=grids, by=by)


def user_login_lock_reset(*, user, by) -> int:
    """Lift an account's login lockout (accounts.services.account_lock_reset), logged."""
    from accounts.services import account_lock_reset

    count = account_lock_reset(username=user.get_username(), by=by)
    security_event_record(
        action=SecurityEvent.Action.LOCK_RESET,
        at=clock.now(),
        by=by,
        target=user.get_username(),
        detail={"records": count},
    )
    return count


# --- Sensitive values -------------------------------------------------------------------


def sensitive_value_reveal(
    *,
    instance: Enterprise | Liaison | EmergencyContact,
    field: str,
    by,
    channel: str,
    ip_address: str | None = None,
    user_agent: str = "",
    detail: str = "",
) -> str:
    """The full value of a protected field, for a user allowed to see it; the view is logged.

    ``instance`` is an enterprise or a record with an ``enterprise`` (a liaison, an
    emergency contact; a higher app's record registered with masking.register_protected,
    whose enterprise may be unknown yet: a matter of a caller not identified). ``detail``
    says which record to the log's readers (a matter's number), never the value.
    The caller has already checked that the user may see the record at all.
    """
    kind = masking.record_kind(instance)
    if not masking.is_protected(kind, field):
        raise ServiceError(_("This field is not protected."), field=field, code="not_protected")
    if not masking.may_unmask(by, kind, field):
        raise PermissionDenied
    enterprise = instance if isinstance(instance, Enterprise) else instance.enterprise
    security_event_record(
        action=SecurityEvent.Action.REVEAL,
        at=clock.now(),
        by=by,
        address=ip_address,
        target=enterprise.uscc if enterprise is not None else f"{kind}:{instance.pk}",
        detail={"record": kind, "record_id": instance.pk, "field": field, "channel": channel},
    )
    SensitiveView.objects.create(
        user=by,
        enterprise=enterprise,
        record=kind,
        record_id=str(instance.pk),
        field=field,
        fields=[f"{kind}.{field}"],
        detail=detail[:200],
        channel=channel,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
    )
    return getattr(instance, field) or ""


# A whole number found by more than this many enterprises: the first ones are logged (the
# detail gives the total), so that one search cannot write without bound.
LOOKUP_LOGGED_ENTERPRISES = 20


def sensitive_lookup_record(
    *,
    by,
    number: str,
    enterprises: list[Enterprise],
    channel: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> list[SensitiveView]:
    """A whole-number search by someone who may not see full numbers found enterprises:
    "this number is that enterprise's" is itself a view of the number, so it is logged —
    one row per enterprise found (the first LOOKUP_LOGGED_ENTERPRISES), each findable by
    the log's enterprise filter, the number masked, never whole. Nothing is written when
    nothing was found."""
    if not enterprises:
        return []
    detail = _("Whole-number search for %(number)s: %(count)s enterprise(s) found") % {
        "number": mask_phone(number),
        "count": len(enterprises),
    }
    return SensitiveView.objects.bulk_create(
        SensitiveView(
            user=by,
            enterprise=enterprise,
            record="search",
            record_id=str(len(enterprises)),
            fields=list(selectors.NUMBER_SEARCH_FIELDS),
            detail=detail,
            channel=channel,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300],
        )
        for enterprise in enterprises[:LOOKUP_LOGGED_ENTERPRISES]
    )


def sensitive_export_record(
    *,
    by,
    enterprise: Enterprise,
    record: str,
    record_id: str,
    fields: list[str],
    detail: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> SensitiveView:
    """A document about one enterprise left the portal with protected values in full (a
    higher app's export, e.g. monitoring's evidence pack): logged like a "show"."""
    view = _exported(
        by=by,
        enterprise_id=enterprise.pk,
        record=record,
        record_id=record_id,
        fields=fields,
        detail=detail,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    view.save()
    return view


def _exported(
    *, by, enterprise_id, record, record_id, fields, detail, ip_address, user_agent
) -> SensitiveView:
    """One log row (unsaved) of protected values that left the portal in a document, its
    texts cut to their columns."""
    return SensitiveView(
        user=by,
        enterprise_id=enterprise_id,
        record=record[:30],
        record_id=str(record_id)[:30],
        fields=list(fields),
        detail=detail[:200],
        channel=SensitiveView.Channel.EXPORT,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
    )


def sensitive_print_record(
    *,
    by,
    liaisons: list[Liaison],
    fields: list[str],
    detail: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> list[SensitiveView]:
    """Liaisons' numbers printed in full (a worker's visit sheet): one row per liaison, each
    findable by the log's enterprise filter, and one security event. The caller has checked
    that the user may see the liaisons and unmask ``fields`` (``liaison.mobile`` …)."""
    for dotted in fields:
        kind, _dot, name = dotted.partition(".")
        if not masking.may_unmask(by, kind, name):
            raise PermissionDenied
    if not liaisons:
        return []
    views = SensitiveView.objects.bulk_create(
        _exported(
            by=by,
            enterprise_id=liaison.enterprise_id,
            record="liaison",
            record_id=liaison.pk,
            fields=fields,
            detail=detail,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        for liaison in liaisons
    )
    security_event_record(
        action=SecurityEvent.Action.EXPORT,
        at=clock.now(),
        by=by,
        address=ip_address,
        target="*",
        detail={"what": detail[:100], "rows": len(liaisons), "unmasked": list(fields)},
    )
    return views


def sensitive_log_export_record(
    *, by, rows: int, fmt: str, ip_address: str | None = None, user_agent: str = ""
) -> SensitiveView:
    """Someone exported the log of sensitive views: the export is in the log too (who reads
    whom is itself worth knowing). It names no field: the file holds no protected value."""
    return SensitiveView.objects.create(
        user=by,
        enterprise=None,
        record="sensitiveview",
        record_id="*",
        detail=_("Export of this log (%(format)s, %(count)s rows)")
        % {"format": fmt, "count": rows},
        channel=SensitiveView.Channel.EXPORT,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
    )
