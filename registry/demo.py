"""A realistic demo park: grid areas, users in every role, enterprises with Chinese names,
valid codes and phones, liaisons (some replaced, so the history has changes to show).
Higher apps add their parts (contact history, lights) as demo steps (register_demo_step),
run by seed_demo in the order their AppConfig.ready states."""

import datetime
import graphlib
import random
from collections.abc import Callable
from dataclasses import dataclass

import pghistory.models
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
# People's names, as a park's staff list reads (the logins stay the README's).
DEMO_USERS = [
    ("admin", Role.ADMIN, "林晓燕"),
    ("staff", Role.STAFF, "刘洋"),
    ("grid1", Role.GRID_WORKER, "王磊"),
    ("grid2", Role.GRID_WORKER, "赵敏"),
    ("auditor", Role.AUDITOR, "孙伟"),
]

# The park's own streets (Hongkou, like its buildings: registry/buildings/demo.py), each grid
# area a few of them, so an enterprise's address and its grid agree and a round of visits is
# a walk down a few streets.
DISTRICT = "上海市虹口区"
GRID_STREETS = {
    "G01": ["临平路", "东大名路", "大连路"],
    "G02": ["海伦路", "四川北路", "宝山路"],
    "G03": ["曲阳路", "中山北一路", "广中路"],
    "G04": ["西江湾路", "欧阳路", "花园路"],
    "G05": ["四平路", "大连西路", "株洲路"],
}
# Trade names (字号) and, per industry, what a company of it calls itself.
TRADE_NAMES = [
    "华信",
    "瑞丰",
    "博远",
    "启明",
    "汇智",
    "恒通",
    "鼎盛",
    "嘉禾",
    "联创",
    "中睿",
    "宏图",
    "致远",
    "青禾",
    "安泰",
    "星辰",
    "云帆",
    "万象",
    "德润",
    "锦程",
    "同舟",
    "明德",
    "睿思",
    "海纳",
    "立信",
    "百川",
    "天行",
    "和光",
    "远景",
    "沪东",
    "北外滩",
    "虹桥",
    "金穗",
    "诚达",
    "凯瑞",
    "新元",
    "科达",
    "宝隆",
    "长风",
    "润禾",
    "卓越",
]
INDUSTRY_WORDS = {
    "软件和信息技术服务业": ["信息科技", "软件技术", "网络科技", "数据服务"],
    "批发和零售业": ["贸易", "商贸", "供应链管理"],
    "制造业": ["精密机械", "电子科技", "新材料"],
    "租赁和商务服务业": ["企业管理咨询", "商务咨询", "人力资源"],
    "科学研究和技术服务业": ["生物科技", "检测技术", "工程技术"],
    "交通运输业": ["物流", "国际货运代理", "运输"],
    "建筑业": ["建筑工程", "装饰工程", "建设工程"],
    "餐饮业": ["餐饮管理", "食品"],
    "医药制造业": ["医药科技", "生物医药"],
    "文化创意产业": ["文化传媒", "文化创意", "广告"],
}

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
    taken = set(Enterprise.objects.values_list("name", flat=True))
    new_enterprises = []
    while len(new_enterprises) < count:
        code = _uscc(rng)
        if code in existing:
            continue
        existing.add(code)
        new_enterprises.append(_enterprise(rng, fake, code=code, grids=grids, taken=taken))
    if new_enterprises and not Enterprise.objects.filter(name=README_EXAMPLE).exists():
        # The README's example search (?q=华信, or huaxin, hx) finds this one.
        example = new_enterprises[0]
        example.name = README_EXAMPLE
    for enterprise in new_enterprises:
        # Bulk inserts skip the services that keep it (registry/pinyin.py).
        enterprise.name_pinyin = name_pinyin(enterprise.name)
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


def _address(fake: Faker, grid: GridArea, *, avoid: str = "") -> str:
    """An address on one of the grid's streets: a number, and often a building and room."""
    streets = GRID_STREETS.get(grid.code) or [s for roads in GRID_STREETS.values() for s in roads]
    while True:
        street = fake.random_element(streets)
        number = fake.random_int(1, 1200)
        place = fake.random_element(["", "building", "room", "room"])
        floor, room = fake.random_int(1, 18), fake.random_int(1, 30)
        where = {
            "": "",
            "building": f"{fake.random_int(1, 9)}幢{floor}层",
            "room": f"{floor}{room:02d}室",
        }[place]
        address = f"{DISTRICT}{street}{number}号{where}"
        if address != avoid:
            return address


