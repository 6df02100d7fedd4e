"""The screener's array arithmetic against plain definitions: the batch MinHash against
datasketch's own, the vectorized flood windows against the rule written out in Python."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from typing import Any

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.screening import features as f
from santui.screening import rules as r
from santui.screening.actions import _Windows

texts = st.lists(
    st.text(alphabet=st.sampled_from("我声明退出中共党团队abcxyz0129 ，。□"), max_size=60),
    min_size=1,
    max_size=12,
)


@given(texts)
@settings(max_examples=150)
def test_batch_minhash_is_datasketch_minhash(batch: list[str]) -> None:
    """signatures() of a batch gives, value for value, what MinHash.bulk gives text by text."""
    sets = [f.shingles(t) or [b""] for t in batch]
    expected = [m.hashvalues for m in MinHash.bulk(sets, num_perm=f.NUM_PERM, seed=f.SEED)]
    got = f.signatures(batch)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.dtype == theirs.dtype
        assert np.array_equal(mine, theirs)


def test_signatures_of_no_text() -> None:
    assert f.signatures([]) == []


@given(st.sampled_from(["person", "band3", "sketch0", "text"]), st.binary(max_size=40))
def test_blind_key_is_keyed_blake2b(purpose: str, value: bytes) -> None:
    """The copied keyed state gives the keyed hash computed from scratch."""
    digest = hashlib.blake2b(value, key=f._purpose_key(purpose), digest_size=8).digest()
    assert f.blind_key(purpose, value) == int.from_bytes(digest, "big", signed=True)


@given(st.lists(st.binary(min_size=4, max_size=4), min_size=f.NUM_PERM, max_size=f.NUM_PERM))
def test_band_keys_are_blind_keys_of_each_band(parts: list[bytes]) -> None:
    values = np.frombuffer(b"".join(parts), dtype="<u4").copy()
    assert f.band_keys(values) == [
        f.blind_key(f"band{i}", values[i * f.ROWS : (i + 1) * f.ROWS].astype("<u4").tobytes())
        for i in range(f.BANDS)
    ]


def _surge_by_definition(
    cells: dict[tuple[int, int], int], key: int, bucket: int, minimum: int, rules: r.RuleSet
) -> tuple[bool, int, float]:
    """docs/screening.md's flood rule, one window at a time."""
    w = rules.window_buckets

    def window(b: int) -> int:
        return sum(cells.get((key, x), 0) for x in range(b - w, b + w + 1))

    day = 24 * 60 // rules.bucket_minutes
    days, recent, width = rules.baseline_days, rules.recent_windows, 2 * w + 1
    same_hour = sum(window(bucket - d * day) for d in range(1, days + 1)) / days
    before = sum(window(bucket - width * i) for i in range(1, recent + 1)) / recent
    expected = max(same_hour, before)
    count = window(bucket)
    return count >= minimum and count >= rules.flood_ratio * expected, count, expected


KEYS = [-(2**63), -5, 0, 7, 2**63 - 1]
DAY = 144


@given(
    st.dictionaries(
        st.tuples(st.sampled_from(KEYS), st.integers(0, 9 * DAY)),
        st.integers(1, 60),
        max_size=300,
    ),
    st.lists(
        st.tuples(st.sampled_from([*KEYS, 3]), st.integers(-5, 10 * DAY), st.integers(1, 40)),
        min_size=1,
        max_size=30,
    ),
)
@settings(max_examples=200)
def test_vectorized_windows_follow_the_rule(
    cells: dict[tuple[int, int], int], wanted: list[tuple[int, int, int]]
) -> None:
    windows = _Windows(r.RULES)
    windows.add(np.array([(k, b, n) for (k, b), n in cells.items()], dtype=np.int64))
    windows.prepare(wanted)
    for key, bucket, minimum in wanted:
        assert windows.surge(key, bucket, minimum) == _surge_by_definition(
            cells, key, bucket, minimum, r.RULES
        )


def test_windows_with_no_cells() -> None:
    windows = _Windows(r.RULES)
    assert windows.surge(1, 1000, 1) == (False, 0, 0.0)


def test_windows_take_the_last_value_added_for_a_cell() -> None:
    """A key loaded again (the duplicates' count, after the batch's own were added) replaces
    its cells: no cell is counted twice."""
    windows = _Windows(r.RULES)
    windows.add(np.array([(7, 100, 2), (7, 101, 1), (8, 100, 5)]))
    assert windows.surge(7, 100, 1)[1] == 3
    windows.add(np.array([(7, 100, 9)]))
    assert windows.surge(7, 100, 1)[1] == 10
    assert windows.surge(8, 100, 1)[1] == 5


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_fold_drops_what_its_definition_drops(text: str) -> None:
    """``fold`` (a translate table filled as characters are met) equals its definition: NFKC,
    Simplified, case folded, then every control, punctuation, symbol and space dropped."""
    import unicodedata

    from santui.textparse.normalize import to_simplified

    folded = to_simplified(unicodedata.normalize("NFKC", text)).casefold()
    expected = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "CPSZ")
    assert f.fold(text) == expected


signature = st.one_of(
    st.none(), st.binary(min_size=128, max_size=128), st.binary(min_size=0, max_size=6)
)


@given(signature, st.lists(signature, max_size=8))
@settings(max_examples=300)
def test_similarities_of_many_are_each_similarity(
    mine: bytes | None, theirs: list[bytes | None]
) -> None:
    """The candidates' similarities in one array operation equal ``similarity`` one by one."""
    expected = [
        f.similarity(mine, t) if mine is not None and t is not None and len(mine) % 2 == 0
        and len(t) % 2 == 0 else 0.0
        for t in theirs
    ]  # fmt: skip
    assert f.similarities(mine, theirs) == expected


def test_settling_memory_collects_garbage_before_freezing_the_rest(monkeypatch: Any) -> None:
    """The screener freezes what its first round loaded out of the collector's sight; garbage
    cycles left then are collected first, never frozen (a leak), and it happens once."""
    import gc
    import weakref

    from santui.screening import run

    class Node:
        other: Any = None

    monkeypatch.setitem(run._settled, "done", False)
    kept = Node()
    cycle = Node()
    cycle.other = Node()
    cycle.other.other = cycle
    gone = weakref.ref(cycle)
    del cycle
    frozen_before = gc.get_freeze_count()
    try:
        run.settle_memory()
        assert gone() is None  # collected, not frozen
        assert gc.get_freeze_count() > frozen_before  # what lives on is frozen, ``kept`` too
        # Once: a second call freezes nothing more. (The frozen count itself is no measure of
        # that; it falls whenever a frozen object is freed, by this or any other thread.)
        calls: list[str] = []
        monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
        monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
        run.settle_memory()
        assert calls == []
        monkeypatch.setitem(run._settled, "done", False)
        run.settle_memory()  # the spies see a first call
        assert calls == ["collect", "freeze"]
    finally:
        gc.unfreeze()
    assert kept.other is None


def test_datasketch_and_scipy_load_at_the_first_signature_not_with_the_commands() -> None:
    """The import command (which screens) starts without datasketch, whose package pulls in
    scipy (0.7 s of every command's start-up); the first signature loads it."""
    code = (
        "import sys, importlib, django; django.setup(); "
        "importlib.import_module('santui.intake.management.commands.import'); "
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules)); "
        "from santui.screening.features import signatures; signatures(['退党']); "
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "santui.config.settings.test"}
    done = subprocess.run(  # noqa: S603  # this interpreter, our own code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["[]", "['datasketch', 'scipy']"]
