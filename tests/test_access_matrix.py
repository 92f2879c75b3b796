"""Every route (pages and API) × every role (and anonymous) × every method against a written
table of what is allowed. A route that is not in the table fails the test: a new page or
endpoint must be given its rules before it can ship.

"allowed" means the request reached the view's work (2xx, a redirect that is not to the
login page, or a 400 for the empty form or body we send); everything else (login redirect,
401, 403, 404, 405) is "denied". A method a route does not list is denied to everyone.
"""

import datetime
import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from outreach.messaging.models import MessageTemplate
from outreach.messaging.services import campaign_create
from registry import clock
from registry.models import EmergencyContact
from registry.selectors import EnterpriseFilters

pytestmark = pytest.mark.django_db

ANON, ADMIN, STAFF, GRID_A, GRID_B, AUDITOR = (
    "anonymous",
    "admin",
    "staff",
    "grid_a",
    "grid_b",
    "auditor",
)
EVERYONE = {ANON, ADMIN, STAFF, GRID_A, GRID_B, AUDITOR}
USERS = EVERYONE - {ANON}
READERS_OF_A = {ADMIN, STAFF, GRID_A, AUDITOR}  # who may see enterprise A (grid A)
EDITORS_OF_A = {ADMIN, STAFF, GRID_A}
NOBODY: set[str] = set()

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# route name -> {method: roles allowed}; a method not listed is allowed to nobody.
TABLE: dict[str, dict[str, set[str]]] = {
    "home": {"GET": USERS, "POST": NOBODY},
    "healthz": {"GET": EVERYONE, "POST": NOBODY},
    "login": {"GET": EVERYONE, "POST": EVERYONE},
    "logout": {"GET": NOBODY, "POST": USERS},
    "set_language": {"GET": EVERYONE, "POST": EVERYONE},
    "registry:enterprises": {"GET": USERS, "POST": NOBODY},
    "registry:enterprise": {"GET": READERS_OF_A, "POST": NOBODY},
    "registry:enterprise_edit": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "registry:liaison_edit": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "registry:liaison_replace": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "registry:emergency_contact_edit": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "registry:annual_report_set": {"GET": NOBODY, "POST": EDITORS_OF_A},
    # Revealing a liaison's mobile: those who may see A and hold view_full_phone.
    "registry:reveal": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A}},
    "registry:grid_areas": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:grid_area_new": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:grid_area_edit": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:users": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:user_new": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:user_edit": {"GET": {ADMIN}, "POST": {ADMIN}},
    # A one-time password for someone else's account: the park admin's, from the user page.
    "registry:user_password_reset": {"GET": NOBODY, "POST": {ADMIN}},
    # Lifting an account's login lock (accounts.lockout): the admin's, from the user page.
    "registry:user_unlock": {"GET": NOBODY, "POST": {ADMIN}},
    # Everyone changes their own password; the second factor's pages exist only for admins
    # while ADMIN_TOTP_REQUIRED is on (off here: tests/accounts covers them on).
    "accounts:password_change": {"GET": USERS, "POST": USERS},
    "accounts:otp_verify": {"GET": NOBODY, "POST": NOBODY},
    "accounts:otp_setup": {"GET": NOBODY, "POST": NOBODY},
    # The log of sensitive views: auditors read it (and export it), as park admins do.
    "registry:sensitive_views": {"GET": {ADMIN, AUDITOR}, "POST": NOBODY},
    "registry:sensitive_views_export": {"GET": {ADMIN, AUDITOR}, "POST": NOBODY},
    # The security log (等保 7.1.4.3): admins and auditors read and export it; nobody writes.
    "registry:security_log": {"GET": {ADMIN, AUDITOR}, "POST": NOBODY},
    "registry:security_log_export": {"GET": {ADMIN, AUDITOR}, "POST": NOBODY},
    # The registry spreadsheets: imports are the park admin's; every role may export what it
    # sees (grid workers their grids, protected values masked without the permission).
    "registry:imports": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:import_template": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:import_run": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:import_confirm": {"GET": NOBODY, "POST": {ADMIN}},
    "registry:import_cancel": {"GET": NOBODY, "POST": {ADMIN}},
    "registry:import_invalid_rows": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:import_enterprises": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:export": {"GET": USERS, "POST": NOBODY},
    # The enterprise list's selection exported (issue 21): every role, its scope, masked.
    "registry:export_selection": {"GET": NOBODY, "POST": USERS},
    # The holiday years (the park's working-day calendar): park admins only, like the grid
    # areas and users; everyone else hears of a missing year on the dashboard.
    "registry:holidays": {"GET": {ADMIN}, "POST": NOBODY},
    "registry:holiday_new": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:holiday_import": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:holiday_year": {"GET": {ADMIN}, "POST": {ADMIN}},
    "registry:holiday_year_delete": {"GET": {ADMIN}, "POST": {ADMIN}},
    # The API: any role reads what it may see (grid B gets 404 for A's enterprise); admins,
    # staff and A's grid worker write; registering an enterprise is office work.
    "api:schema": {"GET": USERS},
    "api:docs": {"GET": USERS},
    "api:token": {"POST": EVERYONE},
    "api:enterprises": {"GET": USERS, "POST": {ADMIN, STAFF}},
    "api:enterprise": {"GET": READERS_OF_A, "PATCH": EDITORS_OF_A},
    "api:enterprise_history": {"GET": READERS_OF_A},
    "api:liaison": {"PATCH": EDITORS_OF_A},
    "api:liaison_replace": {"POST": EDITORS_OF_A},
    "api:emergency_contact": {"PUT": EDITORS_OF_A, "PATCH": EDITORS_OF_A},
    "api:annual_report": {"PUT": EDITORS_OF_A},
    # Auditors hold neither unmasking permission; the body names the field (so {} is a 400).
    "api:reveal": {"POST": EDITORS_OF_A},
    "api:liaisons": {"GET": USERS},
    "api:grid_areas": {"GET": USERS},
    # Outreach: everyone with a role reads tasks in their scope; admins, staff and the
    # enterprise's grid worker log contacts and close tasks; reassigning is office work.
    "outreach:tasks": {"GET": USERS, "POST": NOBODY},
    "outreach:task_attempt": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "outreach:task_close": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "outreach:task_reassign": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "outreach:attempt_new": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    # In the field: a worker's own round and its sheet (whoever works tasks); a call's
    # one-tap outcome (who may log a contact with A); a visit's photo (who may see A and
    # full phones: not auditors).
    "outreach:round": {"GET": {ADMIN, STAFF, GRID_A, GRID_B}, "POST": NOBODY},
    "outreach:round_sheet": {"GET": {ADMIN, STAFF, GRID_A, GRID_B}, "POST": NOBODY},
    "outreach:call_outcome": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "outreach:visit_photo": {"GET": EDITORS_OF_A, "POST": NOBODY},
    # The yearly recognition: admins, staff and auditors read the proposal (mobiles masked);
    # admins and staff propose and print the certificates; admins alone confirm.
    "outreach:recognition": {"GET": {ADMIN, STAFF, AUDITOR}, "POST": NOBODY},
    "outreach:recognition_propose": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "outreach:recognition_confirm": {"GET": NOBODY, "POST": {ADMIN}},
    "outreach:recognition_certificates": {"GET": {ADMIN, STAFF}, "POST": NOBODY},
    "outreach:recognition_certificate": {"GET": {ADMIN, STAFF}, "POST": NOBODY},
    # The enterprise is named in the body: an empty body is a 400 for every writer.
    "api:contact_attempts": {"GET": USERS, "POST": {ADMIN, STAFF, GRID_A, GRID_B}},
    "api:tasks": {"GET": USERS},
    # Monitoring: pausing escalation is for whoever works the enterprise; any role reads
    # the changes of light in its scope.
    "monitoring:pause": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "monitoring:resume": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "api:light_changes": {"GET": USERS},
    # The emergency procedure: worked by whoever works the enterprise; its evidence (files,
    # the pack) is read by whoever may see the enterprise.
    "monitoring:procedure_start": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "monitoring:evidence_add": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "monitoring:procedure_advance": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "monitoring:procedure_complete": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "monitoring:evidence_pack": {"GET": READERS_OF_A, "POST": NOBODY},
    "monitoring:evidence_file": {"GET": READERS_OF_A, "POST": NOBODY},
    "api:task": {"GET": READERS_OF_A, "PATCH": {ADMIN, STAFF}},
    "api:task_close": {"POST": EDITORS_OF_A},
    # Campaigns and the outbox (outreach/messaging): admins and staff send; everyone with a
    # role reads campaigns (grid workers only their grids' recipients); auditors read the
    # outbox and templates; only admins edit templates.
    "messaging:campaigns": {"GET": USERS, "POST": NOBODY},
    "messaging:campaign_new": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "messaging:campaign_audience": {"GET": {ADMIN, STAFF}, "POST": NOBODY},
    # The enterprise list's "new campaign to these": the form, pre-filled (issue 21).
    "messaging:campaign_from_selection": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "messaging:campaign": {"GET": USERS, "POST": NOBODY},
    # A campaign the SMS provider's refusal stopped: admins resume or cancel it.
    "messaging:campaign_resume": {"GET": NOBODY, "POST": {ADMIN}},
    "messaging:campaign_cancel_held": {"GET": NOBODY, "POST": {ADMIN}},
    # A draft's test send, confirmation and cancellation: those who create campaigns (the
    # services refuse, with a message, what is not theirs); its approval: admins only.
    "messaging:campaign_test": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "messaging:campaign_confirm": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "messaging:campaign_cancel": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "messaging:campaign_approve": {"GET": NOBODY, "POST": {ADMIN}},
    "messaging:outbox": {"GET": {ADMIN, STAFF, AUDITOR}, "POST": NOBODY},
    "messaging:templates": {"GET": {ADMIN, STAFF, AUDITOR}, "POST": NOBODY},
    "messaging:template_edit": {"GET": {ADMIN}, "POST": {ADMIN}},
    # WeCom group robots (outreach/messaging/wecom): only admins manage robots (their keys are
    # credentials); admins, staff and grid workers post (a grid worker to their grids' groups
    # only); everyone with a role reads the posts in their scope.
    "messaging:wecom:robots": {"GET": {ADMIN}, "POST": NOBODY},
    "messaging:wecom:robot_new": {"GET": {ADMIN}, "POST": {ADMIN}},
    "messaging:wecom:robot_edit": {"GET": {ADMIN}, "POST": {ADMIN}},
    "messaging:wecom:post_new": {
        "GET": {ADMIN, STAFF, GRID_A, GRID_B},
        "POST": {ADMIN, STAFF, GRID_A, GRID_B},
    },
    "messaging:wecom:posts": {"GET": USERS, "POST": NOBODY},
    "messaging:wecom:campaign_posts": {"GET": USERS, "POST": NOBODY},
    # Liaisons' SMS replies (grid workers: their grids' only) and the opted-out numbers.
    "messaging:replies": {"GET": USERS, "POST": NOBODY},
    "messaging:optouts": {"GET": {ADMIN, STAFF, AUDITOR}, "POST": NOBODY},
    "messaging:optout_remove": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    # The SMS providers' pushes: no account, the secret in the address (a wrong one: 404).
    "sms_callbacks:callback": {"GET": NOBODY, "POST": EVERYONE},
    # Liaison self-service: the personal link opens for anyone who holds it (no account), by a
    # GET only (it answers 303 to /s/ with the link in the session); /s/ only for a session
    # holding an opened link, and the form only for one holding a link unlocked by its code
    # (tests/outreach/selfservice), which no role has as such.
    "selfservice:landing": {"GET": EVERYONE, "POST": NOBODY},
    "selfservice:start": {"GET": NOBODY, "POST": NOBODY},
    # Sending or withdrawing it: whoever may log contacts for the enterprise.
    "outreach:selfservice_link_send": {"GET": NOBODY, "POST": EDITORS_OF_A},
    # The desk's bulk actions (issue 21): whoever works tasks, on a selection in their scope
    # (an empty one is the 400 counted as allowed; one outside it is a 403, tests/outreach/
    # test_desk.py); a handover task's one step for those who see its enterprise.
    "outreach:enterprise_links_send": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A, GRID_B}},
    "outreach:tasks_bulk": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A, GRID_B}},
    "outreach:task_handover_confirm": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "outreach:selfservice_link_revoke": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "outreach:selfservice_handover_confirm": {"GET": NOBODY, "POST": EDITORS_OF_A},
    # The successor's mobile a leaving liaison reported, in full (logged): those who may see
    # A and hold view_full_phone, as for the liaison's own.
    "outreach:selfservice_successor_reveal": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A}},
    "selfservice:form": {"GET": NOBODY, "POST": NOBODY},
    # An agent's next enterprise: only within a visit unlocked by its code (no role has one).
    "selfservice:other": {"GET": NOBODY, "POST": NOBODY},
    # The first-contact desk (outreach/matters): every role reads matters in its scope (grid
    # workers their grids' and those routed to them); admins, staff and grid workers take
    # matters in and work them (an empty form is a 400 naming the field).
    "outreach:matters:list": {"GET": USERS, "POST": NOBODY},
    "outreach:matters:mine": {"GET": USERS, "POST": NOBODY},
    "outreach:matters:metrics": {"GET": USERS, "POST": NOBODY},
    # The metrics' export: every role, each in its scope (grid workers: their grids).
    "outreach:matters:metrics_export": {"GET": USERS, "POST": NOBODY},
    "outreach:matters:new": {
        "GET": {ADMIN, STAFF, GRID_A, GRID_B},
        "POST": {ADMIN, STAFF, GRID_A, GRID_B},
    },
    "outreach:matters:detail": {"GET": READERS_OF_A, "POST": NOBODY},
    **{
        f"outreach:matters:{action}": {"GET": NOBODY, "POST": EDITORS_OF_A}
        for action in ("route", "reroute", "take", "return", "answer", "close", "chase", "link")
    },
    # A matter's files: added by whoever works the matter (an empty form is a 400 naming the
    # field), downloaded by whoever may see it (grid B: 404).
    "outreach:matters:attachments_add": {"GET": NOBODY, "POST": EDITORS_OF_A},
    "outreach:matters:attachment": {"GET": READERS_OF_A, "POST": NOBODY},
    # The library of standard answers: every role reads it; staff and admins keep it.
    # Events (outreach/events): every role reads them; staff and admins hold them.
    "outreach:events:list": {"GET": USERS, "POST": NOBODY},
    "outreach:events:new": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "outreach:events:edit": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "outreach:events:invitations": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    # At the door: the QR and its rotation are the event holders'; auditors read who came
    # and export it (mobiles masked); staff and admins match walk-ins.
    "outreach:events:checkin": {"GET": {ADMIN, STAFF}, "POST": NOBODY},
    "outreach:events:checkin_rotate": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "outreach:events:attendance": {"GET": {ADMIN, STAFF, AUDITOR}, "POST": NOBODY},
    "outreach:events:attendance_export": {"GET": {ADMIN, STAFF, AUDITOR}, "POST": NOBODY},
    "outreach:events:attendance_resolve": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    # The check-in page opens for whoever scans the QR of an event held today (no account);
    # an empty POST shows the page again.
    "selfservice:checkin": {"GET": EVERYONE, "POST": EVERYONE},
    # The invitation SMS: a draft campaign of the event's invitees (a POST only).
    "outreach:events:invitation_sms": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    # The material library (outreach/materials): every role reads it; staff and admins keep
    # it and send it after an event; posting one to WeCom groups follows the groups' rule
    # (grid workers post to their own grids' groups: an empty form is their 400). Its public
    # link and file open for anyone holding the link.
    "outreach:materials:list": {"GET": USERS, "POST": NOBODY},
    "outreach:materials:new": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "outreach:materials:edit": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "outreach:materials:publish": {"GET": NOBODY, "POST": {ADMIN, STAFF}},
    "outreach:materials:wecom_post": {
        "GET": {ADMIN, STAFF, GRID_A, GRID_B},
        "POST": {ADMIN, STAFF, GRID_A, GRID_B},
    },
    "outreach:events:materials": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "material:page": {"GET": EVERYONE, "POST": NOBODY},
    "material:file": {"GET": EVERYONE, "POST": NOBODY},
    "outreach:matters:standard_answers": {"GET": USERS, "POST": NOBODY},
    "outreach:matters:standard_answer_new": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    "outreach:matters:standard_answer_edit": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}},
    # The requester's phone in full (logged): those who may see the matter and hold
    # view_full_phone, as for a liaison's mobile (the auditor: 403; grid B: 404).
    "outreach:matters:reveal_phone": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A}},
    "outreach:matters:reveal_email": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A}},
    # Manual follow-up tasks, from a matter or the enterprise page: whoever works it.
    "outreach:matters:follow_up": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "outreach:matters:enterprise_follow_up": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    # The requester's 回访 link: opens for whoever holds it (303 to /r/); /r/ only for a
    # session holding an opened link. "我有问题" only for a session holding an unlocked
    # personal link (tests/outreach/matters).
    "matter_feedback:landing": {"GET": EVERYONE, "POST": NOBODY},
    "matter_feedback:rate": {"GET": NOBODY, "POST": NOBODY},
    "selfservice:ask": {"GET": NOBODY, "POST": NOBODY},
    # The liaison's invitations: only after the code of a personal link (none here: 404).
    "selfservice:events": {"GET": NOBODY, "POST": NOBODY},
    # Other systems hand the desk a matter; the body names it (so {} is a 400).
    "api:matters": {"POST": {ADMIN, STAFF, GRID_A, GRID_B}},
    # Reports from outside (monitoring.signals): whoever works the enterprise, on the page;
    # through the API every role that writes (the body names the enterprise, so {} is a 400).
    "monitoring:signal_new": {"GET": EDITORS_OF_A, "POST": EDITORS_OF_A},
    "monitoring:signal_photo": {"GET": READERS_OF_A, "POST": NOBODY},
    "api:signals": {"POST": {ADMIN, STAFF, GRID_A, GRID_B}},
    # Buildings (registry/buildings): every role reads those in its scope (the building is
    # grid A's); admins and staff keep them and decide the suggested links; a contact's
    # phone in full (logged) for those who may see the building and hold view_full_phone.
    "registry:buildings": {"GET": USERS, "POST": NOBODY},
    "registry:building": {"GET": READERS_OF_A, "POST": NOBODY},
    **{
        f"registry:{name}": {"GET": {ADMIN, STAFF}, "POST": {ADMIN, STAFF}}
        for name in (
            "building_new",
            "building_edit",
            "building_contact_new",
            "building_contact_edit",
        )
    },
    **{
        f"registry:{name}": {"GET": NOBODY, "POST": {ADMIN, STAFF}}
        for name in (
            "building_match",
            "building_contact_delete",
            "building_suggestion_confirm",
            "building_suggestion_reject",
            "enterprise_building_remove",
        )
    },
    "registry:building_contact_reveal": {"GET": NOBODY, "POST": {ADMIN, STAFF, GRID_A}},
    "api:buildings": {"GET": USERS},
    "api:building": {"GET": READERS_OF_A},
    # Files added to a matter of A by whoever works it (an empty body: a 400 naming them).
    "api:matter_attachments": {"POST": EDITORS_OF_A},
}
# The Django admin: its own permission checks, and only park admins are is_staff.
ADMIN_SITE = {"GET": {ADMIN}, "POST": NOBODY}


