"""The templates a new installation starts with, in Chinese, each ending with the line every
contact ends with. Created after every migrate when missing; an admin's edits are kept."""

from outreach.messaging.models import Channel, MessageTemplate
from outreach.messaging.rendering import LEAVING_LINE

DEFAULT_TEMPLATES = [
    {
        "key": "annual-report-sms",
        "name": "年报提醒（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：{{ enterprise }}的年度报告请于6月30日前通过国家企业信用信息"
            "公示系统报送，逾期将被列入经营异常名录。如需协助请联系园区企业服务中心。"
            + LEAVING_LINE
        ),
    },
    {
        "key": "annual-report-email",
        "name": "年报提醒（邮件）",
        "channel": Channel.EMAIL,
        "subject": "【年报提醒】{{ enterprise }}请于6月30日前报送年度报告",
        "body": (
            "{{ liaison }}您好：\n\n"
            "根据《企业信息公示暂行条例》，{{ enterprise }}应于每年1月1日至6月30日通过国家企业"
            "信用信息公示系统报送上一年度的年度报告。逾期未报送的企业将被列入经营异常名录。\n\n"
            "如在填报中遇到问题，欢迎联系园区企业服务中心，我们将提供一对一指导。\n\n"
            + LEAVING_LINE
            + "\n\n园区企业服务中心"
        ),
    },
    {
        "key": "holiday-greeting-sms",
        "name": "节日问候（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：值此佳节，园区企业服务中心祝您和{{ enterprise }}全体同仁节日"
            "快乐、万事顺意！感谢您一直以来的联络与支持。" + LEAVING_LINE
        ),
    },
    {
        "key": "severe-weather-sms",
        "name": "恶劣天气提示（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：气象部门发布恶劣天气预警，请{{ enterprise }}提前做好人员安全、"
            "防汛防风和设备设施检查，如遇紧急情况请及时联系园区。" + LEAVING_LINE
        ),
    },
    {
        "key": "general-reminder-sms",
        "name": "通用提醒（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：园区企业服务中心提醒{{ enterprise }}关注近期园区通知与政策"
            "信息，如有问题欢迎随时联系我们。" + LEAVING_LINE
        ),
    },
    {
        # Liaison self-service (outreach/selfservice): {{ link }} is the personal link.
        "key": "self-service-link-sms",
        "name": "联络员信息自助核对链接（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：请点击链接核对{{ enterprise }}联络员信息，确认无误或直接修改，"
            "14天内有效：{{ link }} " + LEAVING_LINE + "可在链接中直接填写继任者。"
        ),
    },
    {
        "key": "self-service-link-email",
        "name": "联络员信息自助核对链接（邮件）",
        "channel": Channel.EMAIL,
        "subject": "请核对{{ enterprise }}的联络员信息",
        "body": (
            "{{ liaison }}您好：\n\n"
            "园区企业服务中心请您核对{{ enterprise }}的联络员信息。打开下面的链接，输入发到您"
            "手机上的验证码后，即可确认信息无误、直接修改，或登记紧急联系人。链接14天内有效，"
            "仅限本人使用：\n\n{{ link }}\n\n"
            + LEAVING_LINE
            + "可在链接中直接填写继任者。\n\n园区企业服务中心"
        ),
    },
    {
        # The first-contact desk's answer (outreach/matters): the page behind {{ matter_link }}
        # shows the answer in full and asks the requester to rate it (回访).
        "key": "matter-answer-sms",
        "name": "诉求答复（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：您反映的诉求（编号{{ matter_number }}）{{ matter_outcome }}，"
            "答复详情及满意度评价请见：{{ matter_link }} " + LEAVING_LINE
        ),
    },
    {
        # The same answer by e-mail (a matter that came by e-mail, or a requester with an
        # e-mail address and no mobile): the answer's text in full, then the 回访 link.
        "key": "matter-answer-email",
        "name": "诉求答复（邮件）",
        "channel": Channel.EMAIL,
        "subject": "您反映的诉求（编号{{ matter_number }}）{{ matter_outcome }}",
        "body": (
            "{{ liaison }}您好：\n\n"
            "您反映的诉求（编号{{ matter_number }}）{{ matter_outcome }}。答复如下：\n\n"
            "{{ matter_answer }}\n\n"
            "请打开下面的链接查看答复并评价我们的办理（满意 / 基本满意 / 不满意），"
            "链接仅限本人使用：\n\n{{ matter_link }}\n\n" + LEAVING_LINE + "\n\n园区企业服务中心"
        ),
    },
]


