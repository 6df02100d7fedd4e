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


# --- audit of reads of personal data, and of staff security changes (issue 12) ----------------


class PersonalField(models.TextChoices):
    NAME = "name", _("name")
    CONTACT = "contact", _("contact")
    TEXT = "text", _("statement text")
    MAIL_TEXT = "mail_text", _("text of a quarantined email")
    MAIL_RAW = "mail_raw", _("quarantined email as received")
    ATTACHMENT = "attachment", _("file sent with an email")


class PersonalDataRead(models.Model):
    """One read of one piece of personal data by a staff member: who, when, which statement
    (or email message), which field, on which page. Never the value, never an address.
    Written by santui.backoffice.audit; only inserted."""

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("read by"),
        db_index=False,  # (user, at) in Meta
    )
    statement = models.ForeignKey(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("statement"),
    )
    mail = models.ForeignKey(
        "intake.MailMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("email"),
    )
    field = models.CharField(_("what"), max_length=16, choices=PersonalField.choices)
    via = models.CharField(_("where"), max_length=32)  # the page or command that showed it

    class Meta:
        verbose_name = _("read of personal data")
        verbose_name_plural = _("reads of personal data")
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=PersonalField.values), name="personalread_field_valid"
            ),
            models.CheckConstraint(
                condition=Q(statement__isnull=False) | Q(mail__isnull=False),
                name="personalread_has_subject",
            ),
        ]
        indexes = [models.Index(fields=["user", "at"], name="personalread_user")]

    def __str__(self) -> str:
        subject = f"statement {self.statement_id}" if self.statement_id else f"mail {self.mail_id}"
        return f"{self.user_id} read {self.field} of {subject}"


class SecurityChange(models.TextChoices):
    TWO_FACTOR_RESET = "2fa_reset", _("two-step sign-in reset")
    UNLOCK = "unlock", _("sign-in lockout lifted")
    PASSWORD = "password", _("password set")
    ROLE = "role", _("role set")


class StaffSecurityEvent(models.Model):
    """A change to a staff account's security: a second step reset, a lockout lifted, a
    password or role set (``santui staff`` or the office). Who it was done to and by whom (None:
    the command line), when. No address, no password."""

    at = models.DateTimeField(_("at"), db_index=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("done by"),
        db_index=False,
    )
    kind = models.CharField(_("kind of change"), max_length=16, choices=SecurityChange.choices)
    via = models.CharField(_("via"), max_length=32)
    detail = models.CharField(_("detail"), max_length=200, blank=True)  # counts, a role name

    class Meta:
        verbose_name = _("staff security change")
        verbose_name_plural = _("staff security changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SecurityChange.values), name="securityevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.account_id}"