def _route_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_is_in_the_table():
    missing = {
        name for name in _route_names() if name not in TABLE and not name.startswith("admin:")
    }
    assert not missing, f"routes without access rules: {sorted(missing)}"


@pytest.fixture
def people(admin_user, staff_user, worker_a, worker_b, auditor):
    return {
        ANON: None,
        ADMIN: admin_user,
        STAFF: staff_user,
        GRID_A: worker_a,
        GRID_B: worker_b,
        AUDITOR: auditor,
    }


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SMS_CALLBACK_SECRET = SMS_CALLBACK_SECRET


SMS_CALLBACK_SECRET = "matrix-secret-0123456789abcdef0123456789"


def _procedure_of(enterprise):
    """An open procedure with one piece of evidence (a file) and a pack, made directly."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from monitoring.models import EmergencyProcedure, Evidence

    procedure = EmergencyProcedure.objects.create(enterprise=enterprise, started_at=timezone.now())
    procedure.evidence_pack.save("pack.zip", ContentFile(b"PK"), save=True)
    evidence = Evidence(procedure=procedure, step=1, kind="document", occurred_on="2026-01-05")
    evidence.file.save("receipt.pdf", ContentFile(b"%PDF-"), save=True)
    return procedure, evidence


def _signal_photo_of(enterprise) -> int:
    """A report from outside with a photo, made directly."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from monitoring.models import EnterpriseSignal, SignalKind

    kind, _created = SignalKind.objects.get_or_create(code="matrix", defaults={"name": "测试"})
    signal = EnterpriseSignal(enterprise=enterprise, kind=kind, observed_at=timezone.now())
    signal.photo.save("door.png", ContentFile(b"\x89PNG"), save=True)
    return signal.pk


