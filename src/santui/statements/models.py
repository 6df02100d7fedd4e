"""A withdrawal statement, its audit trail, and the append-only counting ledger.

Statuses change only through ``santui.statements.actions``; every change writes a
``StatusChange`` row. Counting never reads statements directly: accepting queues an *add*
``LedgerEntry`` and rejecting a counted statement queues a *revoke*, both snapshots of what is
counted, which the integrator (``santui.tally``) folds into rollups.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from santui.statements.crypto import EncryptedTextField
from santui.textparse.sectors import SECTORS
from santui.tlog.leaf import random_commitment


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    PHONE = "phone", _("phone")
    FAX = "fax", _("fax")
    EMAIL = "email", _("email")
    VOLUNTEER = "volunteer", _("volunteer")
    COURIER = "courier", _("courier")
    GROUP = "group", _("group list")
    POSTING = "posting", _("public posting")
    CURRENCY = "currency", _("banknote or coin")


class NameKind(models.TextChoices):
    REAL = "real", _("real name")
    ALIAS = "alias", _("alias")
    ANONYMOUS = "anonymous", _("no name")


class Declarant(models.TextChoices):
    """Who sends the statement: the person themselves, or someone for them (issue 16). Each kind
    is counted and published separately, so readers can judge (docs/methodology.md)."""

    SELF = "self", _("the person themselves")
    FAMILY = "family", _("a family member on their behalf")
    VOLUNTEER = "volunteer", _("a volunteer on their behalf")
    DECEASED = "deceased", _("for a person who has died")


class Organization(models.TextChoices):
    PARTY = "party", _("Chinese Communist Party")
    LEAGUE = "league", _("Communist Youth League")
    PIONEERS = "pioneers", _("Young Pioneers")


class Status(models.TextChoices):
    RECEIVED = "received", _("received, awaiting screening")
    HELD = "held", _("held for a person to review")
    ACCEPTED = "accepted", _("accepted and counted")
    REJECTED = "rejected", _("rejected")


# received: not screened yet; held: screening asks a person (santui.screening).
MODERATABLE_STATES = frozenset({Status.RECEIVED, Status.HELD})
REJECTABLE_STATES = frozenset({Status.RECEIVED, Status.HELD, Status.ACCEPTED})
COUNTED_STATES = frozenset({Status.ACCEPTED})


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("duplicate")
    SPAM = "spam", _("spam")
    INCOMPLETE = "incomplete", _("incomplete")
    DECLARANT_REQUEST = "declarant_request", _("at the declarant's request")
    OTHER = "other", _("other")


SECTOR_LABELS = {
    "government": _("government officials and civil servants"),
    "police": _("public security and police"),
    "discipline_inspection": _("discipline inspection"),
    "congress_deputy": _("people's congress deputies"),
    "judiciary": _("courts and procuratorates"),
    "state_security": _("state security"),
    "central_organs": _("central organs (State Council, Zhongnanhai, NPC Standing Committee)"),
    "military": _("military"),
    "education": _("teachers and education"),
    "student": _("students"),
    "health": _("health workers"),
    "media": _("media"),
    "state_enterprise": _("state-owned enterprises"),
    "business": _("private business"),
    "farmer": _("farmers"),
    "worker": _("workers"),
    "retired": _("retired"),
    "other": _("other occupations"),
}
assert set(SECTOR_LABELS) == set(SECTORS)
SECTOR_CHOICES = [(key, SECTOR_LABELS[key]) for key in SECTORS]


class Statement(models.Model):
    source = models.CharField(
        _("source"),
        max_length=64,
        help_text=_("Where the record came from: web, office, or an import source."),
    )
    # NULL, not "": statements without one stay outside the unique (source, external_id).
    external_id = models.CharField(  # noqa: DJ001
        _("external id"), max_length=200, null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    # The text as written and its masked copy (santui.statements.masking: names, e-mail
    # addresses and phone numbers replaced), both encrypted: the text may carry the name, and the
    # masker is a heuristic (issue 12). Staff without view_personal_data, search and screening
    # read the masked copy (masking.masked_text); retention shreds both (santui.retention).
    text = EncryptedTextField(_("statement text"))
    text_masked = EncryptedTextField(_("statement text, names masked"), editable=False)
    party = models.BooleanField(_("quits the Party"), default=False)
    league = models.BooleanField(_("quits the Youth League"), default=False)
    pioneers = models.BooleanField(_("quits the Young Pioneers"), default=False)
    headcount = models.PositiveIntegerField(
        _("persons"), default=1, validators=[MinValueValidator(1)]
    )
    name = EncryptedTextField(_("name or alias"), max_length=200)
    contact = EncryptedTextField(_("contact"), max_length=500)
    name_kind = models.CharField(_("name kind"), max_length=16, choices=NameKind.choices)
    region = models.CharField(
        _("region"),
        max_length=6,
        blank=True,
        help_text=_("GB/T 2260 code (mainland) or ISO 3166-1 alpha-2 code (elsewhere)."),
    )
    sector = models.CharField(_("sector"), max_length=32, blank=True, choices=SECTOR_CHOICES)
    declarant = models.CharField(
        _("declared by"), max_length=16, choices=Declarant.choices, default=Declarant.SELF
    )
    current_party_member = models.BooleanField(_("current party member"), null=True)
    publish = models.BooleanField(_("may publish name and text"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    reject_reason = models.CharField(
        _("reject reason"), max_length=32, blank=True, choices=RejectReason.choices
    )
    # The statement this one repeats (rejected with reason ``duplicate``), set by screening or a
    # moderator; a moderator can reinstate it (statement_reinstate).
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
        db_index=False,  # partial index in Meta: only duplicates carry one
    )
    receipt_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # What the public log's add leaf commits to: a hash keyed by the receipt code's secret, or
    # random bytes when no receipt was issued (santui.tlog.leaf). Reveals nothing without it.
    commitment = models.BinaryField(max_length=32, editable=False, default=random_commitment)
    # What santui.textparse read in the text when it arrived (``santui parse`` output). Staff
    # corrections change the statement's own fields; this stays as read, so both are kept.
    suggested = models.JSONField(_("parser suggestion"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Search columns of a *public* statement (accepted, ``publish`` set), NULL on every other
    # row: a blind index of the name (keyed hash, never the name) and the text folded for
    # search. Written by statement_accept and the bulk loader, cleared by statement_reject
    # (santui.statements.public.search_columns; docs/public-statements.md).
    name_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    search_text = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    # When santui.retention deleted the personal data (name, contact, text, masked copy) of a
    # statement past its retention period (docs/retention.md); NULL while it is kept.
    shredded_at = models.DateTimeField(_("personal data deleted at"), null=True, blank=True,
                                       editable=False)  # fmt: skip
    # When the statement entered its present decision (accepted or rejected): the time of the
    # audit row that records it, written with that row by every path that decides
    # (santui.statements.actions and .bulk). Retention finds the statements past their period
    # by it (the two partial indexes below) and checks each one it finds against the audit
    # trail, so a value missing (NULL) or earlier than the audit row costs time, never a
    # deletion before its period ends (docs/retention.md, migration 0013).
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)

    class Meta:
        permissions = [
            ("moderate_statement", "Can accept or reject statements"),
            ("view_personal_data", "Can see names and contacts"),
        ]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="statement_status_valid"
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="statement_headcount_pos"),
            models.CheckConstraint(
                condition=Q(declarant__in=Declarant.values), name="statement_declarant_valid"
            ),
            models.CheckConstraint(
                condition=Q(party=True) | Q(league=True) | Q(pioneers=True),
                name="statement_some_organization",
            ),
            models.CheckConstraint(
                condition=(Q(status=Status.REJECTED) & ~Q(reject_reason=""))
                | (~Q(status=Status.REJECTED) & Q(reject_reason="")),
                name="statement_reason_iff_rejected",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True)
                | (Q(status=Status.REJECTED) & Q(reject_reason=RejectReason.DUPLICATE)),
                name="statement_duplicate_link",
            ),
        ]
        # No unique constraint: on PostgreSQL the table is partitioned by ranges of its id
        # (migration 0018), and a partitioned table's unique index must hold the id. A source's
        # external id is unique through ExternalKey; a receipt's hash is a keyed hash of 160
        # random bits (santui.statements.receipts): found through the index below.
        # Partial indexes, so that bulk imports of counted history do not pay for them.
        indexes = [
            models.Index(
                fields=["receipt_hash"],
                condition=Q(receipt_hash__isnull=False),
                name="statement_receipt",
            ),
            models.Index(
                fields=["received_at"], condition=Q(status="received"), name="statement_queue"
            ),
            models.Index(
                fields=["name_key"], condition=Q(name_key__isnull=False), name="statement_name_key"
            ),
            # The held queue (the workbench), oldest first.
            models.Index(fields=["received_at"], condition=Q(status="held"), name="statement_held"),
            models.Index(
                fields=["duplicate_of"],
                condition=Q(duplicate_of__isnull=False),
                name="statement_duplicate_of",
            ),
            # Live counts of rejections per reason (santui.statements.rejections, /methodology/):
            # an index-only scan over the rejected rows instead of the whole table.
            models.Index(
                fields=["reject_reason"], condition=Q(status="rejected"), name="statement_rejected"
            ),
            # The public statements, in number order: the office's round of published copies
            # (santui.statements.public.refresh_public_copies, every 2 s) reads these, not the
            # whole table (migration 0011).
            models.Index(
                fields=["id"], condition=Q(status="accepted", publish=True), name="statement_public"
            ),
            # The same by the time of their decision: the round of published copies between two
            # whole rounds reads those decided since it last looked (migration 0014).
            models.Index(
                fields=["decided_at"],
                condition=Q(status="accepted", publish=True),
                name="statement_public_decided",
            ),
            # Retention's search (santui.retention.run.statements_due): the decided statements
            # whose personal data is still kept, by the time of the decision (migration 0013).
            models.Index(
                fields=["decided_at"],
                condition=Q(status="rejected", shredded_at__isnull=True),
                name="statement_rejected_kept",
            ),
            models.Index(
                fields=["decided_at"],
                condition=Q(status="accepted", publish=False, shredded_at__isnull=True),
                name="statement_unpublished_kept",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} · {self.get_status_display()}"

    @property
    def organizations(self) -> list[str]:
        return [o for o in _ORGANIZATIONS if getattr(self, o)]


_ORGANIZATIONS = tuple(Organization.values)  # the enum builds its list at every call


class ExternalKey(models.Model):
    """A statement's external id within its source (``source``, ``external_id``), unique.

    The statements table cannot hold that constraint itself once partitioned (migration 0018).
    Every path that stores a statement with an external id writes its key in the same
    transaction (santui.statements.inserts, .bulk): a key already present refuses the statement
    (mail's IntegrityError) or skips it (an import's rerun). The statement keeps
    its own copy of both values, which the key table mirrors.

    No foreign key constraint in the database, as for QueuedEntry: the key and its statement
    are written by one statement (or one transaction on SQLite) and statements are never
    deleted; checking the key would be a locking read of the partitioned statements for each
    row an import writes. `santui tally verify` names a key that names no statement.
    """

    pk = models.CompositePrimaryKey("source", "external_id")
    source = models.CharField(max_length=64)
    external_id = models.CharField(max_length=200)
    # one key per statement, as its writers make it: no index (nothing looks a key up by it)
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = _("external key")
        verbose_name_plural = _("external keys")

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id} -> #{self.statement_id}"


class StatusChange(models.Model):
    """Append-only audit trail: one row per creation, status change or staff edit of a statement.

    A staff edit (``statement_edit``) records ``changes``: {field: [old, new]} for every field it
    changed. Personal data (name, contact, text) is recorded as changed, never by value
    (``["(changed)", "(changed)"]``); times are ISO 8601 in UTC.
    """

    # No foreign key constraint in the database since statements migration 0018: checking one
    # against the partitioned statements cost several times what it costs against one table
    # (PostgreSQL 15; with both keys the import ran at half its rate: docs/benchmarks.md, "The
    # statements in partitions", and bench/bench_partition_keys.py). Audit rows are written
    # with their statement, in its statement or transaction, and statements are never
    # deleted; `santui tally verify` names a row whose statement is not there.
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="changes", verbose_name=_("statement"),
        db_constraint=False,
    )  # fmt: skip
    from_status = models.CharField(_("from"), max_length=16, blank=True)  # blank: creation
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True, choices=RejectReason.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("by"),
        db_index=False,  # partial index in Meta: only staff rows carry one
    )
    via = models.CharField(_("via"), max_length=32)  # public form, back office, import, demo
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # {field: [old, new]} of a staff edit; NULL on every other row (bulk inserts leave it out)
    changes = models.JSONField(_("changes"), null=True, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("audit trail")
        indexes = [
            # The audit trail per staff member (back office): staff rows only, not the screener's
            # or the importer's, which carry no actor.
            models.Index(
                fields=["actor", "at"], condition=Q(actor__isnull=False), name="statuschange_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.from_status or '-'} -> {self.to_status}"


class EntryKind(models.TextChoices):
    ADD = "add", "add"
    REVOKE = "revoke", "revoke"


class LedgerEntry(models.Model):
    """What one accept adds to the counts, or one rejection of a counted statement takes away.

    Rows are only inserted, never changed: each goes in with its row of the queue
    (``QueuedEntry``, in the same transaction), and the integrator gives it its position in the
    log with a row of ``LogPosition``, in place of the queue's. A revoke copies the snapshot of
    the add it cancels, so integration subtracts exactly what was added.

    The position lived on this row until statements migration 0016: setting it was an UPDATE
    that PostgreSQL can never make in place (HOT), as the column is indexed, so that it wrote a
    new version of the whole row and an entry in each of its indexes, half of the integrator's
    time (docs/benchmarks.md, "Positions off the ledger").

    On PostgreSQL the table is partitioned by ranges of its id, a span of time each (migration
    0017, santui.statements.partitions).
    """

    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    # no foreign key constraint in the database since migration 0018, as StatusChange's
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="entries", db_constraint=False
    )
    revokes = models.ForeignKey(  # indexed where set: see Meta
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revoked_by",
        db_index=False,
    )
    day = models.DateField()
    headcount = models.PositiveIntegerField()
    party = models.BooleanField()
    league = models.BooleanField()
    pioneers = models.BooleanField()
    current_party_member = models.BooleanField()
    region = models.CharField(max_length=6, blank=True)  # province-level rollup key
    sector = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=16)
    name_kind = models.CharField(max_length=16)
    declarant = models.CharField(max_length=16, default=Declarant.SELF)
    reason = models.CharField(max_length=32, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="add") & Q(revokes__isnull=True) & Q(reason=""))
                | (Q(kind="revoke") & Q(revokes__isnull=False) & ~Q(reason="")),
                name="ledger_kind_shape",
            ),
            models.CheckConstraint(
                condition=Q(declarant__in=Declarant.values), name="ledger_declarant_valid"
            ),
        ]
        indexes = [
            # Where set only, so that adds (NULL) do not pay for it on insert. Not unique since
            # migration 0017: a partitioned table's unique index must hold its partition key
            # (the id). An add is revoked once because statement_reject revokes only an
            # accepted statement, under the lock of its row, and makes it rejected for good;
            # `santui tally verify` checks it.
            models.Index(
                fields=["revokes"], condition=Q(revokes__isnull=False), name="ledger_revokes"
            ),
        ]
        # No index for the queue or the positions here: they are QueuedEntry and LogPosition.
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} #{self.statement_id} @{self.position}"

    @property
    def position(self) -> int | None:
        """The entry's position in the log (its leaf index), or None while it is queued.

        A query that reads many entries annotates it as ``log_index`` (the public list's,
        santui.statements.public); otherwise it is read from the entry's LogPosition row."""
        if "log_index" in self.__dict__:
            return self.__dict__["log_index"]  # type: ignore[no-any-return]
        try:
            return self.log_position.position
        except LogPosition.DoesNotExist:
            return None


