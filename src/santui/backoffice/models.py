"""The office's background jobs: a large decision a moderator confirmed (count or reject many
held statements, revoke counted ones), done in chunks by `santui office-jobs`
(santui.backoffice.jobs).

A job holds who confirmed it, what it takes (the statements' numbers, frozen at confirmation in
``OfficeJobItem``), the public reason and the staff note, and how far it got: the last
statement number done (``cursor``), counts of what was decided and refused, the persons, its
state and times, and the error of a failed chunk. No address, no name, no text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from santui.statements.models import RejectReason, Statement


class JobKind(models.TextChoices):
    ACCEPT = "accept", _("count held statements")
    REJECT = "reject", _("reject held statements")
    REVOKE = "revoke", _("revoke counted statements")


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


# A job the runner still takes chunks of; a cancel stops it at the next chunk.
OPEN_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})


class OfficeJob(models.Model):
    kind = models.CharField(_("what"), max_length=16, choices=JobKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("confirmed at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cancelled by"),
        db_index=False,
    )
    # The public reason of a rejection or revocation (empty when counting), the staff note.
    reason = models.CharField(
        _("public reason"), max_length=32, blank=True, choices=RejectReason.choices
    )
    note = models.TextField(_("note (staff only)"), blank=True)
    # What the moderator chose, for the job's page: {"cluster": ...}, {"reason": ...}, the
    # bulk invalidation's criteria... (codes and numbers only).
    scope = models.JSONField(_("chosen"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("statements"))  # frozen at confirmation
    persons_expected = models.BigIntegerField(_("persons at confirmation"), default=0)
    processed = models.PositiveIntegerField(_("statements processed"), default=0)
    cursor = models.BigIntegerField(default=0)  # the last statement number processed
    done = models.PositiveIntegerField(_("decided"), default=0)
    persons = models.BigIntegerField(_("persons decided"), default=0)
    refused = models.JSONField(_("refused, per reason"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # failed tries of the next chunk
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("office job")
        verbose_name_plural = _("office jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=JobState.values), name="officejob_state_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="officejob_kind"),
            models.CheckConstraint(
                condition=Q(kind=JobKind.ACCEPT, reason="")
                | (~Q(kind=JobKind.ACCEPT) & ~Q(reason="")),
                name="officejob_reason_iff_rejecting",
            ),
        ]
        indexes = [
            # The runner's next job and the office home's running ones: open jobs only.
            models.Index(
                fields=["id"], condition=Q(state__in=["queued", "running"]), name="officejob_open"
            ),
        ]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.kind} {self.processed}/{self.total} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def refused_total(self) -> int:
        return sum(int(n) for n in self.refused.values())

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total


class OfficeJobItem(models.Model):
    """One statement a job takes, frozen when it was confirmed: the runner reads them in number
    order from its cursor (the primary key is the index it walks)."""

    pk = models.CompositePrimaryKey("job", "statement")
    # db_index=False: the primary key (job, statement) is its index
    job = models.ForeignKey(
        OfficeJob, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    # The number as asked (a ticked box may name one that does not exist: the runner refuses
    # it as not held), so no database constraint; statements are never deleted anyway.
    statement = models.ForeignKey(
        Statement, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("statement of an office job")
        verbose_name_plural = _("statements of office jobs")

    def __str__(self) -> str:
        return f"job {self.job_id}: statement {self.statement_id}"