def _visit_photo_of(enterprise) -> int:
    """A visit with its photo (走访打卡), made directly."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from outreach.models import ContactAttempt, VisitEvidence

    attempt = ContactAttempt.objects.create(
        enterprise=enterprise, channel="visit", outcome="reached", occurred_at=timezone.now()
    )
    evidence = VisitEvidence(attempt=attempt, photo_name="门牌.png", photo_type="image/png")
    evidence.photo.save("door.png", ContentFile(b"\x89PNG"), save=True)
    return attempt.pk


def _task_of(enterprise) -> int:
    from outreach.services import task_open

    return task_open(enterprise=enterprise, kind="routine", source="manual").pk


def _import_run(admin) -> int:
    from django.core.files.base import ContentFile

    from registry.models import ImportRun

    run = ImportRun(created_by=admin, filename="名册.csv")
    content = "统一社会信用代码,企业名称,注册地址,联络员姓名,联络员手机\nx,y,z,w,1\n"
    run.file.save("名册.csv", ContentFile(content.encode()), save=False)
    run.save()
    return run.pk


def _holiday_year(admin) -> int:
    from registry.holidays import HolidayRow, holiday_year_save

    day = HolidayRow(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    return holiday_year_save(year=2027, notice="国办发明电〔2026〕7号", days=[day], by=admin).year


def _matter_of(enterprise, someone):
    """A matter of enterprise A from its liaison, taken in by staff (someone)."""
    from outreach.matters.models import MatterCategory
    from outreach.matters.services import matter_intake

    return matter_intake(
        channel="phone",
        category=MatterCategory.objects.get(name="税务", parent=None),
        description="咨询申报流程",
        by=someone,
        enterprise=enterprise,
        liaison=enterprise.current_liaison,
        requester_email="zhang.wei@example.com",
    )


def _attachment_of(enterprise, someone) -> int:
    from django.core.files.base import ContentFile

    from outreach.matters.models import MatterAttachment

    attachment = MatterAttachment(
        matter=_matter_of(enterprise, someone),
        name="通知.pdf",
        content_type="application/pdf",
        size=5,
        uploaded_at=clock.now(),
    )
    attachment.file.save("notice.pdf", ContentFile(b"%PDF-"), save=True)
    return attachment.pk


def _building_url(name, enterprise, grid, someone) -> str:
    """A building of grid A at enterprise A's address (so A is suggested), with a contact."""
    from registry.buildings import services

    building = services.building_create(
        by=someone, name="甲楼", address=enterprise.registered_address, grid=grid
    )
    contact = services.building_contact_save(
        building=building, by=someone, role="landlord", name="房东", phone="13655556666"
    )
    suggestion = building.suggestions.get()
    args = {
        "registry:buildings": [],
        "registry:building_new": [],
        "registry:building_contact_new": [building.pk],
        "registry:building_contact_edit": [building.pk, contact.pk],
        "registry:building_contact_delete": [building.pk, contact.pk],
        "registry:building_contact_reveal": [contact.pk],
        "registry:building_suggestion_confirm": [suggestion.pk],
        "registry:building_suggestion_reject": [suggestion.pk],
        "registry:enterprise_building_remove": [enterprise.uscc],
        "api:buildings": [],
    }.get(name, [building.pk])
    return reverse(name, args=args)


