"""A details-check campaign sends every liaison their own personal link in bulk: links only
where the code can reach a mobile, older links superseded, each message opening its own
liaison's link and nobody else's, no token stored anywhere but in its message."""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from core.errors import ServiceError
from outreach.messaging.models import Campaign, MessageTemplate, OutboxMessage
from outreach.selfservice.models import SelfServiceLink
from outreach.selfservice.services import (
    LinkSuperseded,
    LinkUnknown,
    selfservice_link_resolve,
    selfservice_link_send,
)
from outreach.selfservice.tokens import token_hash
from registry.selectors import EnterpriseFilters
from tests.factories import EnterpriseFactory, LiaisonFactory
from tests.outreach.messaging.campaigns import campaign_send, confirm_now
from tests.outreach.selfservice.conftest import token_in

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


@pytest.fixture
def park(grid_a, grid_b, staff_user):
    """Grid A: 甲一 (mobile, already holding an open link), 甲二 (mobile and e-mail),
    甲三 (e-mail but no mobile), 甲四 (no liaison). Grid B: 乙一 (mobile)."""
    enterprises = {}
    for name, mobile, email, grid in [
        ("甲一", "13900000001", "", grid_a),
        ("甲二", "13900000002", "jia2@example.com", grid_a),
        ("甲三", "", "jia3@example.com", grid_a),
        ("乙一", "13900000004", "", grid_b),
    ]:
        enterprise = EnterpriseFactory(grid=grid, name=f"{name}公司")
        LiaisonFactory(enterprise=enterprise, name=f"{name}联络员", mobile=mobile, email=email)
        enterprises[name] = enterprise
    enterprises["甲四"] = EnterpriseFactory(grid=grid_a, name="甲四公司")
    enterprises["old_link"] = selfservice_link_send(enterprise=enterprises["甲一"], by=staff_user)
    return enterprises


def _details_check(by, *, key="self-service-link-sms", **filters):
    return campaign_send(
        name="上半年联络员信息核对",
        kind=Campaign.Kind.DETAILS_CHECK,
        template=MessageTemplate.objects.get(key=key),
        filters=EnterpriseFilters(**filters),
        by=by,
    )


def _messages(campaign):
    return {
        m.enterprise.name: m
        for m in OutboxMessage.objects.filter(campaign=campaign).select_related(
            "enterprise", "liaison"
        )
    }


def test_links_go_only_to_liaisons_with_a_mobile(park, staff_user):
    campaign = _details_check(staff_user, grid="A")

    links = SelfServiceLink.objects.filter(campaign=campaign)
    assert {link.enterprise.name for link in links} == {"甲一公司", "甲二公司"}
    assert {link.created_by for link in links} == {staff_user}
    problems = {name: (m.status, m.problem) for name, m in _messages(campaign).items()}
    assert problems == {
        "甲一公司": (Status.QUEUED, ""),
        "甲二公司": (Status.QUEUED, ""),
        "甲三公司": (Status.SKIPPED, "no_mobile"),
        "甲四公司": (Status.SKIPPED, "no_liaison"),
    }
    assert campaign.recipients == 4


def test_the_not_sent_row_says_the_code_needs_a_mobile(park, staff_user):
    campaign = _details_check(staff_user, grid="A")
    skipped = _messages(campaign)["甲三公司"]
    assert "手机" in str(skipped.get_problem_display())
    assert "{{" not in skipped.body  # the placeholder is not left in the text


def test_an_older_open_link_of_the_liaison_stops_working(park, staff_user):
    old = park["old_link"]
    _details_check(staff_user, grid="A")
    with pytest.raises(LinkSuperseded):
        selfservice_link_resolve(old.token)


def test_each_message_opens_its_own_liaisons_link_and_no_other(park, staff_user, client):
    campaign = _details_check(staff_user, grid="A")
    queued = [m for m in _messages(campaign).values() if m.status == Status.QUEUED]
    assert len(queued) == 2
    tokens = set()
    for message in queued:
        assert message.purpose == "self-service-link"
        token = token_in(message)
        assert len(token) == 43  # like secrets.token_urlsafe(32)
        tokens.add(token)
        link = selfservice_link_resolve(token, enterprise=message.enterprise)
        assert (link.liaison, link.campaign) == (message.liaison, campaign)
        assert link.liaison_version == message.liaison.version
        assert link.expires_at > campaign.created_at + datetime.timedelta(days=13)
        other = next(m for m in queued if m.pk != message.pk).enterprise
        with pytest.raises(LinkUnknown):
            selfservice_link_resolve(token, enterprise=other)
        # The landing page opens it (after the hop to /s/): the enterprise's name and the
        # masked mobile.
        page = client.get(reverse("selfservice:landing", args=[token]), follow=True)
        assert page.status_code == 200 and page.redirect_chain[-1][0] == "/s/"
        body = page.content.decode()
        assert message.enterprise.name in body
        assert message.liaison.mobile[-4:] in body and message.liaison.mobile not in body
    assert len(tokens) == 2


def test_no_token_is_stored_anywhere_but_in_its_message(park, staff_user):
    campaign = _details_check(staff_user, grid="A")
    tokens = [
        token_in(m) for m in OutboxMessage.objects.filter(campaign=campaign, status=Status.QUEUED)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for token in tokens:
            found = {}
            for table in tables:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" t WHERE strpos(t::text, %s) > 0', [token]
                )
                if count := cursor.fetchone()[0]:
                    found[table] = count
            assert found == {OutboxMessage._meta.db_table: 1}
            assert SelfServiceLink.objects.filter(token_hash=token_hash(token)).count() == 1


