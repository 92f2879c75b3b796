"""A realistic demo park: grid areas, users in every role, enterprises with Chinese names,
valid codes and phones, liaisons (some replaced, so the history has changes to show).
Higher apps add their parts (contact history, lights) as demo steps (register_demo_step),
run by seed_demo in the order their AppConfig.ready states."""

import datetime
import graphlib
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from faker import Faker
from stdnum.cn import ric, uscc

from registry import annual_reports, clock, services
from registry.models import AnnualReport, Door, EmergencyContact, Enterprise, GridArea, Liaison
from registry.normalize import normalize_mobile, normalize_phone
from registry.pinyin import name_pinyin
from registry.roles import Role, role_group

DEMO_PASSWORD = "demo-pass-2026"

GRIDS = [
    ("G01", "东区第一网格"),
    ("G02", "东区第二网格"),
    ("G03", "西区第一网格"),
    ("G04", "西区第二网格"),
    ("G05", "科创园网格"),
]
# Who works which grids; G05 has no grid worker, so service staff cover it.
GRID_WORKERS = {"grid1": ["G01", "G02"], "grid2": ["G03", "G04"]}
DEMO_USERS = [
    ("admin", Role.ADMIN, "园区管理员"),
    ("staff", Role.STAFF, "服务专员"),
    ("grid1", Role.GRID_WORKER, "网格员甲"),
    ("grid2", Role.GRID_WORKER, "网格员乙"),
    ("auditor", Role.AUDITOR, "审计员"),
]

MOBILE_PREFIXES = ["130", "133", "135", "136", "138", "139", "150", "158", "177", "186", "189"]
INDUSTRIES = [
    "软件和信息技术服务业",
    "批发和零售业",
    "制造业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "交通运输业",
    "建筑业",
    "餐饮业",
    "医药制造业",
    "文化创意产业",
]
POSITIONS = ["办公室主任", "行政专员", "财务经理", "人事主管", "总经理助理", "综合部经理"]
RELATIONS = ["法定代表人配偶", "大股东秘书", "法定代表人亲属", "财务顾问"]
# Region codes of real districts, so codes and ID numbers look like the park's own.
REGIONS = ["310115", "310104", "310112", "320506", "330106", "440305"]
# The enterprise the README's search example finds.
README_EXAMPLE = "上海华信电子科技有限公司"
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class SeedResult:
    users: int
    grids: int
    enterprises: int
    replacements: int


# A higher app's part of the demo park: step(rng=random.Random, users={username: user}).
DemoStep = Callable[..., None]
_STEPS: dict[str, tuple[DemoStep, tuple[str, ...]]] = {}


def register_demo_step(name: str, step: DemoStep, *, after: tuple[str, ...] = ()) -> None:
    """Add a higher app's demo data (outreach's contact history, monitoring's lights) to
    seed_demo without the registry importing it; called from the app's AppConfig.ready.
    ``step`` runs inside seed_demo's transaction, after the registry's part and after the
    steps named in ``after`` (whatever the order of INSTALLED_APPS), with the demo's ``rng``
    and ``users``."""
    _STEPS[name] = (step, after)


def demo_steps() -> list[DemoStep]:
    """The registered steps, each after those it names (ValueError: a step named in
    ``after`` that no app registered)."""
    graph = {name: after for name, (_step, after) in _STEPS.items()}
    order = list(graphlib.TopologicalSorter(graph).static_order())
    missing = [name for name in order if name not in _STEPS]
    if missing:
        raise ValueError(f"demo steps run after steps no app registered: {missing}")
    return [_STEPS[name][0] for name in order]


def _uscc(rng: random.Random) -> str:
    body = "91" + rng.choice(REGIONS) + "".join(rng.choice(ORG_ALPHABET[:10]) for _ in range(8))
    body += rng.choice(ORG_ALPHABET)
    return body + uscc.calc_check_digit(body)


def _valid(make, normalise):
    """Draw until the normaliser accepts: not every random number is a number plan's number,
    and the demo must only hold values the portal itself would let in."""
    while True:
        value = make()
        try:
            return normalise(value)
        except ValidationError:
            continue


def _mobile(rng: random.Random) -> str:
    return _valid(
        lambda: rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8)),
        normalize_mobile,
    )


def _landline(rng: random.Random) -> str:
    return _valid(
        lambda: "021-" + rng.choice("56") + "".join(rng.choice("0123456789") for _ in range(7)),
        normalize_phone,
    )


def _id_number(rng: random.Random) -> str:
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 35))
    body = rng.choice(REGIONS) + born.strftime("%Y%m%d") + f"{rng.randrange(0, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def seed_users() -> dict[str, object]:
    User = get_user_model()
    users = {}
    for username, role, full_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        # set_password runs no validators, deliberately: the demo logins of the README must
        # exist whatever the password policy (demo-pass-2026 meets today's: 14 characters,
        # three kinds), and they are not "created by an admin", so no forced change either.
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([role_group(role)])
        users[username] = user
    return users