def _recognised(enterprise, admin) -> list:
    """A confirmed recognition of enterprise A's liaison for 2025: the year, or the year and
    the liaison for one certificate (the recognition routes' arguments)."""
    from outreach.recognition.models import RecognitionEntry, RecognitionYear

    liaison = enterprise.current_liaison
    round_, _ = RecognitionYear.objects.get_or_create(
        year=2025,
        defaults={"proposed_at": clock.now(), "confirmed_at": clock.now(), "confirmed_by": admin},
    )
    RecognitionEntry.objects.get_or_create(
        round=round_, liaison=liaison, enterprise=enterprise, defaults={"confirmed": True}
    )
    return [2025, liaison.pk]


def _material(someone, *, public: bool):
    """A published image in the library: its pk, or (``public``) its link's token."""
    from outreach.materials.models import MaterialTopic
    from outreach.materials.services import material_create
    from tests.outreach.matters.files import image_bytes, upload

    material = material_create(
        title="一图看懂年报",
        topic=MaterialTopic.objects.get_or_create(name="年报")[0],
        kind="image",
        upload=upload("年报.png", image_bytes()),
        by=someone,
    )
    return material.token if public else material.pk


def _url(name, enterprise, grid, someone, admin=None) -> str:
    if name.startswith(("registry:building", "api:building")) or name.endswith("building_remove"):
        return _building_url(name, enterprise, grid, someone)
    if (
        name.startswith(("outreach:materials:", "material:"))
        and name != ("outreach:materials:list")
        and name != "outreach:materials:new"
    ):
        return reverse(name, args=[_material(someone, public=name.startswith("material:"))])
    if name.startswith("outreach:events:") and name not in {
        "outreach:events:list",
        "outreach:events:new",
    }:
        from outreach.events.services import event_create

        event = event_create(
            by=someone, kind="training", topic="年报培训", starts_at=clock.now(), place="报告厅"
        )
        if name == "outreach:events:attendance_resolve":
            from outreach.events.door import walk_in_register

            walk_in = walk_in_register(
                event=event, name="李雷", mobile="13700001111", enterprise_name="某公司"
            )
            return reverse(name, args=[walk_in.pk])
        return reverse(name, args=[event.pk])
    if name == "selfservice:checkin":
        from outreach.events.door import checkin_code_for
        from outreach.events.services import event_create

        event = event_create(
            by=someone, kind="training", topic="年报培训", starts_at=clock.now(), place="报告厅"
        )
        return reverse(name, args=[checkin_code_for(event=event)])
    if name == "outreach:matters:attachment":
        return reverse(name, args=[_attachment_of(enterprise, someone)])
    if name == "outreach:matters:standard_answer_edit":
        from outreach.matters.services import standard_answer_create

        answer = standard_answer_create(title="申报期限", text="每月15日前。", by=someone)
        return reverse(name, args=[answer.pk])
    if name.startswith("outreach:matters:") and name.split(":")[-1] not in {
        "list",
        "mine",
        "metrics",
        "metrics_export",
        "new",
        "enterprise_follow_up",
        "standard_answers",
        "standard_answer_new",
    }:
        return reverse(name, args=[_matter_of(enterprise, someone).pk])
    if name == "api:matter_attachments":
        return reverse(name, args=[_matter_of(enterprise, someone).pk])
    if name == "matter_feedback:landing":
        from outreach.matters.services import matter_route, matter_take

        matter = matter_route(matter=_matter_of(enterprise, someone), by=someone, owner=someone)
        matter = matter_take(matter=matter, by=someone)
        from outreach.matters.services import matter_answer

        matter = matter_answer(matter=matter, by=someone, answer="已答复", resolved=True)
        return reverse(name, args=[matter.feedback_token])
    if name in {
        "outreach:task_attempt",
        "outreach:task_close",
        "outreach:task_reassign",
        "api:task",
        "api:task_close",
    }:
        return reverse(name, args=[_task_of(enterprise)])
    if name == "outreach:task_handover_confirm":
        from outreach.services import task_open

        task = task_open(enterprise=enterprise, kind="handover", source="manual")
        return reverse(name, args=[task.pk])
    if name.startswith("outreach:recognition_") and name != "outreach:recognition_propose":
        args = _recognised(enterprise, admin)
        return reverse(name, args=args if name.endswith("_certificate") else args[:1])
    if name.startswith("registry:import_") and name != "registry:import_template":
        return reverse(name, args=[_import_run(admin)])
    if name in {"registry:holiday_year", "registry:holiday_year_delete"}:
        return reverse(name, args=[_holiday_year(admin)])
    if name == "messaging:wecom:robot_edit":
        from outreach.messaging.wecom.models import WeComRobot

        robot = WeComRobot.objects.create(name="甲网格联络员群", grid=grid, key="a1b2c3d4-0000")
        return reverse(name, args=[robot.pk])
    if name == "messaging:wecom:campaign_posts" or (
        name.startswith("messaging:campaign")
        and name
        not in {
            "messaging:campaigns",
            "messaging:campaign_new",
            "messaging:campaign_audience",
            "messaging:campaign_from_selection",
        }
    ):  # a campaign to every enterprise, by staff (someone)
        campaign = campaign_create(
            name="节日问候",
            kind="holiday",
            template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
            filters=EnterpriseFilters(),
            by=someone,
        )
        return reverse(name, args=[campaign.pk])
    if name == "selfservice:landing":
        from outreach.selfservice.services import selfservice_link_send

        return reverse(name, args=[selfservice_link_send(enterprise=enterprise, by=someone).token])
    if name == "outreach:selfservice_successor_reveal":
        from outreach.selfservice.services import (
            selfservice_leaving_report,
            selfservice_link_send,
        )

        selfservice_leaving_report(
            link=selfservice_link_send(enterprise=enterprise, by=someone),
            notice_version="test",
            last_day=clock.today(),
            successor_name="刘洋",
            successor_mobile="13698765432",
        )
        return reverse(name, args=[enterprise.uscc])
    if name == "sms_callbacks:callback":
        return reverse(name, args=["aliyun", "report", SMS_CALLBACK_SECRET])
    if name == "messaging:optout_remove":
        from outreach.messaging.models import SmsOptOut

        optout, _ = SmsOptOut.objects.get_or_create(
            mobile="13912345678", defaults={"keyword": "TD", "created_at": clock.now()}
        )
        return reverse(name, args=[optout.pk])
    if name == "messaging:template_edit":
        return reverse(name, args=[MessageTemplate.objects.order_by("pk").first().pk])
    if name == "outreach:visit_photo":
        return reverse(name, args=[_visit_photo_of(enterprise)])
    if name == "monitoring:signal_photo":
        return reverse(name, args=[_signal_photo_of(enterprise)])
    if name.startswith("monitoring:") and name.split(":")[1] in {
        "evidence_add",
        "procedure_advance",
        "procedure_complete",
        "evidence_pack",
        "evidence_file",
    }:
        procedure, evidence = _procedure_of(enterprise)
        target = evidence if name == "monitoring:evidence_file" else procedure
        return reverse(name, args=[target.pk])
    args = {
        "api:enterprise": [enterprise.uscc],
        "api:enterprise_history": [enterprise.uscc],
        "api:liaison": [enterprise.uscc],
        "api:liaison_replace": [enterprise.uscc],
        "api:emergency_contact": [enterprise.uscc],
        "api:reveal": [enterprise.uscc],
        "api:annual_report": [enterprise.uscc, 2025],
        "registry:annual_report_set": [enterprise.uscc, 2025],
        "registry:enterprise": [enterprise.uscc],
        "registry:enterprise_edit": [enterprise.uscc],
        "registry:liaison_edit": [enterprise.uscc],
        "registry:liaison_replace": [enterprise.uscc],
        "registry:emergency_contact_edit": [enterprise.uscc],
        "registry:reveal": [enterprise.uscc, "liaison", "mobile"],
        "outreach:attempt_new": [enterprise.uscc],
        "outreach:call_outcome": [enterprise.uscc],
        "monitoring:pause": [enterprise.uscc],
        "monitoring:resume": [enterprise.uscc],
        "monitoring:procedure_start": [enterprise.uscc],
        "monitoring:signal_new": [enterprise.uscc],
        "outreach:selfservice_link_send": [enterprise.uscc],
        "outreach:selfservice_link_revoke": [enterprise.uscc],
        "outreach:selfservice_handover_confirm": [enterprise.uscc],
        "outreach:matters:enterprise_follow_up": [enterprise.uscc],
        "registry:grid_area_edit": [grid.pk],
        "registry:user_edit": [someone.pk],
        "registry:user_unlock": [someone.pk],
        "registry:user_password_reset": [someone.pk],
    }.get(name, [])
    return reverse(name, args=args)


