"""The yearly recognition: one round per year, one entry per liaison looked at, with the
reasons a liaison is not proposed. Gathered into outreach.models (Django discovers models
there only)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Enterprise, Liaison

__all__ = ["RecognitionEntry", "RecognitionYear"]


class RecognitionYear(models.Model):
    """One year's proposal and, once an admin confirms it, the list of who is thanked."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    proposed_at = models.DateTimeField(_("proposed at"))
    # NULL: the yearly beat task.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, null=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("recognition year")
        verbose_name_plural = _("recognition years")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecognitionEntry(models.Model):
    """A liaison who held the role at the end of the year: proposed (no reasons) or not (the
    reasons, codes of outreach.recognition.rules.REASONS); confirmed by the admin."""

    round = models.ForeignKey(RecognitionYear, related_name="entries", on_delete=models.CASCADE)
    liaison = models.ForeignKey(Liaison, related_name="+", on_delete=models.CASCADE)
    enterprise = models.ForeignKey(Enterprise, related_name="+", on_delete=models.CASCADE)
    reasons = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    # The thank-you SMS went out (once per liaison and year: the claim sets this).
    thanked_at = models.DateTimeField(_("thanked at"), null=True, blank=True)

    class Meta:
        ordering = ["round", "enterprise", "id"]
        verbose_name = _("recognition entry")
        verbose_name_plural = _("recognition entries")
        constraints = [
            models.UniqueConstraint(fields=["round", "liaison"], name="recognition_once_per_year")
        ]
        indexes = [models.Index(fields=["enterprise"], name="recognition_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.liaison_id}"

    @property
    def proposed(self) -> bool:
        return not self.reasons