@transaction.atomic
def seed_demo(*, enterprises: int, seed: int = 2026) -> SeedResult:
    """The demo park in one transaction: users, grid areas, ``enterprises`` new enterprises
    with their liaisons and emergency contacts, some liaisons replaced, then the higher apps'
    demo steps (register_demo_step). The same ``seed`` draws the same park."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    users = seed_users()
    grids = _seed_grids(users)
    created = _seed_enterprises(rng, fake, grids=list(grids.values()), count=enterprises)
    replacements = _replace_some_liaisons(rng, fake, created, by=users["staff"])
    _seed_annual_reports(rng, created, by=users["staff"])
    for step in demo_steps():
        step(rng=rng, users=users)
    return SeedResult(
        users=len(users), grids=len(grids), enterprises=len(created), replacements=replacements
    )


def _seed_annual_reports(rng: random.Random, created: list[Enterprise], *, by) -> None:
    """Last year's annual report, as a park sees it in autumn: most filed, a few known not
    filed, some not known (企业信息公示暂行条例 art. 8; registry.annual_reports)."""
    now = clock.now()
    year = annual_reports.due_year(clock.today(now))
    reports = []
    for enterprise in created:
        draw = rng.random()
        if draw < 0.9:
            filed = True
        elif draw < 0.95:
            filed = False
        else:
            continue
        reports.append(
            AnnualReport(
                enterprise=enterprise, year=year, filed=filed, updated_by=by, updated_at=now
            )
        )
    AnnualReport.objects.bulk_create(reports, ignore_conflicts=True)


def _seed_grids(users: dict[str, object]) -> dict[str, GridArea]:
    """The demo's grid areas (kept if they exist), with their grid workers."""
    grids = {}
    for code, name in GRIDS:
        grid = GridArea.objects.filter(code=code).first() or services.grid_area_create(
            code=code, name=name, by=None, door=Door.SYSTEM
        )
        grids[code] = grid
    for username, codes in GRID_WORKERS.items():
        for code in codes:
            grids[code].workers.add(users[username])
    return grids


def _seed_enterprises(
    rng: random.Random, fake: Faker, *, grids: list[GridArea], count: int
) -> list[Enterprise]:
    """``count`` enterprises with codes not in the registry yet, each with a current liaison
    and most with an emergency contact; written in bulk by the system door (no user)."""
    existing = set(Enterprise.objects.values_list("uscc", flat=True))
    new_enterprises = []
    while len(new_enterprises) < count:
        code = _uscc(rng)
        if code in existing:
            continue
        existing.add(code)
        new_enterprises.append(_enterprise(rng, fake, code=code, grids=grids))
    if new_enterprises and not Enterprise.objects.filter(name=README_EXAMPLE).exists():
        # The README's example search (?q=华信, or huaxin, hx) finds this one.
        example = new_enterprises[0]
        example.name, example.name_pinyin = README_EXAMPLE, name_pinyin(README_EXAMPLE)
    with services.changes_by(by=None, door=Door.SYSTEM, source="seed_demo"):
        # Bulk inserts: the history triggers record them all the same.
        created = Enterprise.objects.bulk_create(new_enterprises, batch_size=1000)
        liaisons, contacts = [], []
        today = clock.today()
        for enterprise in created:
            liaisons.append(_liaison(rng, fake, enterprise=enterprise, today=today))
            if rng.random() < 0.8:
                contacts.append(
                    EmergencyContact(
                        enterprise=enterprise,
                        name=fake.name(),
                        relation=rng.choice(RELATIONS),
                        phone=_mobile(rng),
                    )
                )
        Liaison.objects.bulk_create(liaisons, batch_size=1000)
        EmergencyContact.objects.bulk_create(contacts, batch_size=1000)
    return created


def _enterprise(rng: random.Random, fake: Faker, *, code: str, grids: list[GridArea]) -> Enterprise:
    # The draws keep their order (the same seed, the same park).
    address = fake.address().rsplit(" ", 1)[0]
    name = fake.company()
    return Enterprise(
        uscc=code,
        name=name,
        name_pinyin=name_pinyin(name),
        registered_address=address,
        operating_address=address if rng.random() < 0.8 else fake.address().rsplit(" ", 1)[0],
        grid=rng.choice(grids),
        industry=rng.choice(INDUSTRIES),
        size=rng.choice(["large", "medium", "small", "small", "micro", "micro"]),
        key_taxpayer=rng.random() < 0.12,
        pre_approval=rng.random() < 0.08,
        registered_phone=_landline(rng),
        annual_report_phone=_landline(rng) if rng.random() < 0.15 else "",
        legal_representative=fake.name(),
        legal_representative_backup_phone=_mobile(rng),
        status=rng.choices([s.value for s in Enterprise.Status], weights=[90, 3, 3, 2, 2])[0],
        beneficial_owner=fake.name() if rng.random() < 0.7 else "",
        tax_residency="中国居民企业" if rng.random() < 0.9 else "",
    )


def _liaison(
    rng: random.Random, fake: Faker, *, enterprise: Enterprise, today: datetime.date
) -> Liaison:
    started = today - datetime.timedelta(days=rng.randrange(30, 1500))
    return Liaison(
        enterprise=enterprise,
        name=fake.name(),
        position=rng.choice(POSITIONS),
        mobile=_mobile(rng),
        landline=_landline(rng) if rng.random() < 0.5 else "",
        email=fake.email() if rng.random() < 0.6 else "",
        wechat=fake.user_name() if rng.random() < 0.5 else "",
        id_number=_id_number(rng) if rng.random() < 0.4 else "",
        started_on=started,
        last_verified_at=clock.now() - datetime.timedelta(days=rng.randrange(1, 400)),
    )


def _replace_some_liaisons(
    rng: random.Random, fake: Faker, created: list[Enterprise], *, by
) -> int:
    """A tenth of the enterprises changed liaison in the past: real replacements through the
    service, so the history shows an ended period and a new one. Returns how many."""
    chosen = rng.sample(created, k=len(created) // 10)
    for enterprise in chosen:
        services.liaison_replace(
            enterprise=enterprise,
            by=by,
            door=Door.STAFF,
            name=fake.name(),
            position=rng.choice(POSITIONS),
            mobile=_mobile(rng),
        )
    return len(chosen)
