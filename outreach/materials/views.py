"""Staff's pages of the material library: the list (by topic), a new material, its edit and
(un)publishing, sending materials after an event, posting one to WeCom groups."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from outreach.events.models import Event
from outreach.events.selectors import can_edit_events
from outreach.materials import access, selectors, services
from outreach.materials.forms import MaterialChoiceForm, MaterialForm, MaterialPostForm
from outreach.materials.links import material_url
from outreach.materials.models import Material
from outreach.messaging.wecom import access as wecom_access
from registry import clock
from registry.access import require

PAGE_SIZE = 50


@require_GET
def material_list_page(request):
    require(access.can_read_materials(request.user))
    topic = request.GET.get("topic", "")
    published = request.GET.get("published", "")
    page = Paginator(selectors.material_list(topic=topic, published=published), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outreach/materials/list.html",
        {
            "page": page,
            "topic": topic,
            "published": published,
            "topics": selectors.topics(),
            "can_manage": access.can_manage_materials(request.user),
            "can_post": wecom_access.can_post(request.user),
        },
    )


def _form_page(request, form, *, material=None):
    return render(
        request,
        "outreach/materials/form.html",
        {
            "form": form,
            "material": material,
            "link": material_url(material) if material else "",
            "max_mb": settings.MATERIAL_MAX_MB,
        },
        status=400 if form.errors else 200,
    )


def _service_error(form, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def material_new(request):
    require(access.can_manage_materials(request.user))
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.material_create(
                title=data["title"],
                topic=data["topic"],
                kind=data["kind"],
                upload=data["file"],
                url=data["url"],
                description=data["description"],
                published=data["published"],
                by=request.user,
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(request, _("Material saved."))
            return redirect("outreach:materials:list")
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def material_edit(request, pk):
    require(access.can_manage_materials(request.user))
    material = get_object_or_404(Material.objects.select_related("topic"), pk=pk)
    initial = {
        "title": material.title,
        "topic": material.topic_id,
        "url": material.url,
        "description": material.description,
        "published": material.published,
    }
    form = MaterialForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.material_update(
                material=material,
                title=data["title"],
                topic=data["topic"],
                upload=data["file"],
                url=data["url"],
                description=data["description"],
                published=data["published"],
                by=request.user,
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(request, _("Material saved."))
            return redirect("outreach:materials:list")
    return _form_page(request, form, material=material)


@require_POST
def material_publish(request, pk):
    """Publish or unpublish (``published`` = "1" / "0") from the list."""
    require(access.can_manage_materials(request.user))
    material = get_object_or_404(Material, pk=pk)
    published = request.POST.get("published") == "1"
    services.material_publish_set(material=material, published=published, by=request.user)
    messages.success(
        request,
        _("Published: the link works.")
        if published
        else _("Unpublished: the link shows that the material is no longer available."),
    )
    return redirect("outreach:materials:list")


@require_http_methods(["GET", "POST"])
def event_materials_page(request, pk):
    """An event's materials: what was sent to how many, and send more (after the event)."""
    require(can_edit_events(request.user) and access.can_manage_materials(request.user))
    event = get_object_or_404(Event, pk=pk)
    form = MaterialChoiceForm(request.POST or None, materials=selectors.sendable_materials())
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.event_materials_send(
                event=event,
                materials=list(form.cleaned_data["materials"]),
                answered=form.cleaned_data["audience"] == "answered",
                by=request.user,
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            if not sent.messages:
                messages.info(request, _("Everyone in this audience already has these materials."))
            else:
                messages.success(
                    request,
                    _(
                        "%(messages)d liaisons will get an SMS with the materials new to them "
                        "(%(queued)d with a mobile), from %(when)s."
                    )
                    % {
                        "messages": sent.messages,
                        "queued": sent.queued,
                        "when": formats.date_format(clock.local(sent.send_at), "Y-m-d H:i"),
                    },
                )
            return redirect("outreach:events:materials", pk=event.pk)
    return render(
        request,
        "outreach/materials/event_materials.html",
        {
            "event": event,
            "form": form,
            "sent": selectors.event_material_counts(event_id=event.pk),
            "started": event.starts_at <= clock.now(),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def material_wecom_post(request, pk):
    require(wecom_access.can_post(request.user))
    material = get_object_or_404(Material.objects.select_related("topic"), pk=pk)
    if not material.published:
        raise Http404
    robots = wecom_access.postable_robots(request.user).select_related("grid").order_by("name")
    form = MaterialPostForm(request.POST or None, robots=robots)
    if request.method == "POST" and form.is_valid():
        try:
            posts = services.material_wecom_post(
                material=material,
                robots=list(form.cleaned_data["robots"]),
                as_image=form.cleaned_data["as_image"],
                by=request.user,
            )
        except ServiceError as error:
            _service_error(form, error)
        else:
            messages.success(
                request, _("%(count)s group posts are on their way.") % {"count": len(posts)}
            )
            return redirect("messaging:wecom:posts")
    return render(
        request,
        "outreach/materials/wecom_post.html",
        {
            "material": material,
            "form": form,
            "preview": services.material_markdown(material),
        },
        status=400 if form.errors else 200,
    )
