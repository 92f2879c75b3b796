"""Every write of the group robots: robots (admins), posts (staff), and their delivery.

Delivery is the outbox's leased delivery (outreach.messaging.leasing): a worker claims due
posts with ``SELECT … FOR UPDATE SKIP LOCKED``, leases them, sends, and marks them with a
conditional UPDATE that holds only while the claim is still its own. A robot takes 20
messages a minute; the claim counts the robot's posts attempted in the last minute *from the
rows* (several workers may run) while holding the robot's row lock, so two workers cannot
both take the 20th place. Posts beyond it are pushed back to when the minute has room again.

The robot API has no idempotency key: a worker killed between the POST and the mark leaves
a post that the sweep sends again once its lease runs out (at least once, never lost).
"""

import datetime
import logging
import re
import time
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Min
from django.utils.translation import gettext as _

from core.errors import ServiceError
from outreach.messaging import leasing, rendering
from outreach.messaging.wecom import access, client
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry import clock
from registry.models import GridArea
from registry.roles import Role, role_group

logger = logging.getLogger(__name__)

Status = WeComPost.Status
MsgType = WeComPost.MsgType

# The robot API's limits (developer.work.weixin.qq.com/document/path/91770).
TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
IMAGE_MAX_BYTES = 2 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
# A key is a UUID; admins often paste the whole webhook address instead.
_KEY = re.compile(r"^[A-Za-z0-9-]{8,100}$")
_KEY_IN_URL = re.compile(r"[?&]key=([^&#\s]+)")


# --- Robots -----------------------------------------------------------------------------


def _clean_key(raw: str) -> str:
    raw = raw.strip()
    found = _KEY_IN_URL.search(raw)
    key = found.group(1) if found else raw
    if not _KEY.match(key):
        raise ServiceError(
            _(
                "This is not a group robot's webhook key: paste the key (like "
                "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa) or the whole webhook address."
            ),
            field="key",
        )
    return key


def robot_save(
    *,
    robot: WeComRobot | None = None,
    name: str,
    grid: GridArea | None,
    key: str,
    active: bool = True,
    by,
) -> WeComRobot:
    """Create a robot, or change one. A blank ``key`` keeps the stored key; a new key clears
    a refusal, and the robot's waiting posts go out. Deactivating a robot fails its waiting
    posts (their group is no longer reached through the portal)."""
    if not access.can_manage_robots(by):
        raise ServiceError(_("Only admins manage group robots."), code="forbidden")
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the group a name."), field="name")
    if robot is None and not key.strip():
        raise ServiceError(_("Enter the robot's webhook key."), field="key")
    clash = WeComRobot.objects.filter(name=name)
    if robot is not None:
        clash = clash.exclude(pk=robot.pk)
    if clash.exists():
        raise ServiceError(_("Another group robot already has this name."), field="name")
    new_key = _clean_key(key) if key.strip() else ""
    now = clock.now()
    with transaction.atomic():
        robot = robot or WeComRobot(created_by=by)
        robot.name = name
        robot.grid = grid
        robot.active = active
        if new_key:
            robot.key = new_key
            robot.key_refused_at = None
            robot.key_refused_detail = ""
        robot.save()
        if not active:
            robot.posts.filter(status=Status.QUEUED).update(
                status=Status.FAILED,
                failed_at=now,
                error=_("The group robot was switched off."),
            )
        elif new_key and robot.posts.filter(status=Status.QUEUED).exists():
            _deliver_after_commit()
    return robot


# --- Posts ------------------------------------------------------------------------------


def image_check(data: bytes) -> None:
    """An image the robot API takes: JPEG or PNG by its content (not its name), ≤ 2 MB."""
    if not data:
        raise ServiceError(_("The image file is empty."), field="image")
    if len(data) > IMAGE_MAX_BYTES:
        raise ServiceError(
            _("The image is larger than 2 MB (WeCom's limit): make it smaller."), field="image"
        )
    if not (data.startswith(_PNG) or data.startswith(_JPEG)):
        raise ServiceError(
            _("This file is not a JPG or PNG image: WeCom groups take only those."),
            field="image",
        )


