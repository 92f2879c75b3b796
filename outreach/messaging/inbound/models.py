"""A liaison's SMS reply (上行短信) and the record of an opt-out staff removed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.masking import mask_address

__all__ = ["InboundSms", "SmsOptOutRemoval", "SmsProvider"]


class SmsProvider(models.TextChoices):
    ALIYUN = "aliyun", _("Alibaba Cloud SMS")
    TENCENT = "tencent", _("Tencent Cloud SMS")


class InboundSms(models.Model):
    """One reply as the provider pushed it, matched to the enterprise whose current liaison
    has the number (``outreach.messaging.inbound.replies``: which one when several do)."""

    provider = models.CharField(_("provider"), max_length=10, choices=SmsProvider.choices)
    # The provider's reference for this reply, so that a push repeated after a lost answer
    # is recorded once (Alibaba: sequence_id; Tencent sends none: time, number and text).
    provider_ref = models.CharField(_("provider reference"), max_length=100)
    mobile = models.CharField(_("from"), max_length=20)
    text = models.TextField(_("text"))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sms_replies",
    )
    liaison = models.ForeignKey(
        "registry.Liaison",
        verbose_name=_("liaison"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sms_replies",
    )
    # How many enterprises' current liaisons had this number when it arrived (0: none).
    matches = models.PositiveSmallIntegerField(_("enterprises with this number"), default=0)
    # The reply was TD / R / 退订: the number was opted out of greeting and care messages.
    opted_out = models.BooleanField(_("opt-out"), default=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("SMS reply")
        verbose_name_plural = _("SMS replies")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], name="inboundsms_provider_ref_unique"
            )
        ]
        indexes = [models.Index(fields=["enterprise", "-received_at"], name="inboundsms_ent_idx")]

    def __str__(self) -> str:
        return f"{mask_address(self.mobile)} {self.received_at:%Y-%m-%d %H:%M}"


class SmsOptOutRemoval(models.Model):
    """Staff removed an opt-out on the liaison's request: who, when, why (the opt-out row
    itself is deleted, so that every reader of SmsOptOut sees the number as opted in)."""

    mobile = models.CharField(_("mobile"), max_length=20, db_index=True)
    keyword = models.CharField(_("reply"), max_length=20, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"))
    removed_at = models.DateTimeField(_("removed at"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=200)

    class Meta:
        ordering = ["-removed_at", "-id"]
        verbose_name = _("removed SMS opt-out")
        verbose_name_plural = _("removed SMS opt-outs")

    def __str__(self) -> str:
        return mask_address(self.mobile)
