"""What the screener keeps: its working record per statement, the blind keys it looks up, the
counts per time bucket its flood rules compare, and the alerts it raises (docs/screening.md).

No name, text or address is stored here: keys are keyed hashes (HMAC under the instance key,
truncated to 64 bits), the text's MinHash signature is 64 numbers of 16 bits.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from santui.statements.models import Statement


class Decision(models.TextChoices):
    PENDING = "", _("not decided yet")
    ACCEPTED = "accepted", _("accepted (counted)")
    HELD = "held", _("held for a person")
    DUPLICATE = "duplicate", _("duplicate (not counted)")


class Screening(models.Model):
    """The screener's record of one statement: made when its keys are indexed, decided once the
    statement is old enough for the flood windows around it to be seen."""

    statement = models.OneToOneField(
        Statement, on_delete=models.PROTECT, primary_key=True, related_name="screening"
    )
    received_at = models.DateTimeField()  # the statement's, for the window and queue order
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    reasons = models.JSONField(default=list)  # codes (docs/screening.md), every one that held
    duplicate_of = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    cluster = models.CharField(max_length=40, blank=True)  # a flood or duplicate set
    rules = models.CharField(max_length=32, blank=True)  # rule set and version that decided
    screened_at = models.DateTimeField(null=True, blank=True)
    # What later statements compare with (no name or text): the 16-bit MinHash signature of
    # the masked text, its template key, the province and whether it was named.
    signature = models.BinaryField(max_length=128, null=True, blank=True)
    template = models.BigIntegerField(null=True, blank=True)
    person_key = models.BigIntegerField(null=True, blank=True)
    text_key = models.BigIntegerField(null=True, blank=True)
    bands = models.BinaryField(max_length=128, null=True, blank=True)  # its LSH keys, int64 each
    sketches = models.BinaryField(max_length=64, null=True, blank=True)  # flood sketches, int64
    channel = models.CharField(max_length=16, blank=True)
    province = models.CharField(max_length=6, blank=True)
    place = models.CharField(max_length=6, blank=True)  # the region code as declared
    named = models.BooleanField(default=False)
    real_name = models.BooleanField(default=False)  # a real name, not an alias
    distinctive = models.BooleanField(default=False)
    # What the statement alone showed when indexed (intrinsic reasons; docs/screening.md).
    found = models.JSONField(default=list)
    random_name = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["received_at", "statement"],
                condition=Q(decision=""),
                name="screening_pending",
            ),
            models.Index(fields=["cluster"], condition=~Q(cluster=""), name="screening_cluster"),
        ]

    def __str__(self) -> str:
        return f"#{self.statement_id}: {self.decision or 'pending'}"


class Kind(models.IntegerChoices):
    PERSON = 1, "person"  # normalized name + province + organizations
    TEXT = 2, "text"  # the whole normalized text, word for word
    BAND = 3, "band"  # one LSH band of the text's MinHash signature


class ScreenKey(models.Model):
    """A blind look-up key of a statement (64 bits of a keyed hash); looked up by ``key``."""

    key = models.BigIntegerField()
    kind = models.SmallIntegerField(choices=Kind.choices)
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["key", "statement"], name="screenkey_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key:x} #{self.statement_id}"


class WindowCount(models.Model):
    """Statements per counted key per ten-minute bucket (minutes since the epoch // 10): per
    template, per channel, per channel's random-looking names, per volunteer, duplicates."""

    key = models.BigIntegerField()
    bucket = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="windowcount_cell")]

    def __str__(self) -> str:
        return f"{self.key:x}@{self.bucket}: {self.n}"


class Alert(models.Model):
    """Something far above its normal rate (docs/screening.md#alerts), for the office home page.
    Subjects are channels, template clusters or volunteer accounts, never a declarant."""

    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.IntegerField()
    expected = models.FloatField()
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "window_start"], name="alert_once_per_window"
            )
        ]
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.count} (expected {self.expected:.1f})"


class IndexMark(models.Model):
    """A single row (pk=1): statements up to this id decided without the rules (imported as
    counted, or decided by a person first) have been indexed as earlier statements."""

    up_to = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="indexmark_singleton")]

    def __str__(self) -> str:
        return f"indexed up to #{self.up_to}"