# The portal's own SMS (outreach/selfservice): sent by key with their values. Each may use
# its own placeholders besides the enterprise's and the liaison's names; no campaign may.
CODE_TEMPLATE = "self-service-code-sms"
NEW_MOBILE_CODE_TEMPLATE = "self-service-new-mobile-code-sms"
STAFF_CORRECTION_TEMPLATE = "staff-correction-sms"
MATTER_REMINDER_TEMPLATE = "matter-reminder-sms"
OWN_PLACEHOLDERS = {
    CODE_TEMPLATE: ("enterprise", "liaison", "code", "minutes"),
    NEW_MOBILE_CODE_TEMPLATE: ("enterprise", "liaison", "code", "minutes"),
    STAFF_CORRECTION_TEMPLATE: ("enterprise", "liaison", "fields"),
    # The first-contact desk's answer (outreach/matters).
    "matter-answer-sms": (
        "enterprise",
        "liaison",
        "matter_number",
        "matter_outcome",
        "matter_link",
    ),
    "matter-answer-email": (
        "enterprise",
        "liaison",
        "matter_number",
        "matter_outcome",
        "matter_link",
        "matter_answer",
    ),
    # The desk's reminder to its staff: the matter, never the requester (no name, no number;
    # not even the enterprise's liaison's name can be put in).
    MATTER_REMINDER_TEMPLATE: (
        "matter_number",
        "matter_category",
        "matter_reminder",
        "matter_deadline",
    ),
}
DEFAULT_TEMPLATES += [
    {
        "key": CODE_TEMPLATE,
        "name": "自助核对验证码（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "您的验证码为{{ code }}，{{ minutes }}分钟内有效，用于核对{{ enterprise }}联络员"
            "信息。请勿告知他人。"
        ),
    },
    {
        "key": NEW_MOBILE_CODE_TEMPLATE,
        "name": "新手机号验证码（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "您的验证码为{{ code }}，{{ minutes }}分钟内有效，用于确认您作为{{ enterprise }}"
            "联络员的新手机号码。请勿告知他人。"
        ),
    },
    {
        "key": STAFF_CORRECTION_TEMPLATE,
        "name": "工作人员更正通知（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：园区工作人员已更正您在{{ enterprise }}联络员登记中的"
            "{{ fields }}。如有不符，请联系园区企业服务中心。"
        ),
    },
    {
        # To the staff member who owns a matter (and, past its limit, their lead): sent by
        # the desk's reminders (outreach/matters/services/reminder_notices.py).
        "key": MATTER_REMINDER_TEMPLATE,
        "name": "诉求办理提醒（短信，发工作人员）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "诉求办理提醒：编号{{ matter_number }}（{{ matter_category }}）{{ matter_reminder }}，"
            "时限{{ matter_deadline }}，请登录园区企业联络员门户及时办理。"
        ),
    },
]


# A new liaison's welcome (outreach.selfservice.welcome): the general placeholders, with
# {{ link }} their personal link, behind which the data-use notice waits.
WELCOME_TEMPLATE = "liaison-welcome-sms"
DEFAULT_TEMPLATES += [
    {
        "key": WELCOME_TEMPLATE,
        "name": "新任联络员欢迎（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：欢迎您担任{{ enterprise }}的园区联络员。园区企业服务中心的"
            "通知、政策和走访安排将发给您，有事可随时联系我们。请自变更之日起30日内向登记机关"
            "办理联络员变更备案。请点击链接核对您的信息，并阅读个人信息使用说明，14天内有效："
            "{{ link }} " + LEAVING_LINE
        ),
    },
]

