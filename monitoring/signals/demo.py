"""A few reports from outside in the demo park, through ``signal_record`` as every door:
a property company reporting an office emptied, a courier's returned mail, a neighbour."""

import datetime
import random

from monitoring.signals.models import SignalKind
from monitoring.signals.services import signal_record
from registry import clock
from registry.models import Enterprise

REPORTS = [
    ("office_empty", "浦江物业管理有限公司", "王经理", "13611112222", "办公室已清空。"),
    ("mail_returned", "中国邮政EMS", "", "", "查无此单位,原件退回。"),
    ("signboard_removed", "", "隔壁公司前台", "", "门口招牌上周已拆。"),
    ("power_cut", "浦江物业管理有限公司", "王经理", "13611112222", "欠费停电两周。"),
]


def seed_signals_demo(*, rng: random.Random, users: dict) -> None:
    now = clock.now()
    kinds = {kind.code: kind for kind in SignalKind.objects.all()}
    enterprises = list(
        Enterprise.objects.exclude(status=Enterprise.Status.DEREGISTERED).order_by("pk")[:40]
    )
    if not enterprises:
        return
    for n, (code, organisation, name, phone, note) in enumerate(REPORTS):
        if code not in kinds:  # set aside by an admin (or flushed by a test)
            continue
        signal_record(
            enterprise=rng.choice(enterprises),
            kind=kinds[code],
            observed_at=(now - datetime.timedelta(days=2 + 3 * n, hours=n)).replace(
                second=0, microsecond=0
            ),
            by=users.get("staff"),
            source_name=name,
            source_organisation=organisation,
            source_phone=phone,
            note=note,
            channel="demo",
            now=now,
        )
