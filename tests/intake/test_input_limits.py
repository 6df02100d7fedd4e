"""Issue 12: bounded memory per import line and per message.

An import line (CSV: record) over SANTUI_IMPORT_MAX_LINE bytes is a reject with its size, read
in pieces, never whole; an mbox is split in pieces too; a message over SANTUI_MAIL_MAX_BYTES is
quarantined without being read whole; HTML is turned into text with bounded work. Small limits
are set in each test, so the hostile inputs stay small."""

from __future__ import annotations

import io
import json
import mailbox
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.intake import importer
from santui.intake.mail import message as mime
from santui.intake.mail import sources
from santui.intake.models import Quarantine
from santui.statements.crypto import decrypt_bytes
from santui.statements.models import Statement
from tests.intake.mailmaker import STATEMENT, mbox, text_mail
from tests.intake.test_import import CSV_HEAD, good, jsonl, run_bytes
from tests.intake.test_mail_ingest import ingest, write

LIMIT = 1000


class Spy(io.RawIOBase):
    """A file that records how much each read asked for: what a reader holds at once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0
        self.largest = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: len(self.data)}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: Any) -> int:
        self.largest = max(self.largest, len(buffer))
        chunk = self.data[self.position : self.position + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)


def _spied(data: bytes) -> tuple[Spy, io.BufferedReader]:
    spy = Spy(data)
    return spy, io.BufferedReader(spy, buffer_size=8192)


# --- import lines --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_jsonl_line_over_the_limit_is_a_reject_with_its_size(
    tmp_path: Path, settings: Any
) -> None:
    settings.SANTUI_IMPORT_MAX_LINE = LIMIT
    huge = json.dumps(good("huge", text="x" * 5000))
    at_limit = json.dumps(good("edge", text="y" * (LIMIT - 200)))
    at_limit = at_limit.replace('"yyy', '"' + "y" * (LIMIT - 1 - len(at_limit)) + "yyy", 1)
    assert len(at_limit) + 1 == LIMIT  # with its line end
    run = run_bytes(tmp_path, jsonl(good("a"), huge, at_limit, good("b")))
    (reject,) = run.rejects
    assert reject["line"] == 2
    assert reject["reason"] == f"row too large: {len(huge) + 1} bytes, at most {LIMIT}"
    assert huge.startswith(reject["raw"]) and len(reject["raw"]) <= importer.REJECT_HEAD
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "edge", "b"}


@pytest.mark.django_db
def test_a_csv_line_or_record_over_the_limit_is_a_reject(tmp_path: Path, settings: Any) -> None:
    settings.SANTUI_IMPORT_MAX_LINE = LIMIT
    rows = [
        "a,2005-01-03,web,party,1,ok",
        "long,2005-01-03,web,party,1," + "x" * 3000,  # one line over the limit
        'multi,2005-01-03,web,party,1,"' + "\n".join(["line of a record"] * 100) + '"',
        "b,2005-01-03,web,party,1,ok",
    ]
    run = run_bytes(tmp_path, (CSV_HEAD + "\n".join(rows) + "\n").encode(), name="in.csv")
    assert [(r["line"], r["reason"][:13]) for r in run.rejects] == [
        (3, "row too large"), (4, "row too large"),
    ]  # fmt: skip
    assert run.rejects[0]["reason"] == f"row too large: {len(rows[1]) + 1} bytes, at most {LIMIT}"
    assert run.rejects[1]["raw"].startswith('multi,2005-01-03,web,party,1,"line of a record')
    # the rows after them keep their line numbers and land
    assert set(Statement.objects.values_list("external_id", flat=True)) == {"a", "b"}


@pytest.mark.django_db
def test_a_csv_header_over_the_limit_stops_the_import_with_a_reason(
    tmp_path: Path, settings: Any
) -> None:
    from django.core.management.base import CommandError

    settings.SANTUI_IMPORT_MAX_LINE = LIMIT
    with pytest.raises(CommandError, match="row too large"):
        run_bytes(tmp_path, b"external_id" + b",x" * 1000 + b"\n", name="in.csv")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_huge_line_is_read_in_bounded_pieces(fmt: str) -> None:
    """A line of 3 MB: no read asks for more than the limit (or a skipping piece), and the
    rows around it come through."""
    line = b"x" * 3_000_000
    if fmt == "jsonl":
        data = jsonl(good("a"), line, good("b"))
        spy, stream = _spied(data)
        rows = list(importer.read_jsonl(stream, limit=LIMIT))
    else:
        data = (CSV_HEAD + "a,2005-01-03,web,party,1,ok\n").encode() + line + b"\nb,2\n"
        spy, stream = _spied(data)
        rows = list(importer.read_csv(stream, limit=LIMIT))
    too_large = [r for r in rows if r.error.startswith("row too large")]
    assert len(too_large) == 1 and f"{len(line) + 1} bytes" in too_large[0].error
    assert len(rows) == 3
    assert spy.largest <= max(importer.SKIP_PIECE, LIMIT + 1, 8192)
    assert spy.position == len(data)


@given(st.lists(st.integers(0, 3 * LIMIT), max_size=8), st.booleans())
def test_bounded_lines_gives_every_line_and_its_size(lengths: list[int], last_eol: bool) -> None:
    lines = [b"x" * n + b"\n" for n in lengths]
    if lines and not last_eol:
        lines[-1] = lines[-1][:-1]
    got = list(importer.bounded_lines(io.BytesIO(b"".join(lines)), LIMIT))
    expected = [line for line in lines if line]
    assert [size for _, size in got] == [len(line) for line in expected]
    for (head, size), line in zip(got, expected, strict=True):
        assert head == (line if size <= LIMIT else line[: LIMIT + 1])


# --- mail ---------------------------------------------------------------------------------------


_MBOX_LINES = st.lists(
    st.sampled_from(
        [b"From a@b Wed May 1\n", b"\n", b"x\n", b"From x", b">From y\n", b"Subject: s\n",
         b"\r\n", b"y" * 30 + b"\n", b"From " + b"z" * 40 + b"\n"]
    ),
    max_size=25,
)  # fmt: skip


@settings(max_examples=300)
@given(lines=_MBOX_LINES)
def test_mbox_is_split_as_the_standard_library_splits_it(
    lines: list[bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same messages as mailbox.mbox, with lines read 7 bytes at a time."""
    path = tmp_path_factory.mktemp("mbox") / "box"
    path.write_bytes(b"From first\n" + b"".join(lines))
    box = mailbox.mbox(str(path), factory=None, create=False)
    expected = [box.get_bytes(key, from_=False) for key in box.iterkeys()]
    box.close()
    original = sources.LINE_PIECE
    sources.LINE_PIECE = 7
    try:
        got = [m.data for m in sources.read_paths([str(path)], max_bytes=10_000)]
    finally:
        sources.LINE_PIECE = original
    assert got == expected


