"""What each retention round deleted: counts only, never a name, a text or an address
(docs/retention.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShredRun(models.Model):
    """One ``santui retention run`` (or a round of the serve loop): when, under which periods,
    and how many of each kind of record lost its personal data."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run (nothing deleted)"), default=False)
    via = models.CharField(_("via"), max_length=32)
    policy = models.JSONField(_("periods applied"), default=dict)  # {"rejected_days": 90, ...}
    statements = models.PositiveIntegerField(_("statements shredded"), default=0)
    mail_messages = models.PositiveIntegerField(_("raw email messages shredded"), default=0)
    attachments = models.PositiveIntegerField(_("attachments deleted"), default=0)
    rejects_files = models.PositiveIntegerField(_("rejects files deleted"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"retention run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}"