# The yearly recognition's thanks to each confirmed liaison (outreach.recognition.services).
RECOGNITION_THANKS_TEMPLATE = "recognition-thanks-sms"
DEFAULT_TEMPLATES += [
    {
        "key": RECOGNITION_THANKS_TEMPLATE,
        "name": "年度优秀联络员致谢（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：感谢您过去一年认真维护{{ enterprise }}的联络信息，全年零差错。"
            "园区企业服务中心特向您致谢，并为您颁发年度优秀联络员奖状。" + LEAVING_LINE
        ),
    },
]


# An event's invitation campaign and its reminder the day before (outreach/events): the
# event's topic, time and place; the invitation carries each liaison's personal link, which
# opens their invitations (/s/events/) after the code.
EVENT_INVITATION_TEMPLATE = "event-invitation-sms"
EVENT_REMINDER_TEMPLATE = "event-reminder-sms"
OWN_PLACEHOLDERS[EVENT_INVITATION_TEMPLATE] = (
    "enterprise",
    "liaison",
    "link",
    "event_topic",
    "event_time",
    "event_place",
)
OWN_PLACEHOLDERS[EVENT_REMINDER_TEMPLATE] = (
    "enterprise",
    "liaison",
    "event_topic",
    "event_time",
    "event_place",
)
DEFAULT_TEMPLATES += [
    {
        "key": EVENT_INVITATION_TEMPLATE,
        "name": "活动邀请（短信，含个人链接）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：园区企业服务中心邀请您参加“{{ event_topic }}”，时间"
            "{{ event_time }}，地点{{ event_place }}。请点击链接答复参加、不参加或派同事参加，"
            "14天内有效：{{ link }} " + LEAVING_LINE
        ),
    },
    {
        "key": EVENT_REMINDER_TEMPLATE,
        "name": "活动前一日提醒（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：提醒您，“{{ event_topic }}”将于{{ event_time }}在"
            "{{ event_place }}举行，期待您或贵司同事准时参加。"
        ),
    },
]


# Material sent after an event (outreach.materials.services.event_materials_send): the event's
# topic and the links of the materials new to this liaison.
EVENT_MATERIALS_TEMPLATE = "event-materials-sms"
OWN_PLACEHOLDERS[EVENT_MATERIALS_TEMPLATE] = ("enterprise", "liaison", "event_topic", "materials")
DEFAULT_TEMPLATES += [
    {
        "key": EVENT_MATERIALS_TEMPLATE,
        "name": "活动学习资料（短信）",
        "channel": Channel.SMS,
        "subject": "",
        "body": (
            "{{ liaison }}您好：感谢您关注园区“{{ event_topic }}”活动，相关学习资料请点击查看："
            "{{ materials }} " + LEAVING_LINE
        ),
    },
]


def default_template(key: str) -> dict:
    """The default of the template ``key`` (a template an admin deleted falls back to it)."""
    return next(default for default in DEFAULT_TEMPLATES if default["key"] == key)


def allowed_placeholders(template: MessageTemplate) -> tuple[str, ...]:
    """The placeholders a template's text may use: a portal message's own, or the general
    ones (``{{ link }}`` only in the self-service link's templates and campaigns)."""
    from outreach.messaging.rendering import PLACEHOLDERS

    return OWN_PLACEHOLDERS.get(template.key, tuple(PLACEHOLDERS))


def templates_ensure_defaults(**_kwargs) -> None:
    for default in DEFAULT_TEMPLATES:
        MessageTemplate.objects.get_or_create(
            key=default["key"], defaults={k: v for k, v in default.items() if k != "key"}
        )