def _content_check(msgtype: str, content: str) -> str:
    content = content.strip()
    if not content:
        raise ServiceError(_("Write the message."), field="content")
    if rendering.placeholders_in(content):
        raise ServiceError(
            _(
                "A group message goes to everyone in the group: replace the placeholders "
                "({{ … }}) with words for all."
            ),
            field="content",
        )
    limit = TEXT_MAX_BYTES if msgtype == MsgType.TEXT else MARKDOWN_MAX_BYTES
    size = len(content.encode("utf-8"))
    if size > limit:
        raise ServiceError(
            _(
                "The message is too long for a WeCom group: %(size)s bytes, at most %(limit)s "
                "(about %(chars)s Chinese characters)."
            )
            % {"size": size, "limit": limit, "chars": limit // 3},
            field="content",
        )
    return content


def post_create(
    *,
    robots: list[WeComRobot],
    msgtype: str,
    content: str = "",
    mention_all: bool = False,
    image: bytes | None = None,
    image_name: str = "",
    campaign=None,
    by,
) -> list[WeComPost]:
    """One post per chosen robot, queued now; a worker delivers them after the commit."""
    if not robots:
        raise ServiceError(_("Choose at least one group."), field="robots")
    allowed = set(access.postable_robots(by).values_list("pk", flat=True))
    if any(robot.pk not in allowed for robot in robots):
        raise ServiceError(_("You may not post to this group."), field="robots")
    if msgtype not in MsgType.values:
        raise ServiceError(_("Choose what to post: a text, a markdown notice or an image."))
    if msgtype == MsgType.IMAGE:
        image_check(image or b"")
        content, mention_all = "", False
    else:
        content = _content_check(msgtype, content)
        image, image_name = None, ""
    image_md5 = client.payload(msgtype=msgtype, image=image)["image"]["md5"] if image else ""
    now = clock.now()
    with transaction.atomic():
        posts = WeComPost.objects.bulk_create(
            WeComPost(
                robot=robot,
                campaign=campaign,
                msgtype=msgtype,
                content=content,
                mention_all=mention_all and msgtype == MsgType.TEXT,
                image=image,
                image_md5=image_md5,
                image_name=image_name[:200],
                status=Status.QUEUED,
                next_attempt_at=now,
                created_by=by,
            )
            for robot in robots
        )
        _deliver_after_commit()
    return posts


def _deliver_after_commit() -> None:
    from outreach.messaging.tasks import kick_delivery

    transaction.on_commit(kick_delivery, robust=True)


# --- Delivery ---------------------------------------------------------------------------


def _window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WECOM_RATE_WINDOW_SECONDS)


def post_claim(*, limit: int) -> list[WeComPost]:
    """Take up to ``limit`` due posts of usable robots, no robot beyond its rate
    (``leasing.claim``): queued posts whose time has come and sending ones whose sender's
    lease ran out."""
    now = clock.now()
    usable = WeComPost.objects.filter(robot__active=True, robot__key_refused_at__isnull=True)
    claimed = leasing.claim(
        usable.order_by("robot_id", "next_attempt_at", "id"),
        limit=limit,
        now=now,
        columns=("robot_id",),
        ration=lambda candidates: _within_rate(candidates, now=now),
        attempted_at=now,
    )
    return list(claimed.select_related("robot"))


def _within_rate(candidates: list[tuple[int, int]], *, now: datetime.datetime) -> list[int]:
    """The pks of the candidate ``(pk, robot_id)`` posts (by robot) that their robots' minute
    has room for; the others go back in the queue until it has. Runs in the claim's
    transaction."""
    robot_ids = sorted({robot_id for _pk, robot_id in candidates})
    # The robots' rows, locked in one order: the window count below and the claim are one
    # step for each robot, whichever worker gets there.
    list(WeComRobot.objects.filter(pk__in=robot_ids).order_by("pk").select_for_update())
    since = now - _window()
    recent = {
        row["robot_id"]: row
        for row in WeComPost.objects.filter(robot_id__in=robot_ids, attempted_at__gt=since)
        .values("robot_id")
        .annotate(n=Count("pk"), oldest=Min("attempted_at"))
        .order_by()
    }
    take: list[int] = []
    for robot_id, rows in groupby(candidates, key=lambda row: row[1]):
        ids = [pk for pk, _robot_id in rows]
        used = recent.get(robot_id, {"n": 0, "oldest": now})
        room = max(settings.WECOM_RATE_LIMIT - used["n"], 0)
        take += ids[:room]
        if ids[room:]:
            # Back in the queue until the oldest attempt of the minute leaves the window.
            opens = max(used["oldest"] + _window(), now + datetime.timedelta(seconds=1))
            WeComPost.objects.filter(pk__in=ids[room:]).update(
                status=Status.QUEUED, next_attempt_at=opens, lease_until=None
            )
    return take


def _mark(post: WeComPost, **fields) -> int:
    """Record an answer while the claim is still this worker's. The attempt's time becomes the
    answer's: the robot's minute is counted from when WeCom had the message, not from the
    claim, so a batch sent over a few seconds cannot let the next one in early."""
    return leasing.still_mine(post).update(attempted_at=clock.now(), **fields)


