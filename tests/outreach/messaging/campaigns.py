"""A campaign created and confirmed at once, for the tests of what happens after (delivery,
links, progress): the sending window is opened around the confirmation and nothing waits for
approval, so they hold at any moment of tests/at_date.py. The window and the approval have
their own tests (tests/outreach/messaging/test_campaign_controls.py)."""

from django.test import override_settings

from outreach.messaging import campaign_controls, services

ALWAYS_OPEN = {
    "CAMPAIGN_WINDOW_START": "00:00",
    "CAMPAIGN_WINDOW_END": "24:00",
    "CAMPAIGN_WINDOW_WORKDAYS_ONLY": False,
    "CAMPAIGN_APPROVAL_THRESHOLD": 10**9,
}


def confirm_now(campaign, *, by=None):
    with override_settings(**ALWAYS_OPEN):
        campaign_controls.campaign_confirm(campaign=campaign, by=by or campaign.created_by)
    campaign.refresh_from_db()
    return campaign


def campaign_send(**kwargs):
    """``services.campaign_create(**kwargs)``, confirmed to go out now."""
    return confirm_now(services.campaign_create(**kwargs))
