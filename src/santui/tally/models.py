"""Rollups: persons (and statements) per stat, dimension key and day, filled by the integrator.

``IntegrationState`` is the fill marker: ``size`` ledger entries (positions 0..size-1) are folded
into the rollups. The integrator advances positions, rollups and ``size`` in one transaction, so
after a crash the three still agree and the next run starts where the last committed one ended.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stat(models.TextChoices):
    PERSONS = "persons", "persons"
    STATEMENTS = "statements", "statements"
    ORGANIZATION = "org", "persons per organization"
    CURRENT_PARTY_MEMBERS = "cpm", "current party members"
    REGION = "region", "persons per region"
    SECTOR = "sector", "persons per sector"
    CHANNEL = "channel", "persons per channel"
    NAME_KIND = "name_kind", "persons per name kind"
    DECLARANT = "declarant", "persons per kind of declarant"


class Rollup(models.Model):
    stat = models.CharField(max_length=16, choices=Stat.choices)
    key = models.CharField(max_length=32, blank=True)  # dimension value; "" for totals/unknown
    day = models.DateField()
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stat", "key", "day"], name="rollup_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.stat}[{self.key}] {self.day}: {self.value}"


class IntegrationState(models.Model):
    """A single row (pk=1): how much of the ledger the rollups contain."""

    size = models.BigIntegerField(default=0)
    integrated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="state_singleton")]

    def __str__(self) -> str:
        return f"integrated size {self.size}"


class LogTile(models.Model):
    """One tile of the public log (santui.tlog.tiles): hashes, or leaves when ``level`` is -1.

    Only the last tile of each level is ever rewritten, and only to grow: a partial tile of
    width W stays the prefix of every later version, so old partial tiles can still be served.
    """

    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    width = models.SmallIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="log_tile_key")]

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index} ({self.width})"


class Checkpoint(models.Model):
    """A signed C2SP checkpoint of the log at ``size``: every one is kept."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()  # the signed note, with the log's own signature only
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Cosignature(models.Model):
    """A witness's tlog-cosignature/v1 line on a checkpoint (checked before it is stored)."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField(max_length=200)  # the witness key's name
    line = models.TextField()
    timestamp = models.BigIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="cosignature_once")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint_id}"


class LoopState(models.Model):
    """How a supervised background loop (the integrator, the screener) is doing: written by the
    loop after every round (santui.tally.loops), read by the office. No personal data: an error
    is kept as its exception class only."""

    name = models.CharField(max_length=32, unique=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last round, good or bad
    ok_at = models.DateTimeField(null=True, blank=True)  # last round without an error
    backlog = models.BigIntegerField(default=0)  # items waiting after the last round
    oldest_waiting_at = models.DateTimeField(null=True, blank=True)  # how far behind it is
    done = models.BigIntegerField(default=0)  # items done since the loop started
    errors = models.IntegerField(default=0)  # consecutive failed rounds
    last_error = models.CharField(max_length=200, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background loop")
        verbose_name_plural = _("background loops")

    def __str__(self) -> str:
        return f"{self.name}: backlog {self.backlog}"


class Release(models.Model):
    """A release of the breakdowns for one closed calendar month (docs/disclosure.md).

    Made once by `santui stats release` when the month is due, then never changed. It counts
    the ledger entries integrated below ``log_size`` whose day is in or before ``month`` and
    that no earlier release counted: the month's statements and the late ones (back-dated
    imports, revocations) counted with it.
    """

    number = models.PositiveIntegerField(unique=True)  # 1, 2, ... in month order
    month = models.DateField(unique=True)  # its first day
    released_at = models.DateTimeField()
    log_size = models.BigIntegerField()  # the integrated size it was made at
    persons = models.BigIntegerField()  # net persons it counts (new minus revoked)
    new_persons = models.BigIntegerField()  # persons newly counted in it
    late_persons = models.BigIntegerField()  # of which received before the month
    revoked_persons = models.BigIntegerField()  # persons revoked in it, counted in earlier ones
    suppress_below = models.PositiveIntegerField()  # k in force

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"release {self.number} ({self.month:%Y-%m})"


class ReleaseScope(models.TextChoices):
    MONTH = "month", "month"
    YEAR = "year", "year"  # only in the release of a year's last month
    ALL = "all", "all time"


class ReleaseCell(models.Model):
    """One cell of one table of a release: its exact figure (staff only) and whether it is
    published. Rows exist for every key with anyone in the table; a key without a row is 0."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="cells")
    scope = models.CharField(max_length=8, choices=ReleaseScope.choices)
    dimension = models.CharField(max_length=16)  # region, ..., name_kind, declarant, member
    key = models.CharField(max_length=32, blank=True)
    value = models.BigIntegerField()  # net persons (the month's: new minus revoked)
    published = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "scope", "dimension", "key"], name="release_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.release_id} {self.scope} {self.dimension}[{self.key}] = {self.value}"


class ReleaseRevocation(models.Model):
    """Persons of one key revoked in a release whose statements an earlier release counted
    (``origin``): what the audit needs to model revocations. Staff only."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="revocations")
    origin = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=32, blank=True)
    persons = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "origin", "dimension", "key"], name="release_revocation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.release_id} from {self.origin_id} {self.dimension}[{self.key}]"
