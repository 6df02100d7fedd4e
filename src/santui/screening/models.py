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
            # the day's sample of statements the rules accepted (santui.screening.review)
            models.Index(
                fields=["screened_at"], condition=Q(decision="accepted"), name="screening_accepted"
            ),
            # counts per reason of what the rules held or marked (santui.screening.quality)
            models.Index(
                fields=["decision", "screened_at"],
                condition=Q(decision__in=["held", "duplicate"]),
                name="screening_not_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.statement_id}: {self.decision or 'pending'}"


class Kind(models.IntegerChoices):
    PERSON = 1, "person"  # normalized name + province + organizations
    TEXT = 2, "text"  # the whole normalized text, word for word
    BAND = 3, "band"  # one LSH band of the text's MinHash signature


class ScreenKey(models.Model):
    """A blind look-up key of a statement (64 bits of a keyed hash); looked up by ``key``.

    No foreign key constraint in the database: a round inserts about 4,500 keys, each of whose
    deferred checks cost PostgreSQL 44 ms a round together at 10 million statements (8 % of
    it), to check statements the screener has just read and locked. Deleting a statement
    through Django still refuses while keys hold it (``PROTECT`` is Django's)."""

    key = models.BigIntegerField()
    kind = models.SmallIntegerField(choices=Kind.choices)
    statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        indexes = [models.Index(fields=["key", "statement"], name="screenkey_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key:x} #{self.statement_id}"


class HotKey(models.Model):
    """A text or band key that more earlier statements hold than any rule reads (COUNT_CAP in
    santui.screening.actions: common wording). Its count can only stay at the cap, and its
    holders are never compared, so the screener stops storing further holders of it."""

    key = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"{self.key:x}"


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
        verbose_name = _("screening alert")
        verbose_name_plural = _("screening alerts")
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


# --- the blind re-review of automatic acceptances (santui.screening.review; docs/methodology.md) -

# Imported here, not at the top: this block is appended to a module another change owns.
from django.conf import settings  # noqa: E402


class ReviewDraw(models.Model):
    """One day's draw: what the sample was drawn from, and how many were drawn. The frame (the
    statements the rules accepted that day, in the reporting time zone) and its size are kept,
    so that each reviewed statement stands for ``population / reviewed`` of its day."""

    day = models.DateField(primary_key=True)
    population = models.IntegerField()  # statements the rules accepted that day
    share = models.FloatField()  # SANTUI_REVIEW_SHARE at the time of the draw
    minimum = models.IntegerField()  # SANTUI_REVIEW_MIN at the time of the draw
    size = models.IntegerField()  # statements drawn
    drawn_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=0) & Q(size__lte=models.F("population")),
                name="reviewdraw_size_in_population",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.size} of {self.population}"


class ReviewSample(models.Model):
    """A statement the rules accepted, drawn at random for a blind re-review. ``position`` is
    its place in the random order of the draw: reviewers take them in that order, so the part
    of a day already reviewed is itself a random sample of that day."""

    statement = models.OneToOneField(
        Statement, on_delete=models.PROTECT, related_name="review_sample"
    )
    day = models.DateField()
    position = models.IntegerField()
    drawn_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "position"], name="reviewsample_position")
        ]

    def __str__(self) -> str:
        return f"{self.day} #{self.position}: statement {self.statement_id}"


class ReviewVerdict(models.TextChoices):
    COUNT = "count", _("count it")
    DONT_COUNT = "dont_count", _("do not count it")
    DUPLICATE = "duplicate", _("a duplicate of an earlier statement")


WRONGLY_COUNTED = frozenset({ReviewVerdict.DONT_COUNT, ReviewVerdict.DUPLICATE})


class ReviewAnswer(models.Model):
    """A moderator's blind answer about one drawn statement (one answer per statement)."""

    sample = models.OneToOneField(ReviewSample, on_delete=models.PROTECT, related_name="answer")
    answer = models.CharField(max_length=16, choices=ReviewVerdict.choices)
    duplicate_of = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__in=ReviewVerdict.values), name="reviewanswer_answer_valid"
            ),
            models.CheckConstraint(
                condition=(Q(answer=ReviewVerdict.DUPLICATE) & Q(duplicate_of__isnull=False))
                | (~Q(answer=ReviewVerdict.DUPLICATE) & Q(duplicate_of__isnull=True)),
                name="reviewanswer_duplicate_iff_linked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sample}: {self.answer}"


class QualityRelease(models.Model):
    """The quality report of one month with a breakdown release, frozen once: its estimates
    and screening reasons per channel (``santui.screening.quality``). Months without one show
    figures over all channels only, so no figure per channel changes after it is published
    (docs/disclosure.md#the-quality-report)."""

    month = models.DateField(unique=True)  # its first day
    release = models.OneToOneField(
        "tally.Release", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    frozen_at = models.DateTimeField()
    accepted_by_rules = models.BigIntegerField(null=True)
    estimates = models.JSONField()  # all channels first, then per channel (module doc)
    screening_reasons = models.JSONField()  # all channels, then per channel, suppressed

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"quality of {self.month:%Y-%m}"
