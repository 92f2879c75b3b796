"""Pages of the WeCom group robots: the robots (admins), a post, the posts' statuses."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from outreach.messaging import access as messaging_access
from outreach.messaging.models import Campaign
from outreach.messaging.wecom import access, selectors, services
from outreach.messaging.wecom.forms import PostForm, RobotForm
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry.access import require
from registry.ids import parse_id

PAGE_SIZE = 100


@require_GET
def robot_list(request):
    require(access.can_manage_robots(request.user))
    return render(
        request, "outreach/messaging/wecom/robot_list.html", {"robots": selectors.robot_list()}
    )


@require_http_methods(["GET", "POST"])
def robot_edit(request, pk=None):
    require(access.can_manage_robots(request.user))
    robot = get_object_or_404(WeComRobot, pk=pk) if pk is not None else None
    initial = {"name": robot.name, "grid": robot.grid_id, "active": robot.active} if robot else {}
    form = RobotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.robot_save(robot=robot, by=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("messaging:wecom:robots")
    return render(
        request,
        "outreach/messaging/wecom/robot_edit.html",
        {"form": form, "robot": robot},
        status=400 if form.errors else 200,
    )


def _campaign_from(request) -> Campaign | None:
    pk = parse_id(request.GET.get("campaign") or request.POST.get("campaign"))
    if pk is None:
        return None
    require(messaging_access.can_read_campaigns(request.user))
    return get_object_or_404(Campaign, pk=pk)


@require_http_methods(["GET", "POST"])
def post_new(request):
    require(access.can_post(request.user))
    campaign = _campaign_from(request)
    robots = access.postable_robots(request.user).select_related("grid").order_by("name")
    initial = {}
    if campaign is not None:
        initial["content"] = selectors.campaign_group_text(campaign)
    form = PostForm(request.POST or None, request.FILES or None, robots=robots, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["image"]
        image = None
        if upload is not None and form.cleaned_data["msgtype"] == WeComPost.MsgType.IMAGE:
            # One byte past the limit is enough to refuse it; a huge file is not read whole.
            image = upload.read(services.IMAGE_MAX_BYTES + 1)
        try:
            posts = services.post_create(
                robots=list(form.cleaned_data["robots"]),
                msgtype=form.cleaned_data["msgtype"],
                content=form.cleaned_data["content"],
                mention_all=form.cleaned_data["mention_all"],
                image=image,
                image_name=upload.name if upload is not None else "",
                campaign=campaign,
                by=request.user,
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(count)s group posts are on their way.") % {"count": len(posts)},
            )
            if campaign is not None:
                return redirect("messaging:campaign", pk=campaign.pk)
            return redirect("messaging:wecom:posts")
    return render(
        request,
        "outreach/messaging/wecom/post_new.html",
        {
            "form": form,
            "campaign": campaign,
            "refused": selectors.refused_robots(request.user),
            "can_manage": access.can_manage_robots(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def post_list(request):
    require(access.can_read_posts(request.user))
    status = request.GET.get("status", "")
    page = Paginator(selectors.post_list(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outreach/messaging/wecom/post_list.html",
        {
            "page": page,
            "status": status,
            "statuses": WeComPost.Status.choices,
            "can_post": access.can_post(request.user),
            "can_manage": access.can_manage_robots(request.user),
            "refused": selectors.refused_robots(request.user),
        },
    )


@require_GET
def campaign_posts(request, pk):
    """The campaign page's small section of its group posts (loaded by htmx)."""
    require(messaging_access.can_read_campaigns(request.user))
    campaign = get_object_or_404(Campaign, pk=pk)
    posts = selectors.post_list(user=request.user, campaign=campaign)[:50]
    return render(
        request,
        "outreach/messaging/wecom/_campaign_posts.html",
        {"campaign": campaign, "posts": posts, "can_post": access.can_post(request.user)},
    )
