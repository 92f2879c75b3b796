"""What outreach adds to the portal when it starts, one wiring call per concern, in the order
ready() lists them. Nothing registers itself by being imported: every kind, panel, signal
receiver, retention step and demo step is connected here (or in matters_ready, called last).

Where the order shows: the task-kind menu lists outreach's kinds, then self-service's
(monitoring's come after, from MonitoringConfig.ready); the enterprise page shows
outreach's panel before the desk's (and monitoring's after both).
"""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from outreach.events.apps import events_ready
from outreach.materials.apps import materials_ready
from outreach.matters.apps import matters_ready
from outreach.recognition.apps import recognition_ready


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        _register_task_kinds()
        _mask_the_successors_mobile()
        _add_to_the_enterprise_page()
        _add_to_the_enterprise_list()
        _offer_call_outcomes()
        _give_admins_the_policy()
        _register_demo_step()
        _load_messaging_tasks()
        _connect_receivers()
        _register_retention_steps()
        _ensure_default_templates(self)
        # The first-contact desk (outreach/matters): its own wiring, after outreach's.
        matters_ready(self)
        # The yearly recognition (outreach/recognition).
        recognition_ready()
        # Trainings, meetings and salons (outreach/events), after the desk.
        events_ready(self)
        # The material library (outreach/materials), after the events.
        materials_ready()


def _register_task_kinds() -> None:
    """The kinds of 待办 outreach opens: its own (the manual follow-up the desk makes too),
    self-service's (menu order)."""
    from outreach import kinds
    from outreach.selfservice import kinds as selfservice_kinds

    kinds.register_own_kinds()
    selfservice_kinds.register()


def _mask_the_successors_mobile() -> None:
    # The successor a leaving liaison names: masked like a liaison's mobile, shown whole
    # only by the enterprise panel's logged "show".
    from registry.masking import PHONE, register_protected
    from registry.normalize import mask_phone

    register_protected("selfservicelink", "successor_mobile", PHONE, mask_phone)


def _add_to_the_enterprise_page() -> None:
    """Contact attempts and liaisons' SMS replies on the timeline; the outreach panel."""
    from outreach.enterprise_page import attempts_on_timeline, outreach_panel
    from outreach.messaging.inbound.timeline import replies_on_timeline
    from registry.panels import register_panel
    from registry.timeline import register_source

    register_source(attempts_on_timeline)
    register_source(replies_on_timeline)
    register_panel(outreach_panel)


def _add_to_the_enterprise_list() -> None:
    """The list's selection bar: personal links to the chosen liaisons, and a new campaign
    whose audience is the selection."""
    from outreach.messaging.access import can_create_campaigns
    from outreach.selectors import can_work_tasks
    from registry.listing import BulkAction, register_bulk_action

    register_bulk_action(
        BulkAction(
            name="links",
            label=_("Send personal links"),
            url_name="outreach:enterprise_links_send",
            allowed=can_work_tasks,
            order=100,
        )
    )
    register_bulk_action(
        BulkAction(
            name="campaign",
            label=_("New campaign to these"),
            url_name="messaging:campaign_from_selection",
            allowed=can_create_campaigns,
            order=200,
        )
    )


def _offer_call_outcomes() -> None:
    # A liaison's or an enterprise's number, tapped after its logged "show": the call's
    # outcome is one tap away (registry.calls), and logs the attempt.
    from outreach.field_views import call_outcome_url
    from registry.calls import register_call_outcome

    register_call_outcome(call_outcome_url)


def _give_admins_the_policy() -> None:
    # The policy is edited in the Django admin, which is for park admins.
    from registry.roles import Role, register_role_permissions

    register_role_permissions(
        Role.ADMIN,
        {
            "outreach.view_outreachpolicy",
            "outreach.change_outreachpolicy",
            "outreach.view_contactattempt",
            "outreach.view_task",
        },
    )


def _register_demo_step() -> None:
    # The demo park's year of contact history, plans and tasks: after the registry's part.
    from outreach.demo import seed_outreach_history
    from registry.demo import register_demo_step

    register_demo_step("outreach", seed_outreach_history)


def _load_messaging_tasks() -> None:
    # Celery finds only <app>.tasks: messaging's live in their own module.
    from outreach.messaging import tasks  # noqa: F401


def _connect_receivers() -> None:
    from outreach.messaging.contact_log import record_undeliverable_message
    from outreach.messaging.signals import message_undeliverable
    from outreach.selfservice.receivers import tell_liaison_of_staff_correction
    from outreach.selfservice.welcome import welcome_started_liaisons
    from registry.signals import liaison_corrected, liaisons_started

    # A message that can never be delivered is a failed attempt to reach the liaison.
    message_undeliverable.connect(
        record_undeliverable_message, dispatch_uid="outreach.undeliverable_is_an_attempt"
    )
    # Staff corrected a liaison's entry: the liaison is told what changed (容错).
    liaison_corrected.connect(
        tell_liaison_of_staff_correction, dispatch_uid="outreach.selfservice.correction"
    )
    # A new liaison period started (any door, the import too): welcomed once.
    liaisons_started.connect(welcome_started_liaisons, dispatch_uid="outreach.selfservice.welcome")


def _register_retention_steps() -> None:
    # The retention run erases what outreach's texts quote of people past the period, and
    # the liaisons' SMS replies.
    from outreach.messaging.inbound.retention import erase_sms_replies
    from outreach.retention import erase_outreach_texts, erase_visit_evidence
    from registry.retention import register_retention_step

    register_retention_step(erase_outreach_texts)
    register_retention_step(erase_visit_evidence)
    register_retention_step(erase_sms_replies)


def _ensure_default_templates(app_config: AppConfig) -> None:
    # Message templates a new installation starts with, after every migrate (admins' edits
    # are kept).
    from outreach.messaging.defaults import templates_ensure_defaults

    post_migrate.connect(templates_ensure_defaults, sender=app_config)
