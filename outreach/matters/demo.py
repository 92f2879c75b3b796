"""The demo park's first-contact desk: a department with its lead and members, and matters
in every state (from liaisons, from callers not yet identified, one answered by e-mail;
routed, taken, answered, rated, one reopened). Called by ``seed_outreach_demo`` after the
registry's demo."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from outreach.matters import services
from outreach.matters.models import Department, Matter, MatterCategory
from registry import clock
from registry.models import Enterprise

QUESTIONS = [
    ("税务", "咨询研发费用加计扣除的申报口径"),
    ("年度报告", "年报填报时提示社保信息不一致，联系电话 13800138000"),
    ("社会保险", "新员工社保增员办理流程"),
    ("政策咨询", "想了解园区人才公寓的申请条件"),
    ("经营场所", "办公楼空调故障，物业一直未处理"),
    ("投诉", "对窗口办事效率有意见"),
    ("企业登记", "变更经营范围需要准备哪些材料"),
]


@transaction.atomic
def seed_matters_demo(*, seed: int = 18) -> int:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "staff", "grid1"])}
    staff = users.get("staff")
    if staff is None or Matter.objects.exists():
        return 0
    rng = random.Random(seed)
    office, _created = Department.objects.get_or_create(
        name="企业服务科", defaults={"lead": users.get("admin")}
    )
    office.members.add(*[u for name, u in users.items() if name != "admin"])
    enterprises = list(
        Enterprise.objects.filter(liaisons__ended_on__isnull=True).order_by("pk")[:12]
    )
    categories = {c.name: c for c in MatterCategory.objects.filter(parent=None)}
    made = 0
    today = clock.now()
    for index, enterprise in enumerate(enterprises):
        name, text = QUESTIONS[index % len(QUESTIONS)]
        stage = index % 6
        # A year of the desk: what was answered came in months ago, what is open this week;
        # each step some hours after the one before (the metrics count them on their days).
        days_ago = rng.randint(45, 330) if stage >= 3 else rng.randint(0, 4)
        at = today - datetime.timedelta(days=days_ago, hours=rng.randint(0, 6))

        def later(moment):
            return min(moment + datetime.timedelta(hours=rng.randint(1, 30)), today)

        matter = services.matter_intake(
            channel=rng.choice(["phone", "visit", "wechat"]),
            category=categories[name],
            description=text,
            by=staff,
            enterprise=enterprise,
            liaison=enterprise.current_liaison,
            now=at,
        )
        made += 1
        if stage == 0:
            continue  # received, waiting to be routed
        at = later(at)
        matter = services.matter_route(matter=matter, by=staff, department=office, now=at)
        if stage == 1:
            continue
        at = later(at)
        matter = services.matter_take(matter=matter, by=staff, now=at)
        if stage == 2:
            services.matter_chase(matter=matter, by=users.get("admin") or staff, now=later(at))
            continue
        at = later(at)
        matter = services.matter_answer(
            matter=matter,
            by=staff,
            answer="已电话联系企业并指导办理完毕。",
            resolved=True,
            now=at,
        )
        if stage == 3:
            continue
        satisfaction = "dissatisfied" if stage == 5 else "satisfied"
        at = later(at)
        matter = services.matter_rate(matter=matter, satisfaction=satisfaction, now=at)
        if stage == 4:
            services.matter_close(matter=matter, by=staff, now=later(at))
    # A caller not yet identified.
    services.matter_intake(
        channel="phone",
        category=categories["其他"],
        description="来电咨询园区入驻流程，未留企业名称",
        by=staff,
        requester_name="陈女士",
        requester_phone="13566667777",
    )
    # One by e-mail, answered by e-mail before anyone knew the enterprise (the outbox files
    # it under none; the address is masked like the phone).
    by_email = services.matter_intake(
        channel="email",
        category=categories["政策咨询"],
        description="来信咨询人才公寓申请条件，未写企业名称",
        by=staff,
        requester_name="周先生",
        requester_email="zhou.xiansheng@example.com",
    )
    owner = users.get("grid1") or staff
    by_email = services.matter_route(matter=by_email, by=staff, owner=owner)
    by_email = services.matter_take(matter=by_email, by=owner)
    services.matter_answer(
        matter=by_email, by=owner, answer="申请条件及材料清单见答复页面。", resolved=True
    )
    return made + 2
