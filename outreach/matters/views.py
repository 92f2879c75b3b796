"""The first-contact desk's staff pages: 新诉求, the matter list, a matter with its steps and
actions, 我的待办's matters. Thin: parse, call a selector or a service, render.

Scope as everywhere: a matter outside a grid worker's scope is a 404; bad input re-renders
the page with the field named and a 400; someone else acting first is a 409 that says so.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.addresses import client_address
from core.errors import ServiceError
from outreach.matters import services
from outreach.matters.forms import (
    AnswerForm,
    AttachmentsForm,
    FollowUpTaskForm,
    LinkEnterpriseForm,
    MatterIntakeForm,
    ReasonForm,
    RouteForm,
)
from outreach.matters.models import Matter
from outreach.matters.selectors import (
    MatterFilters,
    can_edit_standard_answers,
    can_work_matters,
    category_choices,
    department_choices,
    matter_attachment,
    matter_attachments,
    matter_detail,
    matter_list,
    matter_steps,
    my_open_matters,
)
from outreach.matters.services.feedback import lead_of
from outreach.matters.standard_answer_views import faq_search
from registry import clock
from registry.access import require
from registry.calls import revealed_html
from registry.ids import parse_id
from registry.masking import mask_free_text, masked, may_unmask
from registry.models import SensitiveView
from registry.roles import user_role
from registry.selectors import enterprise_detail
from registry.services import sensitive_value_reveal


def requester_phone_shown(matter: Matter) -> str:
    return masked("matter", "requester_phone", matter.requester_phone)


def _matter(request, pk) -> Matter:
    matter = matter_detail(user=request.user, pk=pk)
    if matter is None:
        raise Http404
    return matter


@require_GET
def matter_list_page(request):
    require(user_role(request.user) is not None)
    state = request.GET.get("state", "open")
    if state not in {"open", "", *Matter.State.values}:
        state = "open"
    filters = MatterFilters(
        state=state,
        category=parse_id(request.GET.get("category", "")),
        department=parse_id(request.GET.get("department", "")),
        owner=request.GET.get("owner", "") if request.GET.get("owner") in ("me", "none") else "",
        enterprise=request.GET.get("enterprise", "").replace("\x00", "")[:30],
        number=request.GET.get("number", "").replace("\x00", "")[:30],
        overdue=request.GET.get("overdue") == "1",
    )
    rows = list(matter_list(user=request.user, filters=filters)[:200])
    return render(
        request,
        "outreach/matters/list.html",
        {
            "rows": rows,
            "filters": filters,
            "states": [("open", _("Not closed")), ("", _("All")), *Matter.State.choices],
            "categories": category_choices(),
            "departments": department_choices(),
            "can_work": can_work_matters(request.user),
            "title": _("Matters"),
        },
    )


@require_GET
def my_matters_page(request):
    require(user_role(request.user) is not None)
    return render(
        request,
        "outreach/matters/mine.html",
        {"rows": my_open_matters(user=request.user), "now": clock.now()},
    )


@require_http_methods(["GET", "POST"])
def matter_new(request):
    require(can_work_matters(request.user))
    faq = faq_search(request)
    initial = {"enterprise": request.GET.get("enterprise", "")[:30]}
    if faq["faq_inserted"] is not None:
        initial |= {"answer": faq["faq_inserted"].text, "disposition": "answered"}
    form = MatterIntakeForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = data["enterprise"]
        liaison = None
        if data["requester_is_liaison"] and enterprise is not None:
            liaison = enterprise.liaisons.filter(ended_on__isnull=True).first()
        try:
            matter = services.matter_intake(
                channel=data["channel"],
                category=data["category"],
                description=data["description"],
                by=request.user,
                enterprise=enterprise,
                liaison=liaison,
                requester_name="" if liaison else data["requester_name"],
                requester_phone="" if liaison else data["requester_phone"],
                requester_email=data["requester_email"],
                urgency=data["urgency"],
                disposition=data["disposition"],
                answer=data["answer"],
                department=data["department"],
                owner=data["owner"],
                attachments=data["attachments"],
                intake_key=data["intake_key"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Matter %(number)s taken in.") % {"number": matter.number})
            return redirect("outreach:matters:detail", pk=matter.pk)
    return render(
        request,
        "outreach/matters/new.html",
        {"form": form, **faq},
        status=400 if form.errors else 200,
    )


def _detail(
    request,
    matter: Matter,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    forms: dict | None = None,
):
    forms = forms or {}
    version = {"version": matter.version}
    faq = faq_search(request, category=matter.category)
    answer_initial = dict(version)
    if faq["faq_inserted"] is not None:
        answer_initial["answer"] = faq["faq_inserted"].text
    context = {
        **faq,
        "attachments": matter_attachments(matter=matter),
        "attachments_form": forms.get("attachments") or AttachmentsForm(),
        "can_edit_standard_answers": can_edit_standard_answers(request.user),
        "matter": matter,
        "steps": [(step, mask_free_text(step.note)) for step in matter_steps(matter=matter)],
        "requester_phone": requester_phone_shown(matter),
        "requester_email": masked("matter", "requester_email", matter.requester_email),
        # Masked for everyone; a logged "show" for those who may see full phones.
        "can_show_phone": bool(matter.requester_phone)
        and may_unmask(request.user, "matter", "requester_phone"),
        "can_show_email": bool(matter.requester_email)
        and may_unmask(request.user, "matter", "requester_email"),
        "description": mask_free_text(matter.description),
        "answer": mask_free_text(matter.answer),
        "can_work": can_work_matters(request.user),
        "may_take": services.may_take(request.user, matter),
        "lead": lead_of(matter),
        "route_form": forms.get("route") or RouteForm(initial=version),
        "reason_form": forms.get("reason") or ReasonForm(initial=version),
        "answer_form": forms.get("answer") or AnswerForm(initial=answer_initial),
        "link_form": forms.get("link") or LinkEnterpriseForm(initial=version, user=request.user),
        "error": error,
        "now": clock.now(),
    }
    return render(request, "outreach/matters/detail.html", context, status=status)


@require_GET
def matter_page(request, pk):
    require(user_role(request.user) is not None)
    return _detail(request, _matter(request, pk))


def _act(request, pk, form_key: str, form, action):
    """Validate ``form``, run ``action(matter, data)``; the detail page again on an error."""
    require(can_work_matters(request.user))
    matter = _matter(request, pk)
    if not form.is_valid():
        return _detail(request, matter, status=400, forms={form_key: form})
    data = form.cleaned_data
    try:
        action(matter, data)
    except services.MatterConflict as conflict:
        messages.error(request, conflict.message)
        return _detail(request, _matter(request, pk), status=409, error=conflict)
    except ServiceError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _detail(request, matter, status=400, forms={form_key: form})
        # The form as sent comes back with the error: an answer refused keeps its text.
        return _detail(request, matter, status=400, error=error, forms={form_key: form})
    return redirect("outreach:matters:detail", pk=matter.pk)


@require_POST
def matter_phone_reveal(request, pk):
    """The requester's phone in full, for whoever may see full phones (a 403 otherwise) and
    the matter (a 404 otherwise); every call is a row of the log of sensitive views."""
    return _reveal(request, pk, "requester_phone")


@require_POST
def matter_email_reveal(request, pk):
    """The requester's e-mail address in full: the same rules and log as the phone."""
    return _reveal(request, pk, "requester_email")


