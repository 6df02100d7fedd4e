"""Email intake: every message `santui ingest-mail` took in, its attachments, and the quarantine.

A ``MailMessage`` row is written for every message, whatever became of it, so a second run over
the same mail finds it and reports it as a duplicate. Its ``key`` is a keyed hash of the
Message-ID (or of the message itself when it has none) and is also the ``external_id`` of the
statement made of it. Sender addresses are kept only as a keyed hash; message bodies, texts,
file names and attachments only encrypted (``santui.statements.crypto``). Rules:
docs/mail-intake.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from santui.statements.crypto import EncryptedTextField
from santui.statements.models import Statement


class QuarantineReason(models.TextChoices):
    TOO_LARGE = "too_large", _("larger than the size limit")
    MALFORMED = "malformed", _("cannot be read as an email message")
    TOO_COMPLEX = "too_complex", _("too many parts, or nested too deep")
    UNDECODABLE = "undecodable", _("text in an unknown or wrong character set")
    NO_TEXT = "no_text", _("no text to read (attachments only?)")
    TOO_LONG = "too_long", _("text longer than the statement limit")
    NO_STATEMENT = "no_statement", _("no organization found: not a statement?")
    TOO_MANY_PERSONS = "too_many_persons", _("more persons than one statement may carry")


class MailMessage(models.Model):
    key = models.CharField(_("key"), max_length=80, unique=True)
    sender_hash = models.CharField(_("sender (keyed hash)"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))
    size = models.PositiveBigIntegerField(_("size in bytes"))
    ingested_at = models.DateTimeField(_("taken in at"), auto_now_add=True)
    statement = models.OneToOneField(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mail",
        verbose_name=_("statement"),
    )

    class Meta:
        verbose_name = _("email message")
        verbose_name_plural = _("email messages")
        indexes = [models.Index(fields=["sender_hash"], name="mail_sender")]

    def __str__(self) -> str:
        return f"mail #{self.pk}"


class Quarantine(models.Model):
    """A message that gave no statement by itself: volunteers read it and decide."""

    mail = models.OneToOneField(
        MailMessage, on_delete=models.PROTECT, related_name="quarantine", verbose_name=_("email")
    )
    reason = models.CharField(_("reason"), max_length=32, choices=QuarantineReason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)  # technical, no names
    # The message as it arrived, trace headers (Received, X-Originating-IP...) removed, AES-GCM
    # encrypted (crypto.encrypt_bytes). Only the first part of a message over the size limit.
    raw = models.BinaryField(_("message (encrypted)"))
    raw_truncated = models.BooleanField(_("message cut at the size limit"), default=False)
    text = EncryptedTextField(_("text read from the message"), max_length=1_000_000)
    quarantined_at = models.DateTimeField(_("quarantined at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("statement made at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("statement made by"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("quarantined email")
        verbose_name_plural = _("quarantined email")
        # The messages still held in their raw form (retention's round reads these, not every
        # quarantined message ever: santui.retention.run.mail_due; intake migration 0002).
        indexes = [
            models.Index(fields=["mail"], condition=~models.Q(raw=b""), name="quarantine_held")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reason__in=QuarantineReason.values),
                name="quarantine_reason_valid",
            )
        ]

    def __str__(self) -> str:
        return f"quarantine #{self.pk} ({self.reason})"


class MailAttachment(models.Model):
    """A file that came with a message (a photo of a paper statement, of a banknote, a PDF)."""

    mail = models.ForeignKey(
        MailMessage, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("email")
    )
    filename = EncryptedTextField(_("file name"), max_length=255)  # may hold a name
    content_type = models.CharField(_("type"), max_length=100)  # sniffed from the bytes
    size = models.PositiveBigIntegerField(_("size in bytes"))
    data = models.BinaryField(_("content (encrypted)"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment #{self.pk} ({self.content_type})"