class QueuedEntry(models.Model):
    """A ledger entry not yet integrated: inserted with it, deleted by the integrator in the
    transaction that gives it its position. The integrator takes the oldest first (by id).

    No foreign key constraint in the database since migration 0017, as for LogPosition: its
    check at commit, a locking read of the ledger for each row (``FOR KEY SHARE``), cost more
    than the ledger's insert itself, and four times as much once the ledger was partitioned
    (docs/benchmarks.md, "The ledger in partitions"). Rows are inserted only with their ledger
    row, in its transaction, and ledger rows are never deleted; an integrator batch that takes
    a row naming no entry fails whole (the read of its leaves finds fewer entries than it
    numbered), and `santui tally verify` names such rows."""

    entry = models.OneToOneField(
        LedgerEntry,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="queued",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("queued ledger entry")
        verbose_name_plural = _("queued ledger entries")

    def __str__(self) -> str:
        return f"queued #{self.entry_id}"


class LogPosition(models.Model):
    """An integrated ledger entry's position in the log (its leaf index, 0, 1, 2, ... without
    gaps): only inserted, by the integrator, in the batch's transaction.

    No foreign key constraint in the database: its check locked every numbered ledger row
    (``FOR KEY SHARE``, a write to the row), which cost about as much as the insert itself. The
    integrator takes the entries from the queue, whose rows have the constraint, and ledger rows
    are never deleted; `santui tally verify` reads every position through its entry."""

    position = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="log_position", db_constraint=False
    )
    integrated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("log position")
        verbose_name_plural = _("log positions")

    def __str__(self) -> str:
        return f"#{self.entry_id} @{self.position}"