def _reveal(request, pk, field: str):
    matter = _matter(request, pk)
    if not getattr(matter, field):
        raise Http404
    value = sensitive_value_reveal(
        instance=matter,
        field=field,
        by=request.user,
        channel=SensitiveView.Channel.PAGE,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        detail=_("Matter %(number)s") % {"number": matter.number},
    )
    return HttpResponse(revealed_html(matter, field, value))


@require_POST
def matter_route(request, pk):
    def action(matter, data):
        services.matter_route(
            matter=matter,
            by=request.user,
            department=data["department"],
            owner=data["owner"],
            escalate=data["escalate"],
            note=data["reason"],
            version=data["version"],
        )
        messages.success(request, _("Routed."))

    return _act(request, pk, "route", RouteForm(request.POST), action)


@require_POST
def matter_reroute(request, pk):
    def action(matter, data):
        services.matter_reroute(
            matter=matter,
            by=request.user,
            department=data["department"],
            owner=data["owner"],
            reason=data["reason"],
            version=data["version"],
        )
        messages.success(request, _("Re-routed."))

    return _act(request, pk, "route", RouteForm(request.POST), action)


@require_POST
def matter_take(request, pk):
    def action(matter, data):
        services.matter_take(matter=matter, by=request.user, version=data["version"])
        messages.success(request, _("It is yours now."))

    return _act(request, pk, "reason", ReasonForm(request.POST), action)


