from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from outreach import demo
        from outreach.enterprise_page import attempts_on_timeline, outreach_panel
        from registry.demo import demo_seeded
        from registry.masking import PHONE, register_protected
        from registry.normalize import mask_phone
        from registry.panels import register_panel
        from registry.roles import Role, register_role_permissions
        from registry.timeline import register_source

        # The successor a leaving liaison names: masked like a liaison's mobile, shown whole
        # only by the enterprise panel's logged "show".
        register_protected("selfservicelink", "successor_mobile", PHONE, mask_phone)

        register_source(attempts_on_timeline)
        # Liaisons' SMS replies (outreach/messaging/inbound).
        from outreach.messaging.inbound.timeline import replies_on_timeline

        register_source(replies_on_timeline)
        register_panel(outreach_panel)
        # The policy is edited in the Django admin, which is for park admins.
        register_role_permissions(
            Role.ADMIN,
            {
                "outreach.view_outreachpolicy",
                "outreach.change_outreachpolicy",
                "outreach.view_contactattempt",
                "outreach.view_task",
            },
        )
        demo_seeded.connect(demo.seed_outreach_demo, dispatch_uid="outreach.demo")

        from outreach.messaging import tasks  # noqa: F401  (Celery finds only <app>.tasks)
        from outreach.messaging.contact_log import record_undeliverable_message
        from outreach.messaging.defaults import templates_ensure_defaults
        from outreach.messaging.signals import message_undeliverable

        # A message that can never be delivered is a failed attempt to reach the liaison.
        message_undeliverable.connect(
            record_undeliverable_message, dispatch_uid="outreach.undeliverable_is_an_attempt"
        )

        # Liaison self-service registers its task kind ("liaison updated their details").
        from outreach.selfservice import services as _selfservice  # noqa: F401
        from outreach.selfservice.receivers import tell_liaison_of_staff_correction
        from registry.signals import liaison_corrected

        # Staff corrected a liaison's entry: the liaison is told what changed (容错).
        liaison_corrected.connect(
            tell_liaison_of_staff_correction, dispatch_uid="outreach.selfservice.correction"
        )

        # The retention run erases what outreach's texts quote of people past the period.
        from outreach.retention import erase_outreach_texts
        from registry.retention import register_retention_step

        register_retention_step(erase_outreach_texts)
        from outreach.messaging.inbound.retention import erase_sms_replies

        register_retention_step(erase_sms_replies)

        # Message templates a new installation starts with (admins' edits are kept).
        post_migrate.connect(templates_ensure_defaults, sender=self)

        # The first-contact desk (outreach/matters).
        from outreach.matters.apps import matters_ready

        matters_ready(self)
