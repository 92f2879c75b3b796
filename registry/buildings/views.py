"""The building pages: the list, a building with its contacts, enterprises and suggested
enterprises, the edit pages, the logged "show" of a contact's phone, confirming or rejecting a
suggested link. Thin: registry.buildings.selectors and services do the work. A building the
user may not see is a 404, as an enterprise is."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.addresses import client_address
from core.errors import ServiceError, StaleEdit
from registry import clock, listing, services
from registry.access import require, visible_grid_areas
from registry.buildings import selectors
from registry.buildings import services as building_services
from registry.buildings.forms import BuildingContactForm, BuildingForm
from registry.calls import tel_link
from registry.models import BuildingContact, SensitiveView
from registry.roles import user_role
from registry.selectors import enterprise_detail


def _manager(request) -> None:
    require(selectors.can_manage_buildings(request.user))


def building_url(building) -> str:
    return reverse("registry:building", args=[building.pk])


@require_GET
def building_list(request):
    require(user_role(request.user) is not None)
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "registry/buildings/list.html",
        {
            "buildings": selectors.building_list(user=request.user, q=q),
            "q": q,
            "can_manage": selectors.can_manage_buildings(request.user),
        },
    )


@require_GET
def building_page(request, pk):
    building = selectors.building_detail(user=request.user, pk=pk)
    can_manage = selectors.can_manage_buildings(request.user)
    return render(
        request,
        "registry/buildings/detail.html",
        {
            "building": building,
            "contacts": selectors.contact_rows(
                contacts=selectors.building_contacts(building=building), user=request.user
            ),
            "enterprises": selectors.building_enterprises(user=request.user, building=building),
            "extensions": listing.column_extensions(),
            "suggestions": selectors.building_suggestions(user=request.user, building=building)
            if can_manage
            else [],
            "can_manage": can_manage,
        },
    )


def _save(request, form, save, *, success_url, title, back):
    """Validate, call the service, put its refusals next to their fields."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except StaleEdit as error:
            form.add_error(None, error.message)
            form.data = form.data.copy()
            form.data["version"] = str(error.version)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url())
    return render(
        request,
        "registry/buildings/edit.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.errors else 200,
    )


def _building_form(request, building=None) -> BuildingForm:
    form = BuildingForm(request.POST or None, instance=building, user=request.user)
    form.fields["grid"].queryset = visible_grid_areas(request.user)
    return form


@require_http_methods(["GET", "POST"])
def building_new(request):
    _manager(request)
    made = {}

    def save(form):
        made["building"] = building_services.building_create(by=request.user, **form.changes())

    return _save(
        request,
        _building_form(request),
        save,
        success_url=lambda: building_url(made["building"]),
        title=_("New building"),
        back=(reverse("registry:buildings"), _("Buildings")),
    )


@require_http_methods(["GET", "POST"])
def building_edit(request, pk):
    _manager(request)
    building = selectors.building_detail(user=request.user, pk=pk)
    return _save(
        request,
        _building_form(request, building),
        lambda form: building_services.building_update(
            building=building,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.changes(),
        ),
        success_url=lambda: building_url(building),
        title=_("Edit building"),
        back=(building_url(building), building.name),
    )


@require_http_methods(["GET", "POST"])
def building_contact_edit(request, pk, contact_pk=None):
    _manager(request)
    building = selectors.building_detail(user=request.user, pk=pk)
    contact = (
        get_object_or_404(BuildingContact, building=building, pk=contact_pk) if contact_pk else None
    )
    form = BuildingContactForm(
        request.POST or None, instance=contact or BuildingContact(), user=request.user
    )
    return _save(
        request,
        form,
        lambda form: building_services.building_contact_save(
            building=building,
            contact=contact,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **form.changes(),
        ),
        success_url=lambda: building_url(building),
        title=_("Edit contact") if contact else _("New contact"),
        back=(building_url(building), building.name),
    )


@require_POST
def building_contact_delete(request, pk, contact_pk):
    _manager(request)
    building = selectors.building_detail(user=request.user, pk=pk)
    contact = BuildingContact.objects.filter(building=building, pk=contact_pk).first()
    # Removing twice (a double tap, two people at once) ends the same way.
    if contact is not None:
        building_services.building_contact_delete(contact=contact, by=request.user)
    messages.success(request, _("The contact has been removed."))
    return redirect(building_url(building))


@require_POST
def building_match(request, pk):
    """Match the building's address against every enterprise again, now."""
    _manager(request)
    building = selectors.building_detail(user=request.user, pk=pk)
    added, _gone = building_services.building_suggestions_refresh(
        now=clock.now(), building=building
    )
    messages.info(request, _("%(count)d new suggestions.") % {"count": added})
    return redirect(building_url(building) + "#h-suggestions")


@require_POST
def building_contact_reveal(request, contact_pk):
    """The logged "show" of a contact's phone, as a number to tap and call (tel:)."""
    contact = get_object_or_404(
        BuildingContact.objects.select_related("building"),
        pk=contact_pk,
        building__in=selectors.visible_buildings(request.user).values("pk"),
    )
    number = services.sensitive_value_reveal(
        instance=contact,
        field="phone",
        by=request.user,
        channel=SensitiveView.Channel.PAGE,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        detail=contact.building.name,
    )
    return HttpResponse(tel_link(number))


def _decide(request, pk, decide, done):
    _manager(request)
    suggestion = selectors.visible_suggestion(user=request.user, pk=pk)
    try:
        decide(suggestion=suggestion, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    if request.POST.get("from") == "enterprise":
        return redirect(reverse("registry:enterprise", args=[suggestion.enterprise.uscc]))
    return redirect(building_url(suggestion.building) + "#h-suggestions")


@require_POST
def suggestion_confirm(request, pk):
    return _decide(
        request,
        pk,
        building_services.building_link_confirm,
        _("The enterprise is linked to the building."),
    )


@require_POST
def suggestion_reject(request, pk):
    return _decide(
        request, pk, building_services.building_link_reject, _("The suggestion is rejected.")
    )


@require_POST
def enterprise_building_remove(request, uscc):
    _manager(request)
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    building_services.building_link_remove(enterprise=enterprise, by=request.user)
    messages.success(request, _("The enterprise is no longer linked to a building."))
    return redirect(reverse("registry:enterprise", args=[enterprise.uscc]))
