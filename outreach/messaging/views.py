"""Pages of campaigns, message templates and the outbox: thin, over selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from outreach.messaging import (
    access,
    campaign_controls,
    refusals,
    selectors,
    services,
    window,
)
from outreach.messaging.defaults import allowed_placeholders
from outreach.messaging.forms import (
    CampaignCancelForm,
    CampaignConfirmForm,
    CampaignForm,
    TemplateForm,
)
from outreach.messaging.models import Campaign, Channel, MessageTemplate, OutboxMessage
from outreach.messaging.preview import campaign_preview
from outreach.messaging.provider_templates import params_format
from outreach.messaging.rendering import OWN_PLACEHOLDERS, PLACEHOLDERS, placeholders_in
from registry.access import require, visible_grid_areas
from registry.ids import parse_id
from registry.models import Enterprise
from registry.selection import SelectionRefused, selection_filters, selection_read
from registry.selectors import industries

PAGE_SIZE = 100


class _Counted(Paginator):
    """A paginator told its count (a campaign's counters) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def campaign_list(request):
    require(access.can_read_campaigns(request.user))
    status = request.GET.get("status", "")
    page = Paginator(selectors.campaign_list(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outreach/messaging/campaign_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Campaign.Status.choices,
            "awaiting": selectors.campaigns_awaiting_approval(user=request.user),
            "can_create": access.can_create_campaigns(request.user),
            "can_read_outbox": access.can_read_outbox(request.user),
        },
    )


def _filter_menus(request) -> dict:
    return {
        "grids": visible_grid_areas(request.user),
        "industries": industries(user=request.user),
        "tiers": Enterprise.Tier.choices,
        "statuses": Enterprise.Status.choices,
        "sizes": Enterprise.Size.choices,
    }


@require_http_methods(["GET", "POST"])
def campaign_new(request):
    require(access.can_create_campaigns(request.user))
    # The enterprise list's own filters, from the form (POST) or a link from the list (GET);
    # or the enterprises ticked on the list (``e``), carried along by the form.
    data = request.POST if request.method == "POST" else request.GET
    filters = selection_filters(data)
    if filters.ids:
        try:
            selection_read(user=request.user, query=data)
        except SelectionRefused as error:
            return render(request, "403.html", {"reason": error.message}, status=403)
        except ServiceError as error:
            return HttpResponseBadRequest(error.message)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                template=form.cleaned_data["template"],
                filters=filters,
                by=request.user,
                include_deregistered=form.cleaned_data["include_deregistered"],
                materials=list(form.cleaned_data["materials"]),
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Draft saved: nothing is sent yet. Check the preview, send yourself a "
                    "test, then confirm."
                ),
            )
            return redirect("messaging:campaign", pk=campaign.pk)
    return render(
        request,
        "outreach/messaging/campaign_new.html",
        {"form": form, "filters": filters, **_filter_menus(request)},
        status=400 if form.errors else 200,
    )


@require_POST
def campaign_from_selection(request):
    """The enterprise list's "new campaign to these": the new-campaign form, its audience
    the enterprises ticked (their ids ride in the form) or all that match the list's filter
    (the filter rides in the form's own fields)."""
    require(access.can_create_campaigns(request.user))
    try:
        selection = selection_read(user=request.user, query=request.POST)
    except SelectionRefused as error:
        return render(request, "403.html", {"reason": error.message}, status=403)
    except ServiceError as error:
        return HttpResponseBadRequest(error.message)
    return render(
        request,
        "outreach/messaging/campaign_new.html",
        {
            "form": CampaignForm(),
            "filters": selection.filters,
            "selected": selection.count,
            **_filter_menus(request),
        },
    )