def post_deliver(*, post: WeComPost) -> str:
    """Send one claimed post and record what happened; returns the new status.

    ``post.hold_until`` tells the caller until when the robot's other posts should wait
    (None: they need not)."""
    post.hold_until = None
    body = client.payload(
        msgtype=post.msgtype,
        content=post.content,
        mention_all=post.mention_all,
        image=bytes(post.image) if post.image is not None else None,
    )
    try:
        client.send(key=post.robot.key, body=body)
    except client.FrequencyLimited as error:
        # Someone else posted through the robot too: after the minute, without counting
        # the attempt against the post.
        post.hold_until = clock.now() + _window()
        _mark(
            post,
            status=Status.QUEUED,
            next_attempt_at=post.hold_until,
            lease_until=None,
            attempts=F("attempts") - 1,
            errcode=error.errcode,
            error=str(error),
        )
        return Status.QUEUED
    except client.KeyRefused as error:
        post.hold_until = clock.now()  # the robot's flag holds them from now on
        return _key_refused(post, error)
    except client.MessageRefused as error:
        # attempted_at: the answer's time, as in every mark (see _mark).
        leasing.mark_failed(
            post, detail=str(error), errcode=error.errcode, attempted_at=clock.now()
        )
        return Status.FAILED
    except Exception as error:  # temporary by default: a retry costs less than a lost post
        if not isinstance(error, client.TemporaryFailure):
            logger.exception("wecom: unexpected error sending post %s", post.pk)
        return _retry_later(post, error)
    marked = leasing.mark_sent(post, attempted_at=clock.now(), errcode=0, error="")
    if not marked:
        logger.warning("wecom: post %s was reclaimed while being sent", post.pk)
    return Status.SENT


def _retry_later(post: WeComPost, error: Exception) -> str:
    """The outbox's backoff and attempts (``leasing.retry_later``), with WeCom's error code
    and the answer's time (see _mark)."""
    answer = {"errcode": getattr(error, "errcode", None), "attempted_at": clock.now()}
    return leasing.retry_later(
        post, detail=str(error) or error.__class__.__name__, again=answer, gave_up=answer
    )


def _key_refused(post: WeComPost, error: client.WeComError) -> str:
    """The key is wrong or the robot was removed from its group: the robot is flagged, its
    posts wait (this one too, its attempt not counted) and the admins are told. A new key
    from an admin sends them."""
    now = clock.now()
    with transaction.atomic():
        _mark(
            post,
            status=Status.QUEUED,
            next_attempt_at=now,
            lease_until=None,
            attempts=F("attempts") - 1,
            errcode=error.errcode,
            error=str(error),
        )
        flagged = WeComRobot.objects.filter(pk=post.robot_id, key_refused_at__isnull=True).update(
            key_refused_at=now, key_refused_detail=str(error)[:300]
        )
        if flagged:
            robot = WeComRobot.objects.get(pk=post.robot_id)
            transaction.on_commit(lambda: _tell_admins(robot), robust=True)
    return Status.QUEUED


def _tell_admins(robot: WeComRobot) -> None:
    admins = role_group(Role.ADMIN).user_set.filter(is_active=True).exclude(email="")
    addresses = sorted(admins.values_list("email", flat=True))
    if not addresses:
        return
    send_mail(
        subject=_("WeCom group robot “%(name)s”: its key was refused") % {"name": robot.name},
        message=_(
            "WeCom refused the webhook key of the group robot “%(name)s” (%(detail)s). Its "
            "posts wait until an admin enters the robot's current key in the portal "
            "(Campaigns › WeCom groups)."
        )
        % {"name": robot.name, "detail": robot.key_refused_detail},
        from_email=None,
        recipient_list=addresses,
    )


def post_drain(*, max_seconds: float) -> int:
    """Claim and send due posts, batch after batch, for at most ``max_seconds``."""
    deadline = time.monotonic() + max_seconds
    handled = 0
    while time.monotonic() < deadline:
        batch = post_claim(limit=settings.OUTBOX_BATCH_SIZE)
        # An empty claim may only have pushed back one robot's excess: others may be due.
        if not batch and not post_has_due():
            break
        held: dict[int, datetime.datetime] = {}
        for post in batch:
            if post.robot_id in held:
                # WeCom just refused this robot (its minute is full, or its key): the rest of
                # the batch waits with it instead of collecting the same refusal.
                _release(post, at=held[post.robot_id])
                continue
            post_deliver(post=post)
            if post.hold_until is not None:
                held[post.robot_id] = post.hold_until
        handled += len(batch)
    return handled


def _release(post: WeComPost, *, at: datetime.datetime) -> None:
    """Give a claimed post back unsent, its attempt not counted."""
    leasing.still_mine(post).update(
        status=Status.QUEUED,
        next_attempt_at=at,
        lease_until=None,
        attempted_at=None,
        attempts=F("attempts") - 1,
    )


def post_has_due() -> bool:
    return WeComPost.objects.filter(
        leasing.due(clock.now()), robot__active=True, robot__key_refused_at__isnull=True
    ).exists()