@require_POST
def matter_return(request, pk):
    def action(matter, data):
        services.matter_return(
            matter=matter, by=request.user, reason=data["reason"], version=data["version"]
        )
        messages.success(request, _("Returned to the desk."))

    return _act(request, pk, "reason", ReasonForm(request.POST), action)


@require_POST
def matter_answer(request, pk):
    def action(matter, data):
        services.matter_answer(
            matter=matter,
            by=request.user,
            answer=data["answer"],
            resolved=data["resolved"],
            next_step=data["next_step"],
            next_step_on=data["next_step_on"],
            version=data["version"],
        )
        messages.success(request, _("Answered; the requester is sent the answer."))

    return _act(request, pk, "answer", AnswerForm(request.POST), action)


@require_POST
def matter_close(request, pk):
    def action(matter, data):
        services.matter_close(
            matter=matter, by=request.user, note=data["reason"], version=data["version"]
        )
        messages.success(request, _("Closed."))

    return _act(request, pk, "reason", ReasonForm(request.POST), action)


@require_POST
def matter_chase(request, pk):
    def action(matter, data):
        services.matter_chase(matter=matter, by=request.user, note=data["reason"])
        messages.success(request, _("Chased; the owner sees it."))

    return _act(request, pk, "reason", ReasonForm(request.POST), action)


@require_POST
def matter_link(request, pk):
    def action(matter, data):
        services.matter_link_enterprise(
            matter=matter, by=request.user, enterprise=data["enterprise"], version=data["version"]
        )
        messages.success(request, _("Linked to the enterprise."))

    return _act(request, pk, "link", LinkEnterpriseForm(request.POST, user=request.user), action)


@require_POST
def matter_attachments_add(request, pk):
    form = AttachmentsForm(request.POST, request.FILES)

    def action(matter, data):
        added = services.matter_attachments_add(
            matter=matter, files=data["attachments"], by=request.user
        )
        messages.success(request, _("%(count)d file(s) attached.") % {"count": len(added)})

    return _act(request, pk, "attachments", form, action)


@require_GET
def matter_attachment_download(request, pk):
    """A matter's file, for whoever may see the matter (else 404): always downloaded, never
    shown in the page (attachment, nosniff), with the type its content was checked to be."""
    require(user_role(request.user) is not None)
    attachment = matter_attachment(user=request.user, pk=pk)
    if attachment is None or not attachment.file:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _follow_up_page(request, *, enterprise, matter, back: str):
    from outreach.services import eligible_assignees

    form = FollowUpTaskForm(request.POST or None, assignees=eligible_assignees(enterprise))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_task_create(
                enterprise=enterprise,
                matter=matter,
                by=request.user,
                assignee=data["assignee"],
                due_on=data["due_on"],
                note=data["note"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Follow-up task created."))
            return redirect(back)
    return render(
        request,
        "outreach/matters/follow_up.html",
        {"form": form, "enterprise": enterprise, "matter": matter, "back": back},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def matter_follow_up(request, pk):
    require(can_work_matters(request.user))
    matter = _matter(request, pk)
    if matter.enterprise is None:
        return _detail(
            request,
            matter,
            status=400,
            error=ServiceError(
                _("Link the matter to its enterprise first: a task belongs to an enterprise."),
                field="enterprise",
            ),
        )
    return _follow_up_page(
        request,
        enterprise=matter.enterprise,
        matter=matter,
        back=reverse("outreach:matters:detail", args=[matter.pk]),
    )


@require_http_methods(["GET", "POST"])
def enterprise_follow_up(request, uscc):
    require(can_work_matters(request.user))
    enterprise = enterprise_detail(user=request.user, uscc=uscc)
    return _follow_up_page(
        request,
        enterprise=enterprise,
        matter=None,
        back=reverse("registry:enterprise", args=[enterprise.uscc]),
    )