@require_GET
def campaign_audience(request):
    """The preview under the new-campaign form: how many enterprises, how many reachable."""
    require(access.can_create_campaigns(request.user))
    template = MessageTemplate.objects.filter(pk=parse_id(request.GET.get("template"))).first()
    channel = template.channel if template else Channel.SMS
    audience = selectors.campaign_audience(
        user=request.user,
        filters=selection_filters(request.GET),
        channel=channel,
        links=template is not None and "link" in placeholders_in(template.body),
    )
    return render(
        request,
        "outreach/messaging/_audience.html",
        {"audience": audience, "channel": Channel(channel).label},
    )


def _campaign_page(request, campaign, *, confirm_form=None, cancel_form=None, status=200):
    """The detail page of a draft or waiting campaign: its preview and what may be done."""
    user = request.user
    sender = user.pk == campaign.created_by_id
    may_create = access.can_create_campaigns(user)
    context = {
        "campaign": campaign,
        "preview": campaign_preview(campaign=campaign),
        "confirm_form": confirm_form or CampaignConfirmForm(),
        "cancel_form": cancel_form or CampaignCancelForm(),
        "urgent": campaign.kind in campaign_controls.URGENT_KINDS,
        "window": window.window_text(),
        "threshold": campaign_controls.approval_threshold(),
        "test_to": (
            selectors.shown_address(
                OutboxMessage(
                    channel=campaign.channel,
                    to=campaign_controls.own_address(user, campaign.channel),
                )
            )
            if may_create
            else ""
        ),
        "test_message": campaign.last_test,
        "can_confirm": sender and campaign.status == Campaign.Status.DRAFT,
        "can_test": may_create and campaign.status == Campaign.Status.DRAFT,
        "can_approve": access.can_approve_campaigns(user)
        and not sender
        and campaign.status == Campaign.Status.AWAITING_APPROVAL,
        "can_cancel": (sender or access.can_approve_campaigns(user)) and may_create,
    }
    return render(request, "outreach/messaging/campaign_draft.html", context, status=status)


def _campaign(pk):
    return get_object_or_404(
        Campaign.objects.select_related("created_by", "approved_by", "template", "last_test"),
        pk=pk,
    )


def _queued(campaign) -> int:
    return OutboxMessage.objects.filter(
        campaign=campaign, status=OutboxMessage.Status.QUEUED
    ).count()


@require_POST
def campaign_test(request, pk):
    require(access.can_create_campaigns(request.user))
    campaign = _campaign(pk)
    try:
        message = campaign_controls.campaign_test_send(campaign=campaign, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Test sent to %(to)s; it is not one of the campaign's messages.")
            % {"to": selectors.shown_address(message)},
        )
    return redirect("messaging:campaign", pk=campaign.pk)


