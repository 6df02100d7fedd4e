"""The fuzzer's regression corpus (tests/intake/mail_corpus/, written by bench/fuzz_mail.py):
every input that once broke the mail reader is read again, alone and through `santui
ingest-mail`, and must be quarantined or taken in, never raise, and be stored once."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from santui.intake.mail import message as mime
from santui.intake.mail.trace import holds_address
from santui.intake.models import MailMessage, QuarantineReason

CORPUS = Path(__file__).resolve().parent / "mail_corpus"
FILES = sorted(CORPUS.glob("*.eml"))
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 4  # the fuzzer's first finds, on the code before issue 12


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_reader_raises_only_unreadable_and_keeps_no_address(path: Path) -> None:
    raw = path.read_bytes()
    problem: mime.Unreadable | None = None
    try:
        msg = mime.parse(raw)
        ident = mime.identity(msg)
        found = mime.content(msg)
    except mime.Unreadable as exc:  # anything else fails the test
        problem = exc
    if problem is not None:
        assert problem.reason in QuarantineReason.values
        assert len(problem.detail) <= 300
    else:
        found.text.encode("utf-8")  # storable: no lone surrogate
        assert "\x00" not in found.text and "\n" not in ident.subject
    kept = mime.strip_trace_headers(raw)
    assert mime.strip_trace_headers(kept) == kept
    end = _HEADER_END.search(kept)
    assert not holds_address(kept if end is None else kept[: end.start()])


@pytest.mark.django_db
def test_ingest_mail_takes_the_whole_corpus_in_one_run(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in FILES:
        shutil.copy(path, folder / path.name)
    out = io.StringIO()
    call_command("ingest-mail", str(folder), json=True, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == len(FILES)
    assert {line["status"] for line in lines} <= {"received", "quarantined", "duplicate"}
    stored = MailMessage.objects.count()
    assert stored == sum(line["status"] != "duplicate" for line in lines)
    again = io.StringIO()
    call_command("ingest-mail", str(folder), json=True, stdout=again)
    assert {json.loads(line)["status"] for line in again.getvalue().splitlines()} == {"duplicate"}
    assert MailMessage.objects.count() == stored
