"""Group robot posts against the WeCom stand-in, in this process: what is sent, the robot's
20 messages a minute, and what each of WeCom's answers leads to."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from core.errors import ServiceError
from outreach.messaging.wecom import services
from outreach.messaging.wecom.models import WeComPost, WeComRobot
from registry import clock
from tests.concurrency import at_once
from tests.outreach.messaging.wecom_fixtures import JPEG, KEY_A, PNG

pytestmark = pytest.mark.django_db
Status = WeComPost.Status
NOW = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)  # 10:00 in the park


def _drain() -> int:
    return services.post_drain(max_seconds=30)


def _post(robot, by, text="各位联络员：2025年度年报请于6月30日前报送。", **extra):
    return services.post_create(robots=[robot], msgtype="text", content=text, by=by, **extra)


def test_a_text_post_reaches_the_group_with_everyone_mentioned(wecom, robot_a, staff_user):
    [post] = _post(robot_a, staff_user, mention_all=True)
    assert post.status == Status.QUEUED

    assert _drain() == 1

    [request] = wecom.accepted(KEY_A)
    assert request.body == {
        "msgtype": "text",
        "text": {
            "content": "各位联络员：2025年度年报请于6月30日前报送。",
            "mentioned_list": ["@all"],
        },
    }
    post.refresh_from_db()
    assert (post.status, post.attempts, post.errcode) == (Status.SENT, 1, 0)
    assert post.sent_at is not None


def test_a_markdown_notice_and_an_image_reach_the_group(wecom, robot_a, staff_user):
    services.post_create(
        robots=[robot_a], msgtype="markdown", content="# 年报提醒\n> 6月30日截止", by=staff_user
    )
    services.post_create(
        robots=[robot_a], msgtype="image", image=PNG, image_name="一图看懂.png", by=staff_user
    )
    assert _drain() == 2
    image, markdown = sorted(wecom.accepted(KEY_A), key=lambda r: r.body["msgtype"])
    assert image.body["msgtype"] == "image" and image.image == PNG  # base64 and MD5 checked
    assert markdown.body == {
        "msgtype": "markdown",
        "markdown": {"content": "# 年报提醒\n> 6月30日截止"},
    }
    assert set(WeComPost.objects.values_list("status", flat=True)) == {Status.SENT}


def test_one_post_per_chosen_group(wecom, robot_a, robot_b, staff_user):
    posts = services.post_create(
        robots=[robot_a, robot_b], msgtype="text", content="台风预警：请注意安全。", by=staff_user
    )
    assert len(posts) == 2
    _drain()
    assert {r.key for r in wecom.accepted()} == {robot_a.key, robot_b.key}


def test_the_21st_post_in_a_minute_waits_for_the_minute(wecom, robot_a, staff_user):
    with time_machine.travel(NOW, tick=False):
        for i in range(21):
            _post(robot_a, staff_user, text=f"第{i + 1}条通知")
        _drain()
        assert len(wecom.accepted(KEY_A)) == 20
        assert not wecom.answered(45009), "the portal keeps under the robot's limit itself"
        [waiting] = WeComPost.objects.filter(status=Status.QUEUED)
        assert waiting.content == "第21条通知"
        assert waiting.next_attempt_at == NOW + datetime.timedelta(seconds=60)
        assert waiting.attempts == 0
        assert _drain() == 0  # nothing due before the minute

    wecom.forget_window()  # the stand-in's own minute, which this test's clock does not move
    with time_machine.travel(NOW + datetime.timedelta(seconds=61), tick=False):
        assert _drain() == 1
    waiting.refresh_from_db()
    assert waiting.status == Status.SENT
    assert wecom.accepted(KEY_A)[-1].body["text"]["content"] == "第21条通知"


def test_the_minute_counts_the_robots_posts_not_the_workers(wecom, robot_a, staff_user):
    """Posts sent by an earlier drain count: the limit lives in the rows."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(15):
            _post(robot_a, staff_user)
        _drain()
    with time_machine.travel(NOW + datetime.timedelta(seconds=30), tick=False):
        for _ in range(10):
            _post(robot_a, staff_user)
        _drain()
        assert WeComPost.objects.filter(status=Status.SENT).count() == 20
        assert set(
            WeComPost.objects.filter(status=Status.QUEUED).values_list("next_attempt_at", flat=True)
        ) == {NOW + datetime.timedelta(seconds=60)}


def test_a_frequency_refusal_waits_a_minute_without_using_up_an_attempt(wecom, robot_a, staff_user):
    wecom.preload(KEY_A, 20)  # someone posted 20 messages through the robot by hand
    with time_machine.travel(NOW, tick=False):
        [post] = _post(robot_a, staff_user)
        _drain()
    post.refresh_from_db()
    assert (post.status, post.attempts, post.errcode) == (Status.QUEUED, 0, 45009)
    assert post.next_attempt_at == NOW + datetime.timedelta(seconds=60)


def test_a_refused_key_flags_the_robot_tells_the_admins_and_holds_its_posts(
    wecom, grid_a, staff_user, admin_user
):
    admin_user.email = "alice@park.example"
    admin_user.save()
    robot = WeComRobot.objects.create(
        name="旧群", grid=grid_a, key="0000dead-beef-0000-0000-000000000000"
    )
    with time_machine.travel(NOW, tick=False):
        first, second = (_post(robot, staff_user)[0], _post(robot, staff_user)[0])
        with TestCase.captureOnCommitCallbacks(execute=True):
            _drain()
    robot.refresh_from_db()
    assert robot.key_refused_at == NOW and "93000" in robot.key_refused_detail
    assert len(wecom.answered(93000)) == 1, "one refusal is enough: the others wait"
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.status, second.status} == {Status.QUEUED}
    assert first.attempts == second.attempts == 0
    [notice] = mail.outbox
    assert notice.to == ["alice@park.example"] and "旧群" in notice.subject

    # An admin enters the robot's current key: the waiting posts go out (a minute later, on
    # the test's own clock: the date runs start from moments before NOW too).
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        services.robot_save(robot=robot, name=robot.name, grid=grid_a, key=KEY_A, by=admin_user)
        robot.refresh_from_db()
        assert robot.key_refused_at is None and robot.key == KEY_A
        assert _drain() == 2
    assert len(wecom.accepted(KEY_A)) == 2