@require_POST
def campaign_confirm(request, pk):
    require(access.can_create_campaigns(request.user))
    campaign = _campaign(pk)
    form = CampaignConfirmForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaign_controls.campaign_confirm(
                campaign=campaign,
                by=request.user,
                send_at=form.cleaned_data["send_at"],
                outside_window=form.cleaned_data["outside_window"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if campaign.status == Campaign.Status.AWAITING_APPROVAL:
                messages.success(
                    request, _("Confirmed: the campaign waits for an admin's approval.")
                )
            else:
                messages.success(
                    request,
                    _("Confirmed: %(count)s messages are on their way.")
                    % {"count": _queued(campaign)},
                )
            return redirect("messaging:campaign", pk=campaign.pk)
    return _campaign_page(request, _campaign(pk), confirm_form=form, status=400)


@require_POST
def campaign_approve(request, pk):
    require(access.can_approve_campaigns(request.user))
    campaign = _campaign(pk)
    try:
        campaign = campaign_controls.campaign_approve(campaign=campaign, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return _campaign_page(request, _campaign(pk), status=400)
    messages.success(
        request,
        _("Approved: %(count)s messages are on their way.") % {"count": _queued(campaign)},
    )
    return redirect("messaging:campaign", pk=campaign.pk)


@require_POST
def campaign_cancel(request, pk):
    require(access.can_create_campaigns(request.user))
    campaign = _campaign(pk)
    form = CampaignCancelForm(request.POST)
    if form.is_valid():
        try:
            campaign_controls.campaign_cancel(
                campaign=campaign, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
            return _campaign_page(request, _campaign(pk), cancel_form=form, status=400)
        messages.success(request, _("Cancelled: nothing of it is sent."))
        return redirect("messaging:campaign", pk=campaign.pk)
    return _campaign_page(request, _campaign(pk), cancel_form=form, status=400)


@require_GET
def campaign_detail(request, pk):
    require(access.can_read_campaigns(request.user))
    campaign = _campaign(pk)
    # Before its rows are written, staff see the preview and what they may do with it.
    pending = campaign.status in (Campaign.Status.DRAFT, Campaign.Status.AWAITING_APPROVAL)
    if pending and not _htmx(request) and access.can_create_campaigns(request.user):
        return _campaign_page(request, campaign)
    status = request.GET.get("status", "")
    progress = selectors.campaign_progress(campaign=campaign, user=request.user)
    recipients = selectors.campaign_recipients(campaign=campaign, user=request.user, status=status)
    # The recipients' count is the progress's (the counters), not a COUNT over the messages.
    known = getattr(progress, status) if status in OutboxMessage.Status.values else progress.total
    page = _Counted(recipients, PAGE_SIZE, count=known).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "can_resume": access.can_edit_templates(request.user),  # admins
        "progress": progress,
        "page": page,
        "rows": [(m, selectors.shown_address(m)) for m in page.object_list],
        "status": status,
        "statuses": OutboxMessage.Status.choices,
    }
    # htmx polls the live part (progress and results) while messages are still going out.
    template = "_campaign_live.html" if _htmx(request) else "campaign_detail.html"
    return render(request, f"outreach/messaging/{template}", context)


@require_GET
def outbox(request):
    require(access.can_read_outbox(request.user))
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    page = Paginator(
        selectors.outbox_list(user=request.user, status=status, channel=channel), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/messaging/outbox.html",
        {
            "page": page,
            "rows": [(m, selectors.shown_address(m)) for m in page.object_list],
            "status": status,
            "channel": channel,
            "statuses": OutboxMessage.Status.choices,
            "channels": Channel.choices,
        },
    )


@require_GET
def template_list(request):
    require(access.can_read_templates(request.user))
    return render(
        request,
        "outreach/messaging/template_list.html",
        {
            "templates": MessageTemplate.objects.select_related("updated_by"),
            "can_edit": access.can_edit_templates(request.user),
            # A real provider refuses these: admins see which still need their code.
            "lacking_code": {t.pk for t in refusals.templates_lacking_code()},
        },
    )


@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    require(access.can_edit_templates(request.user))
    template = get_object_or_404(MessageTemplate, pk=pk)
    form = TemplateForm(
        request.POST or None,
        initial={
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
            "provider_code": template.provider_code,
            "provider_params": params_format(template.provider_params),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(template=template, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("messaging:templates")
    return render(
        request,
        "outreach/messaging/template_edit.html",
        {
            "form": form,
            "template": template,
            "placeholders": {
                name: {**PLACEHOLDERS, **OWN_PLACEHOLDERS}[name]
                for name in allowed_placeholders(template)
            },
            "lacks_code": refusals.template_lacks_code(template),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def campaign_resume(request, pk):
    """An admin resumes a campaign the provider's refusal stopped (outreach.messaging.refusals)."""
    require(access.can_edit_templates(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        refusals.campaign_resume(campaign=campaign, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The campaign goes on: its held messages are queued again."))
    return redirect("messaging:campaign", pk=campaign.pk)


@require_POST
def campaign_cancel_held(request, pk):
    """An admin gives up a stopped campaign: its held messages are not sent."""
    require(access.can_edit_templates(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        refusals.campaign_cancel(campaign=campaign, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The campaign was cancelled: its held messages are not sent."))
    return redirect("messaging:campaign", pk=campaign.pk)