def test_an_mbox_line_of_megabytes_is_measured_not_read(tmp_path: Path) -> None:
    big = text_mail(message_id="<big@x>") + b"y" * 3_000_000  # one line of 3 MB
    path = write(tmp_path, "box", mbox(big, text_mail(message_id="<after@x>")))
    spy, stream = _spied(path.read_bytes())
    spans: Iterator[tuple[int, int]] = sources.mbox_spans(stream)  # type: ignore[arg-type]
    (first, stop), (second, end) = list(spans)
    assert spy.largest <= max(sources.LINE_PIECE, 8192)
    assert stop - first > 3_000_000 and second > stop and end == len(spy.data) - 1  # blank line
    found = list(sources.read_paths([str(path)], max_bytes=100_000))
    assert [m.data is None for m in found] == [True, False]
    assert found[0].size > 3_000_000 and len(found[0].head) == sources.HEAD_BYTES


@pytest.mark.django_db
def test_a_message_over_the_configured_size_is_quarantined_unread(
    tmp_path: Path, settings: Any
) -> None:
    settings.SANTUI_MAIL_MAX_BYTES = 20_000
    big = text_mail(message_id="<big@x>") + b"A" * 50_000
    small = text_mail(message_id="<small@x>")
    box = write(tmp_path, "box", mbox(big, small))
    first, second = ingest(box)
    assert (first["status"], first["reason"]) == ("quarantined", "too_large")
    assert second["status"] == "received"
    quarantine = Quarantine.objects.get()
    assert quarantine.raw_truncated and quarantine.mail.size > 50_000
    assert len(decrypt_bytes(bytes(quarantine.raw))) <= sources.HEAD_BYTES
    (line,) = ingest(write(tmp_path, "big.eml", big), max_size=100_000)  # the option wins
    assert line["status"] == "duplicate"  # the same message: taken in once, whatever the limit


@pytest.mark.parametrize(
    "unit",
    ["<a", "</", "<!--", "<![", "<?", "<!x", "<p>x</p>", "<div>", '<a b="'],
)
def test_html_to_text_takes_linear_work_on_hostile_markup(unit: str) -> None:
    """The standard library's HTML parser, under Beautiful Soup, took minutes on 2 MiB of "<a"
    (and raised on "<!["): the whole message limit of HTML is now read in well under the
    generous bound here (timings: docs/benchmarks.md, "Mail fuzzing")."""
    markup = unit * (mime.MAX_HTML_BYTES // len(unit)) + "<p>" + STATEMENT
    raw = text_mail(markup[: mime.MAX_HTML_BYTES - 64], subtype="html", cte="8bit")
    started = time.monotonic()
    reason = None
    try:
        mime.content(mime.parse(raw))
    except mime.Unreadable as exc:
        reason = exc.reason
    assert reason in (None, "too_complex", "malformed")
    assert time.monotonic() - started < 20


def test_html_over_the_limit_across_parts_is_too_complex() -> None:
    part = b"<p>" + b"x" * (mime.MAX_HTML_BYTES // 2) + b"</p>"
    raw = (
        b'From: a@b.c\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
        + b"".join(b"--b\r\nContent-Type: text/html\r\n\r\n" + part + b"\r\n" for _ in range(3))
        + b"--b--\r\n"
    )
    with pytest.raises(mime.Unreadable) as caught:
        mime.content(mime.parse(raw))
    assert caught.value.reason == "too_complex"


@pytest.mark.parametrize("where", ["one field", "many parts"])
def test_a_flood_of_mime_parameters_is_too_complex(where: str) -> None:
    """The standard library parses Content-Type parameters in quadratic time (370 KB of them
    took a minute): one field is read up to MAX_FIELD_BYTES, a message's fields up to
    MAX_FIELD_WORK bytes in all."""
    params = "".join(f"; name*{n}*=utf-8''%41" for n in range(20_000))
    if where == "one field":
        raw = f"From: a@b.c\r\nContent-Type: text/plain{params}\r\n\r\nx".encode()
    else:
        part = f"--b\r\nContent-Type: text/plain{params[:3000]}\r\n\r\nx\r\n".encode()
        raw = b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + part * 150 + b"--b--"
    started = time.monotonic()
    with pytest.raises(mime.Unreadable) as caught:
        mime.content(mime.parse(raw))
    assert caught.value.reason == "too_complex"
    assert time.monotonic() - started < 20  # a minute and more before
