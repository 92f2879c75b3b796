"""The masking walk (issue 14, PIPL art. 51): on a seeded park, log in as each role, walk every
page and API response the role can reach — the access table's routes, then every link found
in them (enterprise pages, campaigns, the outbox, tasks, the timeline, exports, the Django
admin for admins) — and fail on any full phone or ID number of the park.

The rule is the enterprise page's: a protected value is shown masked to everyone; one who
holds the permission sees it in full only by asking ("show", one logged view) or in an
export, which is logged. So a page or API response never carries a full value, for any role;
an export carries one only for a role holding its permission, and only with a log row.

Then every "show" button the walk met (the enterprise page's, the outreach panel's successor
mobile, the matter page's requester phone…) is pressed: each answers the full value of a
protected field, to a role holding its permission, and writes exactly one log row.
"""

import csv
import html
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from monitoring.signals.models import EnterpriseSignal
from outreach.matters.models import Matter
from outreach.messaging.models import Channel, OutboxMessage
from outreach.selfservice.models import SelfServiceLink
from registry import masking
from registry.demo import seed_demo
from registry.models import (
    BuildingContact,
    EmergencyContact,
    Enterprise,
    Liaison,
    SensitiveView,
)
from tests.test_access_matrix import TABLE

pytestmark = pytest.mark.django_db

ROLES = ["admin", "staff", "grid1", "grid2", "auditor"]
# How many URLs of one route the walk opens per role (enterprise pages, admin change pages…):
# every kind of page is seen, the walk stays a couple of minutes.
PER_ROUTE = 6
# Never opened by the walk: they log out, switch language, or open a liaison's personal link.
SKIP_ROUTES = {"logout", "set_language", "selfservice:landing", "admin:logout"}
_HREF = re.compile(r"""(?:href|hx-get|action)=["']([^"'#]+)["']""")
_API_REF = re.compile(r'"(https?://testserver)?(/api/[^"?]+(?:\?[^"]*)?)"')
# A "show" button: its POST target and the values it sends (hx-vals, JSON).
_SHOW_BUTTON = re.compile(r'<button[^>]*class="link show"[^>]*>', re.DOTALL)
_HX_POST = re.compile(r'hx-post="([^"]+)"')
_HX_VALS = re.compile(r"hx-vals='([^']+)'")
_REVEALED = re.compile(r'<span class="revealed" data-testid="revealed">([^<]*)</span>')


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _park_secrets() -> dict[str, str]:
    """Every protected value of the seeded park -> the permission that unmasks it: current
    and past liaisons, emergency contacts, enterprises' numbers, successors reported through
    self-service, the numbers the outbox wrote to."""
    secrets: dict[str, str] = {}
    for kind, model in (
        ("liaison", Liaison),
        ("emergencycontact", EmergencyContact),
        ("enterprise", Enterprise),
        ("buildingcontact", BuildingContact),
    ):
        fields = {
            name: permission
            for name, (permission, mask) in masking.PROTECTED[kind].items()
            if mask is not masking.mask_text  # names and text: too short to search for
        }
        for row in model.objects.values(*fields):
            for name, value in row.items():
                if value and masking.masked(kind, name, value) != value:
                    secrets[value] = fields[name]
    for mobile in SelfServiceLink.objects.exclude(successor_mobile="").values_list(
        "successor_mobile", flat=True
    ):
        secrets[mobile] = masking.PHONE
    for number in OutboxMessage.objects.filter(channel=Channel.SMS).values_list("to", flat=True):
        secrets[number] = masking.PHONE
    # The first-contact desk's requesters who are not a liaison (outreach/matters).
    for number in Matter.objects.exclude(requester_phone="").values_list(
        "requester_phone", flat=True
    ):
        secrets[number] = masking.PHONE
    # Reporters of what was seen at an enterprise (monitoring.signals).
    for number in EnterpriseSignal.objects.exclude(source_phone="").values_list(
        "source_phone", flat=True
    ):
        secrets[number] = masking.PHONE
    # Their e-mail addresses, on the matter and where the outbox wrote to them (no liaison).
    for address in Matter.objects.exclude(requester_email="").values_list(
        "requester_email", flat=True
    ):
        secrets[address] = masking.PHONE
    for address in OutboxMessage.objects.filter(
        channel=Channel.EMAIL, liaison=None, campaign=None
    ).values_list("to", flat=True):
        secrets[address] = masking.PHONE
    # A landline may be written without its hyphen.
    for value, permission in list(secrets.items()):
        if "-" in value and len(_digits(value)) >= 10:
            secrets[_digits(value)] = permission
    return secrets


@pytest.fixture
def park(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_demo(enterprises=40, seed=11)
    call_command("seed_outreach_demo", stdout=io.StringIO())
    return _park_secrets()


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            "\t".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "zip" in content_type:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith((".txt", ".csv", ".json"))
            )
    if "csv" in content_type:
        return "\n".join(
            "\t".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))
        )
    if content_type.startswith(("text/", "application/json")):
        return body.decode("utf-8", "replace")
    return ""


def _is_export(response) -> bool:
    content_type = response.get("Content-Type", "")
    return "spreadsheetml" in content_type or "csv" in content_type


