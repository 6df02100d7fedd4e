"""The public log in the registry: the integrator advances tree, rollups and checkpoint together;
leaves say only what is counted; `tally verify` catches a log that disagrees with the ledger."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from santui.statements.actions import statement_accept, statement_receive, statement_reject
from santui.statements.models import LedgerEntry, QueuedEntry, Statement
from santui.statements.receipts import commitment_of
from santui.tally import actions as tally_actions
from santui.tally import log
from santui.tally.actions import tally_integrate
from santui.tally.models import Checkpoint, IntegrationState, LogTile
from santui.tally.verify import tally_verify
from santui.tlog import leaf as leafcodec
from santui.tlog import merkle, note, tiles
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2006, 6, 27, 4, 0, tzinfo=dt.UTC)


def _root_of_ledger(size: int) -> bytes:
    return merkle.root_of(merkle.leaf_hash(x) for x in log.ledger_leaves(0, size))


def test_each_batch_signs_a_checkpoint_of_the_integrated_size() -> None:
    for _ in range(5):
        AcceptedStatementFactory(received_at=DAY)
    ReceivedStatementFactory()  # not accepted: not in the log
    result = tally_integrate(batch_size=2)
    assert result.size == 5
    sizes = list(Checkpoint.objects.order_by("size").values_list("size", flat=True))
    assert sizes == [2, 4, 5]  # every checkpoint kept
    latest = log.latest_checkpoint()
    assert latest is not None
    checkpoint, _ = note.open_checkpoint(latest.note, log.log_signer().verifier)
    assert checkpoint.size == IntegrationState.objects.get(pk=1).size == 5
    assert checkpoint.root == _root_of_ledger(5)
    assert checkpoint.origin == log.log_signer().name


def test_add_leaf_carries_only_day_headcount_organizations_and_commitment() -> None:
    got = statement_receive(
        channel="web", organizations=["party", "pioneers"], name_kind="real", name="王小明",
        headcount=3, region="210102", sector="police", source="web", via="t",
        received_at=DAY, issue_receipt=True, contact="wang@example.org",
    )  # fmt: skip
    statement_accept(statement=got.statement, by=None, via="t")
    tally_integrate()
    [data] = log.leaves(0, 1)
    leaf = leafcodec.decode(data)
    assert leaf == leafcodec.AddLeaf(
        day=dt.date(2006, 6, 27),
        headcount=3,
        organizations=frozenset({"party", "pioneers"}),
        commitment=commitment_of(got.receipt_code or ""),
    )
    assert len(data) == 43
    for secret in ("王小明".encode(), b"wang@example.org", b"210102", b"police", b"web"):
        assert secret not in data


def test_statements_without_receipt_commit_to_distinct_random_values() -> None:
    a = AcceptedStatementFactory(received_at=DAY)
    b = AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    commitments = {leafcodec.decode(x).commitment for x in log.leaves(0, 2)}  # type: ignore[union-attr]
    assert len(commitments) == 2
    assert {bytes(a.commitment), bytes(b.commitment)} == commitments


def test_revoke_leaf_names_the_add_and_the_public_reason() -> None:
    AcceptedStatementFactory(received_at=DAY)
    drop = AcceptedStatementFactory(received_at=DAY, headcount=4)
    tally_integrate()
    statement_reject(statement=drop, by=None, reason="duplicate", note="secret note", via="t")
    tally_integrate()
    leaves = log.leaves(0, 3)
    assert leafcodec.decode(leaves[2]) == leafcodec.RevokeLeaf(add_index=1, reason="duplicate")
    assert b"secret" not in leaves[2]
    assert tally_verify().ok


def test_an_add_and_its_revoke_in_one_batch_name_each_other() -> None:
    """A statement accepted and rejected before the integrator ran: its add and its revoke are
    numbered in the same batch, and the revoke's leaf names the add's position."""
    AcceptedStatementFactory(received_at=DAY)
    drop = AcceptedStatementFactory(received_at=DAY, headcount=4)
    statement_reject(statement=drop, by=None, reason="duplicate", via="t")
    AcceptedStatementFactory(received_at=DAY, headcount=2)
    assert tally_integrate(batch_size=10).batches == 1
    leaves = log.leaves(0, 4)
    assert leafcodec.decode(leaves[2]) == leafcodec.RevokeLeaf(add_index=1, reason="duplicate")
    assert leaves == log.ledger_leaves(0, 4)  # what the ledger encodes, read again
    assert tally_verify().ok


def test_a_failing_batch_advances_neither_tree_nor_checkpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    AcceptedStatementFactory(received_at=DAY)

    def boom(*args: object) -> None:
        raise RuntimeError("crash after the tiles")

    original = log._sign
    monkeypatch.setattr(log, "_sign", boom)
    with pytest.raises(RuntimeError):
        tally_integrate()
    monkeypatch.setattr(log, "_sign", original)
    assert IntegrationState.objects.get(pk=1).size == 1
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1]
    assert QueuedEntry.objects.count() == 1
    assert tally_integrate().size == 2
    assert tally_verify().ok
    assert tally_actions  # the integrator module is what calls log_append


def test_proofs_from_the_database_verify_against_the_checkpoint() -> None:
    for i in range(300):  # more than one tile
        AcceptedStatementFactory(received_at=DAY, headcount=1 + i % 3)
    tally_integrate(batch_size=97)
    latest = log.latest_checkpoint()
    assert latest is not None and latest.size == 300
    root = bytes(latest.root)
    for index in (0, 1, 255, 256, 299):
        leaf_hash = merkle.leaf_hash(log.leaves(index, index + 1)[0])
        merkle.verify_inclusion(index, 300, leaf_hash, log.inclusion(index, 300), root)
    old = Checkpoint.objects.get(size=97)
    merkle.verify_consistency(97, 300, bytes(old.root), root, log.consistency(97, 300))
    with pytest.raises(log.LogError):
        log.inclusion(300, 300)
    with pytest.raises(log.LogError):
        log.consistency(10, 301)


def test_old_sizes_remain_provable_after_growth() -> None:
    for _ in range(40):
        AcceptedStatementFactory(received_at=DAY)
    tally_integrate(batch_size=13)
    for cp in Checkpoint.objects.all():
        assert merkle.tree_root(cp.size, tiles.subtree_reader(log.read_tile)) == bytes(cp.root)


def _corrupt_tile(level: int, index: int, offset: int) -> None:
    tile = LogTile.objects.get(level=level, index=index)
    data = bytearray(bytes(tile.data))
    data[offset] ^= 1
    LogTile.objects.filter(pk=tile.pk).update(data=bytes(data))


def test_tally_verify_catches_an_altered_leaf() -> None:
    for _ in range(3):
        AcceptedStatementFactory(received_at=DAY, headcount=2)
    tally_integrate()
    assert tally_verify().ok
    _corrupt_tile(tiles.ENTRIES, 0, 2 + 6)  # the headcount's low byte of leaf 0
    problems = tally_verify().problems
    assert any("leaf 0 differs from its ledger entry" in p for p in problems)
    assert any("root of the stored leaves differs" in p for p in problems)


def test_tally_verify_catches_an_altered_hash_tile() -> None:
    for _ in range(3):
        AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    _corrupt_tile(0, 0, 0)
    assert any("root from the tiles" in p for p in tally_verify().problems)


def test_tally_verify_catches_a_forged_checkpoint() -> None:
    AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    other = note.Signer.generate(log.log_signer().name)
    forged = note.sign(note.Checkpoint(other.name, 1, b"\x00" * 32).text, other)
    Checkpoint.objects.filter(size=1).update(note=forged)
    assert any("checkpoint 1: the note is not signed by" in p for p in tally_verify().problems)


def test_tally_verify_catches_a_bad_checkpoint_signature() -> None:
    AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    cp = Checkpoint.objects.get(size=1)
    text, sig = cp.note.split("\n\n")
    tampered = text.replace("\n1\n", "\n2\n") + "\n\n" + sig  # claim a bigger tree
    Checkpoint.objects.filter(pk=cp.pk).update(note=tampered)
    assert any("does not verify" in p for p in tally_verify().problems)


def test_tally_verify_catches_a_ledger_edit_behind_the_log() -> None:
    AcceptedStatementFactory(received_at=DAY, headcount=2)
    tally_integrate()
    LedgerEntry.objects.update(headcount=9)  # someone edits history in the database
    problems = tally_verify().problems
    assert any("leaf 0 differs from its ledger entry" in p for p in problems)


def test_signing_key_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "log.key"
    with override_settings(SANTUI_LOG_KEY_FILE=path, SANTUI_LOG_ORIGIN="example.org/santui"):
        log.log_signer.cache_clear()
        try:
            signer = log.log_signer()
            assert signer.name == "example.org/santui"
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
            with pytest.raises(FileExistsError):
                log.log_keygen(path)
            log.log_signer.cache_clear()
            assert log.log_signer() == signer  # read back, not regenerated
        finally:
            log.log_signer.cache_clear()


def test_log_checkpoint_now_signs_the_empty_log() -> None:
    cp = log.log_checkpoint_now(0)
    assert cp.size == 0 and bytes(cp.root) == merkle.EMPTY_ROOT
    assert log.log_checkpoint_now(0).pk == cp.pk


def test_a_proof_reads_a_few_tiles_and_no_statement() -> None:
    for _ in range(600):
        AcceptedStatementFactory(received_at=DAY)
    tally_integrate()
    with CaptureQueriesContext(connection) as ctx:
        log.inclusion(123, 600)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert Statement._meta.db_table not in tables
    # the checkpoint, then each tile once: 3 level-0 tiles at most (leaf's, edge's) + level 1
    assert len(ctx.captured_queries) <= 5