def test_an_email_details_check_needs_both_the_address_and_a_mobile(park, staff_user):
    template = MessageTemplate.objects.get(key="self-service-link-email")
    campaign = _details_check(staff_user, key=template.key, grid="A")
    problems = {name: m.problem for name, m in _messages(campaign).items()}
    assert problems == {
        "甲一公司": "no_address",  # a mobile, but no e-mail address
        "甲二公司": "",
        "甲三公司": "no_mobile",  # e-mail, but the code could not reach anyone
        "甲四公司": "no_liaison",
    }
    (link,) = SelfServiceLink.objects.filter(campaign=campaign)
    sent = _messages(campaign)["甲二公司"]
    assert link.liaison == sent.liaison and sent.to == "jia2@example.com"
    assert link.channel == "email"  # the enterprise page's list says how it went
    assert sent.subject == "请核对甲二公司的联络员信息" and token_in(sent)


def test_a_campaign_without_a_link_creates_no_links(park, staff_user):
    before = SelfServiceLink.objects.count()
    campaign = campaign_send(
        name="问候",
        kind="holiday",
        template=MessageTemplate.objects.get(key="holiday-greeting-sms"),
        filters=EnterpriseFilters(),
        by=staff_user,
    )
    assert SelfServiceLink.objects.count() == before
    assert set(
        OutboxMessage.objects.filter(campaign=campaign).values_list("purpose", flat=True)
    ) == {"campaign"}
    # The link sent by hand is untouched.
    assert selfservice_link_resolve(park["old_link"].token)


def test_a_details_check_needs_a_template_with_the_link(park, staff_user):
    with pytest.raises(ServiceError) as error:
        _details_check(staff_user, key="holiday-greeting-sms")
    assert error.value.field == "template"
    assert not Campaign.objects.exists()


def test_a_link_in_an_email_subject_is_refused(park, staff_user):
    template = MessageTemplate.objects.create(
        key="link-subject", name="x", channel="email", subject="{{ link }}", body="{{ link }}"
    )
    with pytest.raises(ServiceError):
        campaign_send(
            name="x",
            kind="details_check",
            template=template,
            filters=EnterpriseFilters(),
            by=staff_user,
        )
    assert not SelfServiceLink.objects.filter(campaign__isnull=False).exists()


def test_a_failing_campaign_leaves_no_link_and_no_message(park, staff_user):
    # The fault comes from outside, as a database would raise it: a trigger refuses the
    # campaign's last write (its recipients' count and status), made after the messages and
    # the links were written. The test's transaction drops the trigger again.
    table = connection.ops.quote_name(Campaign._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_campaign_count() RETURNS trigger AS $$ BEGIN "
            "IF NEW.recipients IS DISTINCT FROM OLD.recipients THEN "
            "RAISE EXCEPTION 'the count could not be saved'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse_campaign_count BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_campaign_count()"
        )
    links_before = SelfServiceLink.objects.count()
    with pytest.raises(DatabaseError, match="the count could not be saved"):
        _details_check(staff_user, grid="A")
    assert SelfServiceLink.objects.count() == links_before
    assert not OutboxMessage.objects.filter(purpose="self-service-link", campaign__isnull=False)
    assert selfservice_link_resolve(park["old_link"].token)  # not superseded after all


def test_the_enterprise_page_says_which_campaign_sent_the_link(park, staff_user, client):
    campaign = _details_check(staff_user, grid="A")
    client.force_login(staff_user)
    page = client.get(reverse("registry:enterprise", args=[park["甲一"].uscc]))
    sender = page.content.decode().split('data-testid="selfservice-link-sender"')[1][:300]
    assert campaign.name in sender


def test_the_preview_counts_who_gets_a_link(park, staff_user, client):
    client.force_login(staff_user)
    template = MessageTemplate.objects.get(key="self-service-link-sms")
    response = client.get(
        reverse("messaging:campaign_audience"), {"grid": "A", "template": template.pk}
    )
    assert response.context["audience"].links == 2
    assert 'data-testid="audience-links"' in response.content.decode()
    plain = client.get(
        reverse("messaging:campaign_audience"),
        {"grid": "A", "template": MessageTemplate.objects.get(key="holiday-greeting-sms").pk},
    )
    assert 'data-testid="audience-links"' not in plain.content.decode()


def test_staff_create_a_details_check_on_the_new_campaign_page(park, staff_user, client):
    client.force_login(staff_user)
    template = MessageTemplate.objects.get(key="self-service-link-sms")
    page = client.get(reverse("messaging:campaign_new")).content.decode()
    assert "核对联络员信息（个人链接）" in page
    response = client.post(
        reverse("messaging:campaign_new"),
        {"name": "核对", "kind": "details_check", "template": template.pk, "grid": "B"},
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert not SelfServiceLink.objects.filter(campaign=campaign).exists()  # a draft
    confirm_now(campaign)
    assert SelfServiceLink.objects.filter(campaign=campaign).count() == 1


def test_the_admin_never_shows_a_campaign_links_text(park, admin_user, staff_user, client):
    campaign = _details_check(staff_user, grid="B")
    message = OutboxMessage.objects.get(campaign=campaign)
    client.force_login(admin_user)
    page = client.get(reverse("admin:outreach_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
    assert token_in(message) not in page.content.decode()


def test_the_token_is_drawn_afresh_for_every_campaign(park, staff_user):
    first = _details_check(staff_user, grid="B")
    second = _details_check(staff_user, grid="B")
    one, two = (OutboxMessage.objects.get(campaign=c) for c in (first, second))
    assert token_in(one) != token_in(two)
    with pytest.raises(LinkSuperseded):
        selfservice_link_resolve(token_in(one))
    assert selfservice_link_resolve(token_in(two)).campaign == second