def _start_urls() -> list[str]:
    """Every GET route of the access table that takes no argument, and the API's lists."""
    urls = []
    for name, methods in TABLE.items():
        if "GET" not in methods or name in SKIP_ROUTES:
            continue
        try:
            urls.append(reverse(name))
        except Exception:  # needs arguments: reached by following links
            continue
    urls += [
        "/export/?format=csv",
        "/export/?format=xlsx",
        "/api/tasks/?status=all",
        "/api/enterprises/?page_size=10",
        "/admin/",
    ]
    # The matters whose requester left an e-mail address: few, they would be missed once the
    # walk has read its share of matter pages.
    urls += [
        reverse("outreach:matters:detail", args=[pk])
        for pk in Matter.objects.exclude(requester_email="").values_list("pk", flat=True)[:2]
    ]
    return urls


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _links(base: str, text: str) -> list[str]:
    found = []
    for raw in _HREF.findall(text):
        found.append(urljoin(base, raw.replace("&amp;", "&")))
    for _host, path in _API_REF.findall(text):
        found.append(path.replace("\\u0026", "&"))
    # An API enterprise row names its credit code: open its detail and history too.
    if base.startswith("/api/"):
        for uscc in re.findall(r'"uscc":\s*"([0-9A-Z]{18})"', text)[:PER_ROUTE]:
            found += [f"/api/enterprises/{uscc}/", f"/api/enterprises/{uscc}/history/"]
    return found


def _shows(text: str) -> set[tuple[str, str]]:
    """The "show" buttons of a page: (POST target, JSON of the values it sends)."""
    found = set()
    for button in _SHOW_BUTTON.findall(text):
        target = _HX_POST.search(button)
        values = _HX_VALS.search(button)
        if target:
            found.add((target.group(1), values.group(1) if values else "{}"))
    return found


def _walk(client, user, secrets) -> tuple[list[str], int, set[tuple[str, str]]]:
    """Breadth first from the start URLs; returns the leaks found, the pages read and the
    "show" buttons met."""
    client.force_login(user)
    queue = _start_urls()
    seen, per_route, leaks, shows = set(), Counter(), [], set()
    pages = 0
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or url in seen:
            continue
        seen.add(url)
        path = parts.path
        route = _route(path)
        if route is None or route in SKIP_ROUTES or "delete" in route:
            continue
        # Admin's list filters and sorts: one of each list is enough.
        key = route + ("?" if parts.query and route.startswith("admin:") else "")
        if per_route[key] >= PER_ROUTE:
            continue
        per_route[key] += 1
        logged_before = SensitiveView.objects.filter(user=user).count()
        response = client.get(url)
        if response.status_code != 200:
            continue
        pages += 1
        text = _text(response)
        logged = SensitiveView.objects.filter(user=user).count() > logged_before
        for value, permission in secrets.items():
            if value not in text:
                continue
            if _is_export(response) and user.has_perm(permission) and logged:
                continue  # the role may export it, and the export is in the log
            leaks.append(f"{user.username}: {value} on {url}")
        if not _is_export(response):
            queue += [link for link in _links(url, text) if link not in seen]
            shows |= _shows(text)
    return leaks, pages, shows


def _press(client, user, shows, secrets) -> tuple[list[str], Counter]:
    """Press each "show" button met (a few per route): the full value of a protected field
    comes back, to a role that holds its permission, with one row in the log. Returns the
    problems and how many were pressed per route."""
    problems, pressed = [], Counter()
    for target, values in sorted(shows):
        route = _route(urlsplit(target).path)
        if pressed[route] >= PER_ROUTE:
            continue
        pressed[route] += 1
        logged_before = SensitiveView.objects.filter(user=user).count()
        response = client.post(target, json.loads(values))
        shown = _REVEALED.search(response.content.decode())
        logged = SensitiveView.objects.filter(user=user).count() - logged_before
        if response.status_code != 200 or logged != 1 or shown is None:
            problems.append(f"{user.username}: {target} → {response.status_code}, {logged} rows")
            continue
        value = html.unescape(shown.group(1))
        # A number must be one of the park's, shown to a role holding its permission (names
        # and text, not searched for, are checked by the service's own permission).
        if value in secrets and not user.has_perm(secrets[value]):
            problems.append(f"{user.username}: {target} showed a value it may not see")
    return problems, pressed


def test_no_role_sees_a_full_number_on_any_page_api_response_or_export(client, park):
    from django.contrib.auth import get_user_model

    assert len(park) > 100
    assert Matter.objects.count() > 5  # the desk's pages are walked with matters on them
    leaks, pages_read, problems, pressed = [], defaultdict(int), [], defaultdict(Counter)
    for username in ROLES:
        user = get_user_model().objects.get(username=username)
        found, pages, shows = _walk(client, user, park)
        leaks += found
        pages_read[username] = pages
        wrong, pressed[username] = _press(client, user, shows, park)
        problems += wrong
        client.logout()
    # The walk reached deep into the portal for everyone (not just the home page).
    assert all(pages > 40 for pages in pages_read.values()), pages_read
    assert not leaks, f"{len(leaks)} full numbers shown:\n" + "\n".join(sorted(set(leaks))[:80])
    assert not problems, "\n".join(problems)
    # Those who may call people pressed the enterprise page's and the matter page's "show";
    # the auditor, holding no unmasking permission, was offered none.
    # Staff pressed a building contact's "show and call" (grid workers: in buildings that
    # house their enterprises, if the demo put one there).
    assert pressed["staff"]["registry:building_contact_reveal"] > 0, pressed["staff"]
    for username in ("staff", "grid1"):
        assert pressed[username]["registry:reveal"] > 0, pressed[username]
        assert pressed[username]["outreach:matters:reveal_phone"] > 0, pressed[username]
        assert pressed[username]["outreach:matters:reveal_email"] > 0, pressed[username]
    assert not pressed["auditor"], pressed["auditor"]