def _company_name(fake: Faker, industry: str, taken: set[str]) -> str:
    """上海 + a trade name + what the company does + its form: unique in the demo park, as a
    registration authority keeps names unique in its district."""
    words = INDUSTRY_WORDS.get(industry, ["实业"])
    while True:
        form = "股份有限公司" if fake.random_int(1, 12) == 1 else "有限公司"
        name = f"上海{fake.random_element(TRADE_NAMES)}{fake.random_element(words)}{form}"
        if name not in taken:
            taken.add(name)
            return name


def _enterprise(
    rng: random.Random, fake: Faker, *, code: str, grids: list[GridArea], taken: set[str]
) -> Enterprise:
    # The rng's draws keep their order (the same seed, the same park); names and addresses
    # come from Faker's own generator.
    same_address = rng.random() < 0.8
    grid = rng.choice(grids)
    industry = rng.choice(INDUSTRIES)
    address = _address(fake, grid)
    return Enterprise(
        uscc=code,
        name=_company_name(fake, industry, taken),
        registered_address=address,
        operating_address=address if same_address else _address(fake, grid, avoid=address),
        grid=grid,
        industry=industry,
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
    """A tenth of the enterprises changed liaison during the past year: real replacements
    through the service, each on its own day (drawn from Faker's generator, so the rng's
    draws keep their order), so the history shows an ended period and a new one. Returns
    how many."""
    chosen = rng.sample(created, k=len(created) // 10)
    today = clock.today()
    started = dict(
        Liaison.objects.filter(enterprise__in=chosen, ended_on__isnull=True).values_list(
            "enterprise_id", "started_on"
        )
    )
    first_fill = clock.start_of_day(today - _YEAR - datetime.timedelta(days=30))
    _antedate_first_fill(created, at=first_fill + datetime.timedelta(hours=9, minutes=30))
    for enterprise in chosen:
        latest = today - datetime.timedelta(days=7)
        earliest = min(
            max(started[enterprise.pk] + datetime.timedelta(days=30), today - _YEAR), latest
        )
        span = (latest - earliest).days
        day = earliest + datetime.timedelta(days=fake.random_int(0, span))
        new = services.liaison_replace(
            enterprise=enterprise,
            by=by,
            door=Door.STAFF,
            started_on=day,
            name=fake.name(),
            position=rng.choice(POSITIONS),
            mobile=_mobile(rng),
        )
        moment = clock.start_of_day(day) + datetime.timedelta(hours=fake.random_int(9, 16))
        _antedate_replacement(enterprise, new, at=moment)
    return len(chosen)


# --- A year of history ------------------------------------------------------------------
# The demo is written in one transaction, so every history event would carry the same
# instant and the timeline would show the whole park appearing, and every liaison changing,
# the minute `make run` started. The demo alone moves its own events back to when they
# would have happened: the registry's first fill a year and a month ago, each replacement
# on its day. Nothing else ever rewrites history.


def _antedate_first_fill(created: list[Enterprise], *, at: datetime.datetime) -> None:
    ids = [enterprise.pk for enterprise in created]
    EnterpriseEvent = Enterprise.pgh_event_model
    EnterpriseEvent.objects.filter(pgh_obj_id__in=ids, pgh_label="insert").update(pgh_created_at=at)
    EmergencyContact.pgh_event_model.objects.filter(
        enterprise_id__in=ids, pgh_label="insert"
    ).update(pgh_created_at=at)
    # A liaison who started after the first fill was recorded the day they started.
    events = list(Liaison.pgh_event_model.objects.filter(enterprise_id__in=ids, pgh_label="insert"))
    for event in events:
        event.pgh_created_at = max(
            at, clock.start_of_day(event.started_on) + datetime.timedelta(hours=10)
        )
    Liaison.pgh_event_model.objects.bulk_update(events, ["pgh_created_at"], batch_size=1000)


def _antedate_replacement(enterprise: Enterprise, new: Liaison, *, at: datetime.datetime) -> None:
    events = Liaison.pgh_event_model.objects.filter(enterprise=enterprise).filter(
        Q(pgh_obj=new) | Q(pgh_label="update", ended_on=new.started_on)
    )
    contexts = set(events.values_list("pgh_context_id", flat=True)) - {None}
    events.update(pgh_created_at=at)
    for context in pghistory.models.Context.objects.filter(pk__in=contexts):
        context.metadata = {**context.metadata, "at": at.isoformat()}
        context.save(update_fields=["metadata"])


_YEAR = datetime.timedelta(days=365)