def test_a_server_error_is_retried_later_with_backoff(wecom, robot_a, staff_user, settings):
    wecom.fail_next(1, status=502)
    with time_machine.travel(NOW, tick=False):
        [post] = _post(robot_a, staff_user)
        _drain()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (Status.QUEUED, 1)
    assert post.next_attempt_at == NOW + datetime.timedelta(
        seconds=settings.OUTBOX_RETRY_BASE_SECONDS
    )
    assert "502" in post.error
    with time_machine.travel(post.next_attempt_at, tick=False):
        _drain()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (Status.SENT, 2)


def test_a_timeout_is_temporary(wecom, robot_a, staff_user, settings):
    settings.WECOM_TIMEOUT_SECONDS = 1
    wecom.answer_after(2)
    [post] = _post(robot_a, staff_user)
    _drain()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (Status.QUEUED, 1)
    assert post.error


def test_repeated_temporary_failures_give_up(wecom, robot_a, staff_user, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    wecom.fail_next(5, status=503)
    with time_machine.travel(NOW, tick=False):
        [post] = _post(robot_a, staff_user)
        _drain()
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        _drain()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (Status.FAILED, 2)


def test_a_message_wecom_refuses_fails_without_retrying(wecom, robot_a, staff_user):
    [post] = _post(robot_a, staff_user)
    # Someone else's change: an image whose MD5 no longer matches its bytes.
    WeComPost.objects.filter(pk=post.pk).update(msgtype="image", content="", image=b"not an image")
    _drain()
    post.refresh_from_db()
    assert post.status == Status.FAILED and post.errcode == 40058


def test_a_lease_that_ran_out_is_taken_back(wecom, robot_a, staff_user):
    [post] = _post(robot_a, staff_user)
    WeComPost.objects.filter(pk=post.pk).update(
        status=Status.SENDING,
        attempts=1,
        lease_until=clock.now() - datetime.timedelta(seconds=1),
    )
    _drain()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (Status.SENT, 2)


# --- What a post may be ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("msgtype", "content", "message"),
    [
        ("text", "   ", "请填写消息内容"),
        ("text", "您好 {{ liaison }}", "占位符"),
        ("text", "通" * 683, "消息过长"),
        ("markdown", "通" * 1366, "消息过长"),
    ],
)
def test_a_post_is_refused_with_a_clear_reason(robot_a, staff_user, msgtype, content, message):
    with pytest.raises(ServiceError) as refused:
        services.post_create(robots=[robot_a], msgtype=msgtype, content=content, by=staff_user)
    assert message in str(refused.value.message)
    assert not WeComPost.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "图片文件是空的"),
        (b"GIF89a" + b"\x00" * 20, "不是 JPG 或 PNG"),
        (b"%PDF-1.7 not an image", "不是 JPG 或 PNG"),
        (JPEG + b"\x00" * (2 * 1024 * 1024), "超过 2 MB"),
    ],
)
def test_an_image_is_checked_by_its_content_and_size(robot_a, staff_user, data, message):
    with pytest.raises(ServiceError) as refused:
        services.post_create(
            robots=[robot_a], msgtype="image", image=data, image_name="a.png", by=staff_user
        )
    assert message in str(refused.value.message)


def test_a_grid_worker_posts_to_their_own_grids_group_only(robot_a, robot_b, worker_a):
    assert _post(robot_a, worker_a)
    with pytest.raises(ServiceError):
        _post(robot_b, worker_a)


def test_auditors_post_nothing(robot_a, auditor):
    with pytest.raises(ServiceError):
        _post(robot_a, auditor)


def test_a_switched_off_robot_fails_its_waiting_posts(robot_a, staff_user, admin_user):
    [post] = _post(robot_a, staff_user)
    services.robot_save(
        robot=robot_a, name=robot_a.name, grid=robot_a.grid, key="", active=False, by=admin_user
    )
    post.refresh_from_db()
    assert post.status == Status.FAILED
    robot_a.refresh_from_db()
    assert robot_a.key == KEY_A, "a blank key keeps the stored one"


def test_the_whole_webhook_address_may_be_pasted_as_the_key(grid_a, admin_user):
    robot = services.robot_save(
        name="园区总群",
        grid=None,
        key=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY_A}",
        by=admin_user,
    )
    assert robot.key == KEY_A
    with pytest.raises(ServiceError):
        services.robot_save(name="另一个群", grid=None, key="not a key!", by=admin_user)


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_once_take_no_more_than_the_robots_minute(grid_a, staff_user):
    robot = WeComRobot.objects.create(name="甲网格联络员群", grid=grid_a, key=KEY_A)
    for _ in range(30):
        _post(robot, staff_user)

    results, errors = at_once(lambda: len(services.post_claim(limit=10)), times=4)

    assert not errors
    assert sum(results) == 20
    assert WeComPost.objects.filter(status=Status.SENDING).count() == 20
    assert (
        WeComPost.objects.filter(status=Status.QUEUED, next_attempt_at__gt=clock.now()).count()
        == 10
    )
