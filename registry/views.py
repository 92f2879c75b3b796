"""Registry pages: thin views over registry.selectors (reads) and registry.services (writes).

Every view starts from what the user may see (registry.access); an enterprise outside a grid
worker's grids is a 404, not a 403, so its existence does not leak either.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.addresses import client_address
from accounts.lockout import account_lock_state
from core.errors import ServiceError, StaleEdit
from registry import calls, clock, listing, masking, services
from registry.access import (
    can_edit_registry,
    can_manage_users,
    require,
    visible_grid_areas,
)
from registry.annual_reports import annual_report_rows
from registry.forms import (
    EmergencyContactForm,
    EnterpriseForm,
    GridAreaForm,
    LiaisonForm,
    LiaisonReplaceForm,
    UserCreateForm,
    UserRoleForm,
)
from registry.ids import parse_id
from registry.models import EmergencyContact, Enterprise, GridArea, Liaison, SensitiveView
from registry.panels import enterprise_panels
from registry.roles import user_role
from registry.selection import enterprise_filters
from registry.selectors import (
    EnterpriseFilters,
    also_liaison_in_scope,
    enterprise_detail,
    enterprise_pages,
    industries,
    number_lookup,
    sort_keys,
)
from registry.timeline import enterprise_timeline

PAGE_SIZE = 50


@require_GET
def enterprise_list_page(request):
    require(user_role(request.user) is not None)
    filters = enterprise_filters(request.GET)
    paginator = Paginator(enterprise_pages(user=request.user, filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    # Higher apps' columns (registry.listing), rendered from the rows already fetched.
    page.object_list = list(page.object_list)
    if number := number_lookup(user=request.user, q=filters.q):
        services.sensitive_lookup_record(
            by=request.user,
            number=number,
            enterprises=page.object_list,
            channel=SensitiveView.Channel.SEARCH,
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    for enterprise in page.object_list:
        enterprise.extra_cells = listing.cells(enterprise)
        enterprise.name_cells = listing.name_cells(enterprise)
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    context = {
        "page": page,
        "page_numbers": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
        "ellipsis": paginator.ELLIPSIS,
        "filters": filters,
        "query": query.urlencode(),
        "columns": list_columns(filters.sort, unsorted.urlencode()),
        "selection_fields": selection_fields(filters),
        "grids": visible_grid_areas(request.user),
        "industries": industries(user=request.user),
        "tiers": Enterprise.Tier.choices,
        "statuses": Enterprise.Status.choices,
        "sizes": Enterprise.Size.choices,
        "sorts": [
            ("name", _("Name")),
            ("uscc", _("Credit code")),
            ("grid", _("Grid area")),
            ("-updated", _("Recently changed")),
            ("-tier", _("Key enterprises first")),
            ("status", _("Status")),
            # The other direction of each column header (a second click on it).
            ("-name", _("Name, reversed")),
            ("-uscc", _("Credit code, reversed")),
            ("-grid", _("Grid area, reversed")),
            ("tier", _("General enterprises first")),
            ("-status", _("Status, reversed")),
            *((key, label) for key, (label, _order) in listing.extension_sorts().items()),
        ],
        "extensions": listing.column_extensions(),
        "bulk_actions": listing.bulk_actions(request.user),
        "extension_filters": [
            (extension, filters.extra.get(extension.name, ""))
            for extension in listing.list_extensions()
        ],
        "can_edit": can_edit_registry(request.user),
    }
    # htmx asks for the results only as the user types.
    htmx = request.headers.get("HX-Request") == "true"
    template = "registry/_enterprise_rows.html" if htmx else "registry/enterprise_list.html"
    return render(request, template, context)


@dataclass(frozen=True)
class ListColumn:
    """A column header of the enterprise list: a click orders by ``sort`` (the other way
    round when it already does); ``order`` is "ascending" / "descending" / "" for aria-sort."""

    label: str
    href: str = ""
    order: str = ""


def list_columns(sort: str, query: str) -> list[ListColumn]:
    """The list's headers, each sortable one a link to the list sorted by it (keys from the
    whitelist, registry.selectors.sort_keys; the other filters kept)."""
    prefix = f"?{query}&" if query else "?"

    def column(label, key: str = "") -> ListColumn:
        if not key:
            return ListColumn(str(label))
        base = key.lstrip("-")
        if sort in (base, f"-{base}"):
            order = "descending" if sort.startswith("-") else "ascending"
            # Only one direction registered (the light's "-light"): a click keeps it.
            other = base if sort.startswith("-") else f"-{base}"
            target = other if other in sort_keys() else sort
        else:
            order, target = "", key
        return ListColumn(str(label), f"{prefix}sort={target}", order)

    columns = [
        column(_("Enterprise"), "name"),
        column(_("Credit code"), "uscc"),
        column(_("Grid area"), "grid"),
        column(_("Tier"), "-tier"),
        column(_("Liaison")),
        column(_("Status"), "status"),
    ]
    columns += [
        column(extension.label, extension.header_sort) for extension in listing.column_extensions()
    ]
    return columns


def selection_fields(filters: EnterpriseFilters) -> list[tuple[str, str]]:
    """The list's filter as hidden fields of the selection form: "all that match" is this
    filter, evaluated again on the server (set-based), never a list of ids."""
    fields = [
        (name, getattr(filters, name))
        for name in ("q", "grid", "tier", "status", "size", "industry")
        if getattr(filters, name)
    ]
    return fields + sorted(filters.extra.items())


def _protected_display(instance, user) -> dict:
    if instance is None:
        return {}
    kind = masking.record_kind(instance)
    return {
        field: {
            "masked": value,
            "can_show": bool(getattr(instance, field)) and masking.may_unmask(user, kind, field),
            # A phone offers "call" (the logged show, then dial); one its mask leaves whole
            # is a link already.
            "phone": calls.is_phone(kind, field),
            "tel": calls.unmasked_tel(kind, field, getattr(instance, field)),
        }
        for field, value in masking.masked_fields(instance).items()
    }


@require_GET
def enterprise_page(request, uscc):
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    liaisons = list(enterprise.liaisons.all())
    current = next((liaison for liaison in liaisons if liaison.is_current), None)
    contact = getattr(enterprise, "emergency_contact", None)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "liaison": current,
            "past_liaisons": [liaison for liaison in liaisons if not liaison.is_current],
            "also_liaison_in_scope": (
                also_liaison_in_scope(user=request.user, liaison=current)
                if enterprise.also_liaison_of
                else []
            ),
            "contact": contact,
            "protected": {
                "enterprise": _protected_display(enterprise, request.user),
                "liaison": _protected_display(current, request.user),
                "emergencycontact": _protected_display(contact, request.user),
            },
            "timeline": enterprise_timeline(enterprise=enterprise, user=request.user),
            "panels": enterprise_panels(request, enterprise),
            "can_edit": can_edit_registry(request.user),
            "annual_reports": annual_report_rows(enterprise, clock.today()),
        },
    )


@require_POST
def annual_report_set(request, uscc, year):
    """The staff's toggle: the annual report of ``year`` filed, or not."""
    enterprise = _editable_enterprise(request, uscc)
    if request.POST.get("filed") not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether the report was filed."))
    try:
        services.annual_report_set(
            enterprise=enterprise, year=year, filed=request.POST["filed"] == "1", by=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(enterprise_url(enterprise))


def _form_errors(form, error: ValidationError) -> None:
    """Put the service's validation messages next to their fields."""
    for field, field_messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


def _stale(form, error: StaleEdit, kind: str) -> list[dict]:
    """What the other person saved, for the page to show beside the user's own input."""
    form.add_error(None, error.message)
    rows = []
    for name, current in error.current.items():
        if name not in form.fields:
            continue
        rows.append(
            {
                "label": form.fields[name].label,
                "theirs": masking.masked(kind, name, "" if current is None else str(current)),
            }
        )
    return rows


def _edit(request, *, form, kind: str, save, success_url, enterprise, title):
    """The shared shape of every edit page: validate, call the service, report per field.

    A stale save (someone else saved first) shows their values beside the user's input, and
    the form now carries the new version, so saving again is a deliberate overwrite.
    """
    stale_rows = []
    if request.method == "POST" and form.is_valid():
        try:
            changed = save(form)
        except StaleEdit as error:
            stale_rows = _stale(form, error, kind)
            # The next save is made over what is there now.
            form.data = form.data.copy()
            form.data["version"] = str(error.version)
            form.fields["version"].widget.attrs["value"] = error.version
        except ValidationError as error:
            _form_errors(form, error)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if changed:
                messages.success(request, _("Saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(success_url)
    return render(
        request,
        "registry/edit.html",
        {"form": form, "enterprise": enterprise, "title": title, "stale": stale_rows},
        status=400 if form.errors else 200,
    )


def _editable_enterprise(request, uscc) -> Enterprise:
    require(can_edit_registry(request.user))
    return enterprise_detail(user=request.user, uscc=uscc)


@require_http_methods(["GET", "POST"])
def enterprise_edit(request, uscc):
    enterprise = _editable_enterprise(request, uscc)
    form = EnterpriseForm(
        request.POST or None,
        instance=enterprise,
        user=request.user,
        role=user_role(request.user),
    )
    if "grid" in form.fields:
        form.fields["grid"].queryset = visible_grid_areas(request.user)
    return _edit(
        request,
        form=form,
        kind="enterprise",
        save=lambda f: services.enterprise_update(
            enterprise=enterprise,
            by=request.user,
            expected_version=f.cleaned_data.get("version"),
            **f.changes(),
        ),
        success_url=enterprise_url(enterprise),
        enterprise=enterprise,
        title=_("Edit enterprise"),
    )


@require_http_methods(["GET", "POST"])
def liaison_edit(request, uscc):
    enterprise = _editable_enterprise(request, uscc)
    liaison = get_object_or_404(Liaison, enterprise=enterprise, ended_on__isnull=True)
    form = LiaisonForm(request.POST or None, instance=liaison, user=request.user)
    return _edit(
        request,
        form=form,
        kind="liaison",
        save=lambda f: services.liaison_update(
            liaison=liaison,
            by=request.user,
            expected_version=f.cleaned_data.get("version"),
            **f.changes(),
        ),
        success_url=enterprise_url(enterprise),
        enterprise=enterprise,
        title=_("Edit the current liaison"),
    )


@require_http_methods(["GET", "POST"])
def liaison_replace(request, uscc):
    enterprise = _editable_enterprise(request, uscc)
    form = LiaisonReplaceForm(request.POST or None, instance=Liaison(), user=request.user)

    def save(f):
        details = f.changes()
        started_on = details.pop("started_on", None) or f.cleaned_data.get("started_on")
        services.liaison_replace(
            enterprise=enterprise, by=request.user, started_on=started_on, **details
        )
        return True

    return _edit(
        request,
        form=form,
        kind="liaison",
        save=save,
        success_url=enterprise_url(enterprise),
        enterprise=enterprise,
        title=_("Replace the liaison"),
    )


@require_http_methods(["GET", "POST"])
def emergency_contact_edit(request, uscc):
    enterprise = _editable_enterprise(request, uscc)
    contact = EmergencyContact.objects.filter(enterprise=enterprise).first()
    form = EmergencyContactForm(
        request.POST or None, instance=contact or EmergencyContact(), user=request.user
    )
    return _edit(
        request,
        form=form,
        kind="emergencycontact",
        save=lambda f: services.emergency_contact_set(
            enterprise=enterprise,
            by=request.user,
            expected_version=f.cleaned_data.get("version"),
            **f.changes(),
        ),
        success_url=enterprise_url(enterprise),
        enterprise=enterprise,
        title=_("Edit the emergency contact"),
    )


def enterprise_url(enterprise) -> str:
    return reverse("registry:enterprise", args=[enterprise.uscc])


_REVEAL_MODELS = {"enterprise", "liaison", "emergencycontact"}


@require_POST
def reveal(request, uscc, record, field):
    """The explicit "show" of one protected value; every call is logged."""
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    if record not in _REVEAL_MODELS or not masking.is_protected(record, field):
        return HttpResponseBadRequest(_("This field cannot be shown."))
    if record == "enterprise":
        instance = enterprise
    elif record == "liaison":
        instance = get_object_or_404(
            Liaison, enterprise=enterprise, pk=parse_id(request.POST.get("id"))
        )
    else:
        instance = get_object_or_404(EmergencyContact, enterprise=enterprise)
    value = services.sensitive_value_reveal(
        instance=instance,
        field=field,
        by=request.user,
        channel=SensitiveView.Channel.PAGE,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    # A phone comes back as a number to tap, with its call's outcome to log (registry.calls).
    return HttpResponse(calls.revealed_html(instance, field, value))


# --- Admin pages: grid areas, users, the log of sensitive views ---------------------------


def _admin_only(request):
    require(can_manage_users(request.user))


@require_GET
def grid_area_list(request):
    _admin_only(request)
    grids = GridArea.objects.prefetch_related("workers").order_by("code")
    return render(request, "registry/grid_areas.html", {"grids": grids})


@require_http_methods(["GET", "POST"])
def grid_area_edit(request, pk=None):
    _admin_only(request)
    grid = get_object_or_404(GridArea, pk=pk) if pk else None
    form = GridAreaForm(request.POST or None, instance=grid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if grid is None:
                grid = services.grid_area_create(
                    code=data["code"], name=data["name"], by=request.user
                )
            else:
                services.grid_area_update(
                    grid=grid, by=request.user, code=data["code"], name=data["name"]
                )
            services.grid_area_assign_workers(grid=grid, workers=data["workers"], by=request.user)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:grid_areas")
    return render(
        request,
        "registry/grid_area_edit.html",
        {"form": form, "grid": grid},
        status=400 if form.errors else 200,
    )


# The one-time password of a new account or a reset: kept in the admin's session only until
# the next page shows it (once), so a reload or the browser's history does not show it again.
_ONE_TIME_PASSWORD_KEY = "registry_one_time_password"


def _hand_over_password(request, account, password: str) -> None:
    request.session[_ONE_TIME_PASSWORD_KEY] = {"user": account.pk, "password": password}


def _password_to_show(request, account) -> str | None:
    pending = request.session.pop(_ONE_TIME_PASSWORD_KEY, None)
    return pending["password"] if pending and pending.get("user") == account.pk else None


@require_GET
def user_list(request):
    _admin_only(request)
    users = get_user_model().objects.prefetch_related("groups", "grid_areas").order_by("username")
    rows = [{"user": u, "role": user_role(u)} for u in users]
    return render(request, "registry/users.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def user_new(request):
    _admin_only(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = services.user_create(
                username=data["username"],
                first_name=data["name"],
                email=data["email"],
                role=data["role"],
                grids=data["grid_areas"],
                by=request.user,
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            _hand_over_password(request, account, password)
            messages.success(request, _("The account has been created."))
            return redirect("registry:user_edit", pk=account.pk)
    return render(
        request, "registry/user_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    _admin_only(request)
    account = get_object_or_404(get_user_model(), pk=pk)
    role = user_role(account)
    form = UserRoleForm(
        request.POST or None,
        initial={
            "role": role.value if role else "",
            "is_active": account.is_active,
            "grid_areas": list(account.grid_areas.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                user=account,
                role=form.cleaned_data["role"] or None,
                is_active=form.cleaned_data["is_active"],
                grids=form.cleaned_data["grid_areas"],
                by=request.user,
            )
        except ServiceError as error:
            form.add_error("role", error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:users")
    return render(
        request,
        "registry/user_edit.html",
        {
            "form": form,
            "account": account,
            "is_self": account.pk == request.user.pk,
            "one_time_password": _password_to_show(request, account),
            "login_lock": account_lock_state(username=account.get_username(), now=clock.now()),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def user_password_reset(request, pk):
    """A new one-time password for the account, shown to the admin once on the user page;
    its owner must change it at the next login."""
    _admin_only(request)
    account = get_object_or_404(get_user_model(), pk=pk)
    try:
        password = services.user_password_reset(user=account, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        _hand_over_password(request, account, password)
        messages.success(request, _("The password has been reset."))
    return redirect("registry:user_edit", pk=account.pk)


@require_POST
def user_unlock(request, pk):
    """Lift the login lockout of an account (its failed logins from every address)."""
    _admin_only(request)
    account = get_object_or_404(get_user_model(), pk=pk)
    services.user_login_lock_reset(user=account, by=request.user)
    messages.success(request, _("The account's login lock has been lifted."))
    return redirect("registry:user_edit", pk=account.pk)