def _allowed(response) -> bool:
    if response.status_code in (301, 302, 303):
        # Sent to a login page to come back later (?next=) is a refusal; logging out, which
        # also ends on the login page, is not.
        location = response["Location"]
        return not ("login/" in location and "next=" in location)
    return response.status_code < 300 or response.status_code == 400


def _request(client, name, method, url, enterprise):
    if name.startswith("api:"):
        # An empty JSON body: a well-formed request that names nothing (a 400 if allowed).
        return client.generic(method, url, json.dumps({}), content_type="application/json")
    data = {"id": enterprise.current_liaison.pk} if name == "registry:reveal" else {}
    if method in ("GET", "POST"):
        return getattr(client, method.lower())(url, data)
    return client.generic(method, url)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_role_gets_exactly_what_the_table_allows(client, people, enterprise_a, grid_a, name):
    EmergencyContact.objects.create(enterprise=enterprise_a, name="王强", phone="13600002222")
    url = _url(name, enterprise_a, grid_a, people[STAFF], people[ADMIN])
    wrong = []
    for role, user in people.items():
        for method in METHODS:
            client.logout()
            if user is not None:
                client.force_login(user)
            response = _request(client, name, method, url, enterprise_a)
            if _allowed(response) != (role in TABLE[name].get(method, NOBODY)):
                wrong.append(f"{method} {url} as {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_django_admin_is_for_park_admins_only(client, people):
    for role, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert _allowed(response) == (role in ADMIN_SITE["GET"]), role