class PublishedEntry(models.Model):
    """The integrated add of a statement published with its declarant's consent: what the public
    statement list filters by region or day and pages by position (santui.statements.public).

    Written by the integrator in the transaction that gives the add its position, for the adds
    whose statement has ``publish`` set (fixed once a statement is accepted, as an accepted
    statement is frozen); never changed after. A statement rejected later keeps its row: the
    list reads only accepted statements. `santui tally verify` checks that the rows are exactly
    the integrated adds of published statements. Its own narrow table, so that the index cost
    falls on the published share (about one in a hundred), not on every entry of the ledger.
    """

    position = models.BigIntegerField(primary_key=True)  # the add's position (its leaf index)
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="published")
    day = models.DateField()  # the add's
    region = models.CharField(max_length=6, blank=True)  # the add's rollup key

    class Meta:
        indexes = [
            models.Index(fields=["region", "position"], name="published_region"),
            models.Index(fields=["day"], name="published_day"),
        ]
        verbose_name = _("published entry")
        verbose_name_plural = _("published entries")

    def __str__(self) -> str:
        return f"published #{self.entry_id} @{self.position}"


class PublicCopy(models.Model):
    """The name and text of a public statement (accepted, its declarant consented), in clear:
    what the public server shows, since it cannot decrypt (issue 12). Written by the office,
    which holds the key (``santui public-copies``, santui.statements.public), and deleted once
    the statement stops being public; no row for any other statement."""

    statement = models.OneToOneField(
        Statement, primary_key=True, on_delete=models.CASCADE, related_name="public_copy"
    )
    name = models.TextField(blank=True)  # "" for an anonymous statement
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("published copy")
        verbose_name_plural = _("published copies")

    def __str__(self) -> str:
        return f"published copy #{self.statement_id}"
