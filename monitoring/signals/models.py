"""A report from outside about an enterprise, and the kinds admins configure."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Enterprise


class SignalKind(models.Model):
    """What was seen (moved out, office empty, power cut, mail returned …) and what it means:
    seeded by the migration, edited by park admins in the Django admin."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    counts_as_failed_contact = models.BooleanField(
        _("counts as a failed contact"),
        default=False,
        help_text=_("The report is logged as a failed contact and moves the light."),
    )
    opens_verification = models.BooleanField(
        _("opens an on-site verification"),
        default=True,
        help_text=_("The enterprise's grid worker gets a task to verify on site."),
    )
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("kind of outside report")
        verbose_name_plural = _("kinds of outside report")

    def __str__(self) -> str:
        return self.name


class EnterpriseSignal(models.Model):
    """One report: what, when, from whom. The same report posted twice (same enterprise, kind,
    moment and source) is one row, so its work is done once."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), related_name="signals", on_delete=models.CASCADE
    )
    kind = models.ForeignKey(
        SignalKind, verbose_name=_("what was seen"), related_name="+", on_delete=models.PROTECT
    )
    observed_at = models.DateTimeField(_("when"))
    source_name = models.CharField(_("reported by"), max_length=50, blank=True)
    source_organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    # Personal data of the reporter: masked (registry.masking), erased by the retention run.
    source_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    photo = models.FileField(_("photo"), upload_to="signals/%Y/%m/", blank=True)
    photo_name = models.CharField(max_length=120, blank=True)
    channel = models.CharField(_("received through"), max_length=10, default="page")
    # The failed contact it was logged as, and the verification task it opened (or found).
    attempt = models.ForeignKey(
        "outreach.ContactAttempt",
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    task = models.ForeignKey(
        "outreach.Task", related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_at", "-id"]
        verbose_name = _("outside report")
        verbose_name_plural = _("outside reports")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "observed_at", "source_name", "source_organisation"],
                name="signal_once_per_source_and_moment",
            )
        ]
        indexes = [
            # The enterprise's timeline and panel.
            models.Index(fields=["enterprise", "-observed_at"], name="signal_enterprise_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.kind_id} · {self.observed_at:%Y-%m-%d}"


__all__ = ["EnterpriseSignal", "SignalKind"]
