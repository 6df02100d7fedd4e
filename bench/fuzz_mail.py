"""Fuzz the mail reader for a given time; keep every input that breaks it as a regression corpus.

    .venv/bin/python bench/fuzz_mail.py --minutes 10 [--corpus DIR] [--seed N] [--slow SECONDS]

What is fuzzed is what `santui ingest-mail` runs on a message before it touches the database,
the pure part (``santui.intake.mail.message``, ``.charsets``, ``.html``, ``.trace``): the MIME
parser, the identity (Message-ID, sender, subject, date), the text and the files, and the copy
of the message the quarantine keeps (trace fields and addresses removed). Its contract: it
raises ``Unreadable`` (a quarantine reason) and nothing else; the text, the subject and the
detail are storable (no control character, no lone surrogate, a detail of at most 300
characters); the kept copy is stable (stripping it again changes nothing) and holds no
address in its header. An input that breaks the contract, or takes longer than ``--slow``
seconds, is written to the corpus (default ``tests/intake/mail_corpus/``) as
``<kind>-<sha256 prefix>.eml``, once per kind of failure (the exception's type and where it
was raised); ``tests/intake/test_mail_corpus.py`` replays the whole corpus through the reader
and through `santui ingest-mail` on both databases.

Inputs are drawn by hypothesis in batches until the time is up, half of them as
- raw bytes, and half as
- real-looking messages built from parts (headers with hostile charsets, RFC 2047 encoded words
  and RFC 2231 parameters, multiparts nested at random, forwarded messages, broken base64 and
  quoted-printable, HTML with unclosed constructs, trace fields with addresses in many forms),
  then mutated (bytes flipped, slices deleted, duplicated or spliced in from the corpus).

No coverage guidance (atheris has no wheel for this Python's newest release): the structured
generator aims where the reader branches. Figures are printed: inputs tried, inputs per second,
failures found (new and known), the slowest input.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import quopri
import random
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from benchlib import ROOT, revision

sys.path.insert(0, str(ROOT))  # tests.intake.mailmaker, for seed messages

mime: ModuleType  # santui.intake.mail.message of the santui fuzzed (--src), imported in main()

CORPUS = ROOT / "tests" / "intake" / "mail_corpus"
HEAD_BYTES = 64 * 1024
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_CONTROL = {chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}

# --- the contract -------------------------------------------------------------------------------


class Broken(AssertionError):
    """The reader kept its contract's letter (no exception) but not its spirit."""


def _storable(text: str, what: str, *, newlines: bool) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Broken(f"{what} holds a lone surrogate") from None
    bad = _CONTROL | (set() if newlines else {"\n", "\r", "\t"})
    if any(ch in bad for ch in text):
        raise Broken(f"{what} holds a control character")


def read_like_ingest(raw: bytes) -> None:
    """What santui.intake.mail.ingest does with a message, without the database."""
    try:
        msg = mime.parse(raw)
    except mime.Unreadable as exc:
        _detail(exc)
        msg = None
    if msg is None:
        ident = mime.identity(mime.parse_head(raw[:HEAD_BYTES]))
    else:
        ident = mime.identity(msg)
        try:
            found = mime.content(msg)
        except mime.Unreadable as exc:
            _detail(exc)
        else:
            _storable(found.text, "the text", newlines=True)
            for attachment in found.attachments:
                _storable(attachment.filename, "a file name", newlines=False)
    for value, what in ((ident.subject, "the subject"), (ident.sender, "the sender")):
        _storable(value, what, newlines=False)
    if ident.message_id is not None:
        _storable(ident.message_id, "the Message-ID", newlines=False)
    kept = mime.strip_trace_headers(raw)
    if mime.strip_trace_headers(kept) != kept:
        raise Broken("stripping the kept copy again changes it")
    _no_address_left(kept)


def _detail(exc: mime.Unreadable) -> None:
    if len(exc.detail) > 300:
        raise Broken("a detail longer than 300 characters")
    _storable(exc.detail, "a detail", newlines=False)


def _no_address_left(kept: bytes) -> None:
    try:
        from santui.intake.mail.trace import holds_address as holds
    except ImportError:  # an older santui, before santui.intake.mail.trace
        return
    end = _HEADER_END.search(kept)  # where santui.intake.mail.trace ends the header
    if holds(kept if end is None else kept[: end.start()]):
        raise Broken("an address survived in the kept header")


# --- inputs -------------------------------------------------------------------------------------

CHARSETS = [
    "utf-8", "gb2312", "gbk", "gb18030", "big5", "big5-hkscs", "hz-gb-2312", "us-ascii",
    "iso-8859-1", "utf-16", "utf-32", "utf-7", "shift_jis", "iso-2022-jp", "koi8-r",
    "undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape", "rot13", "base64",
    "zlib", "hex", "uu", "charmap", "x-unknown", "unknown-8bit", "", '""', "'", "\xff",
    "utf-8''", "*", "=?", "utf-8\x00", "ascii\r\n x", "a" * 300,
]  # fmt: skip
TEXTS = [
    "我声明退出中国共产党、共青团和少先队组织。", "我聲明退出中國共產黨、共青團和少先隊組織。",
    "三退", "xn--zz", "xn--55qx5d", "a..b", "\\N{", "\\x", "+ZeVnLE-", "~{;R~}", "\x00\x1b",
    "", " ", "\ufeff", "\ud800", "𠀀", "192.168.1.1", "3232235777", "0xC0A80101", "2001:db8::1",
]  # fmt: skip
DATES = [
    "Wed, 01 May 2024 10:00:00 +0000", "x", "", "99 Foo 99999 99:99:99 +9999",
    "Mon, 1 Jan 0001 00:00:00 -2400", "Tue, 31 Dec 9999 23:59:60 +9959",
]  # fmt: skip
ENCODINGS = ["base64", "quoted-printable", "8bit", "7bit", "binary", "x-uue", "uuencode", "", "b"]
HTML = [
    "<p>", "</p>", "<div>", "<b>", "<br>", "<a", "</", "<!--", "-->", "<![", "<![CDATA[", "]]>",
    "<?", "<!x", "&#", "&#0;", "&#xD800;", "&amp", "<script>", "</script>", "<style>",
    "<meta charset=undefined>", "<meta charset=big5>", '<a b="', "<td>", "<table>",
    "<plaintext>", "<xmp>", "<svg>", "<math>", "<template>", "\x00",
]  # fmt: skip
ADDRESSES = [
    "203.0.113.77", "[198.51.100.23]", "3232235777", "0xC0A80101", "0300.0250.01.01",
    "0xc0.0xa8.0x1.0x1", "2001:db8::1", "[IPv6:2001:db8:0:0:0:0:0:1]", "::ffff:192.0.2.1",
    "=?utf-8?B?MjAzLjAuMTEzLjc3?=", "=?utf-8?Q?203=2E0=2E113=2E77?=", "%32%30%33.0.113.77",
    "fe80::1%eth0",
]  # fmt: skip
TRACE = ["Received", "X-Originating-IP", "X-Forwarded-For", "Authentication-Results",
         "X-QQ-SSF", "X-Mailer-IP", "Subject", "Message-ID", "From", "References", "To",
         "Content-Type", "In-Reply-To", "X-Anything"]  # fmt: skip


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    charset = draw(st.sampled_from(CHARSETS))
    kind = draw(st.sampled_from(["B", "Q", "b", "q", "X"]))
    payload = draw(st.sampled_from(TEXTS)).encode("utf-8", "surrogatepass")
    if kind in "Bb":
        body = base64.b64encode(payload).decode()
        if draw(st.booleans()):
            body = body.rstrip("=") + draw(st.sampled_from(["", "!", "@@", "="]))
    else:
        body = quopri.encodestring(payload, header=True).decode("ascii", "replace")
    return f"=?{charset}?{kind}?{body}?="


@st.composite
def header_value(draw: st.DrawFn) -> str:
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(TEXTS),
                st.sampled_from(ADDRESSES),
                encoded_word(),
                st.text(max_size=20),
            ),
            max_size=4,
        )
    )
    return " ".join(pieces)


@st.composite
def headers(draw: st.DrawFn) -> bytes:
    lines = []
    for name in draw(st.lists(st.sampled_from(TRACE), max_size=6)):
        value = draw(header_value())
        if draw(st.booleans()):
            value = value.replace(" ", "\r\n\t", 1)  # folded
        lines.append(f"{name}: {value}")
    if draw(st.booleans()):
        lines.append(
            f"Message-ID: <{draw(st.text(max_size=12))}@{draw(st.sampled_from(ADDRESSES))}>"
        )
    if draw(st.booleans()):
        lines.append(f"From: {draw(header_value())} <a@example.org>")
    if draw(st.booleans()):
        lines.append(f"Date: {draw(st.sampled_from(DATES))}")
    data = "\r\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):  # raw 8-bit bytes in the header
        data += b"\r\nSubject: " + draw(st.binary(max_size=30))
    return data


def _params(draw: st.DrawFn) -> str:
    params = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["charset", "name", "filename", "boundary", "format"]))
        charset = draw(st.sampled_from(CHARSETS))
        value = draw(st.sampled_from(TEXTS + ADDRESSES))
        style = draw(st.integers(0, 3))
        if style == 0:
            params.append(f'{name}="{value}"')
        elif style == 1:
            escaped = "".join(f"%{b:02x}" for b in value.encode("utf-8", "surrogatepass"))
            params.append(f"{name}*={charset}''{escaped}")
        elif style == 2:
            params.append(f"{name}*0*={charset}''%ff; {name}*1={value}")
        else:
            params.append(f"{name}={charset}")
    return "".join(f"; {p}" for p in params)


@st.composite
def body_part(draw: st.DrawFn, depth: int = 0) -> bytes:
    kind = draw(
        st.sampled_from(
            ["text/plain", "text/html", "image/jpeg", "application/zip", "message/rfc822"]
            + (["multipart/mixed", "multipart/alternative"] if depth < 4 else [])
        )
    )
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    disposition = draw(
        st.sampled_from(["", "attachment", "inline", "attachment; filename*=undefined''%ff"])
    )
    head = f"Content-Type: {kind}; charset={charset}{_params(draw)}"
    if cte:
        head += f"\r\nContent-Transfer-Encoding: {cte}"
    if disposition:
        head += f"\r\nContent-Disposition: {disposition}"
    if kind.startswith("multipart/"):
        boundary = draw(st.sampled_from(["b", "=_x", "", "--", "a b"]))
        head = f'Content-Type: {kind}; boundary="{boundary}"'
        parts = draw(st.lists(body_part(depth + 1), max_size=3))
        inner = b"".join(f"--{boundary}\r\n".encode() + p + b"\r\n" for p in parts)
        closing = f"--{boundary}--\r\n".encode() if draw(st.booleans()) else b""
        return head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + inner + closing
    if kind == "message/rfc822":
        inner = draw(message(depth + 1)) if depth < 4 else b"Subject: x\r\n\r\ny"
        return head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + inner
    if kind == "text/html":
        text = "".join(draw(st.lists(st.sampled_from(HTML + TEXTS), max_size=30)))
    else:
        text = draw(st.sampled_from(TEXTS))
    codec = draw(st.sampled_from(["utf-8", "gb18030", "big5", "utf-16", "latin-1"]))
    data = (
        text.encode(codec, "replace") if codec != "utf-8" else text.encode("utf-8", "surrogatepass")
    )
    if cte == "base64":
        data = base64.encodebytes(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))] + draw(
                st.sampled_from([b"!", b"=", b"==\r\n==", b"\xff"])
            )
    elif cte == "quoted-printable":
        data = quopri.encodestring(data)
        if draw(st.booleans()):
            data += draw(st.sampled_from([b"=", b"=Z", b"=\r", b"=E6=88"]))
    return head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + data


@st.composite
def message(draw: st.DrawFn, depth: int = 0) -> bytes:
    return draw(headers()) + b"\r\nMIME-Version: 1.0\r\n" + draw(body_part(depth))


def _mutate(draw: st.DrawFn, data: bytes, seeds: list[bytes]) -> bytes:
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 4))
        if op == 0:  # flip a byte
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif op == 1:  # delete a slice
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif op == 2:  # duplicate a slice
            piece = data[at : at + draw(st.integers(1, 256))]
            data = data[:at] + piece * draw(st.integers(2, 50)) + data[at:]
        elif op == 3 and seeds:  # splice in a piece of the corpus
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, max(len(other) - 1, 0)))
            data = data[:at] + other[start : start + draw(st.integers(1, 512))] + data[at:]
        else:  # insert interesting bytes
            data = (
                data[:at]
                + draw(
                    st.sampled_from(
                        [
                            b"\r\n",
                            b"\r\n\r\n",
                            b"\x00",
                            b"\xff\xfe",
                            b"--",
                            b"=?",
                            b"?=",
                            b"\r\n--b\r\n",
                            b'"',
                            b";",
                            b"\\",
                        ]
                    )
                )
                + data[at:]
            )
    return data


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    start = draw(st.one_of(message(), st.sampled_from(seeds)) if seeds else message())
    return _mutate(draw, start, seeds)


def inputs(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2048), mutated(seeds))


# --- the run ------------------------------------------------------------------------------------


def signature(exc: BaseException) -> str:
    """The exception's type and where it was raised (file:function), for one file per kind."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1] if frames else None
    place = f"{Path(where.filename).name}:{where.name}" if where else "?"
    if isinstance(exc, Broken):
        return f"Broken {exc}"
    return f"{type(exc).__name__} at {place}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds an input may take")
    parser.add_argument("--batch", type=int, default=500, help="inputs per hypothesis run")
    parser.add_argument("--save-slowest", type=Path, help="write the slowest input there")
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT / "src",
        help="the santui to fuzz (an older one: git archive REV src | tar -x -C DIR; DIR/src)",
    )
    args = parser.parse_args()
    global mime
    sys.path.insert(0, str(args.src))
    import santui.intake.mail.message

    mime = santui.intake.mail.message
    args.corpus.mkdir(parents=True, exist_ok=True)
    corpus = [p.read_bytes() for p in sorted(args.corpus.glob("*.eml"))]
    seeds = corpus + _test_messages()
    known = set()  # kinds of failure the corpus still reproduces
    for raw in corpus:
        try:
            read_like_ingest(raw)
        except Exception as exc:
            known.add(signature(exc))
    rng = random.Random(args.seed)
    found: dict[str, tuple[str, int]] = {}  # signature -> (file, times seen)
    tried = 0
    reading = 0.0  # seconds spent in the reader (the rest is hypothesis drawing inputs)
    slowest = (0.0, b"")
    deadline = time.monotonic() + args.minutes * 60
    print(f"santui {revision()} ({args.src}), Python {sys.version.split()[0]}")
    print(f"{len(seeds)} seed messages (the corpus and the tests' own)")
    print(f"corpus: {len(corpus)} inputs, {len(known)} kinds of failure they still reproduce")
    print(f"fuzzing the mail reader for {args.minutes:g} min (seed {args.seed})")

    def record(kind: str, raw: bytes, why: str) -> None:
        name = f"{kind}-{hashlib.sha256(raw).hexdigest()[:12]}.eml"
        if why in found:
            found[why] = (found[why][0], found[why][1] + 1)
            return
        found[why] = (name, 1)
        (args.corpus / name).write_bytes(raw)
        print(f"  {'known' if why in known else 'NEW'} {why}: {name} ({len(raw)} bytes)")

    def check(raw: bytes) -> None:
        nonlocal tried, slowest, reading
        tried += 1
        started = time.perf_counter()
        try:
            read_like_ingest(raw)
        except Exception as exc:
            record("broken" if isinstance(exc, Broken) else "crash", raw, signature(exc))
        took = time.perf_counter() - started
        reading += took
        if took > slowest[0]:
            slowest = (took, raw)
        if took > args.slow:
            record("slow", raw, f"slower than {args.slow:g} s")

    started = time.monotonic()
    while time.monotonic() < deadline:
        run = settings(
            max_examples=args.batch,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(inputs(seeds))(check))
        seed = rng.getrandbits(64)
        run = _seeded(run, seed)
        run()
    elapsed = time.monotonic() - started
    print(f"inputs tried          {tried:>10,}  ({tried / elapsed:,.0f}/s over {elapsed:,.0f} s)")
    print(f"kinds of failure      {len(found):>10,}")
    for why, (name, times) in sorted(found.items()):
        print(f"  {times:>8,} x {why}  -> {name}")
    print(f"time in the reader    {reading:>10.1f} s  (the rest: drawing inputs)")
    print(f"slowest input         {slowest[0]:>10.3f} s  ({len(slowest[1]):,} bytes)")
    if args.save_slowest:
        args.save_slowest.write_bytes(slowest[1])


def _seeded(test: Callable[[], None], seed: int) -> Callable[[], None]:
    from hypothesis import seed as hypothesis_seed

    return hypothesis_seed(seed)(test)  # type: ignore[no-any-return]


def _test_messages() -> list[bytes]:
    """Real-looking messages from the tests' own makers, as seeds for mutation."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santui.config.settings.test")
    from tests.intake import mailmaker as mk

    return [
        mk.text_mail(),
        mk.text_mail(mk.STATEMENT_HANT, charset="big5", cte="quoted-printable"),
        mk.text_mail("<p>" + mk.STATEMENT + "</p>", subtype="html", charset="gbk", label="gb2312"),
        mk.with_attachments(mk.STATEMENT, [("a.jpg", "image/jpeg", mk.JPEG)]),
        mk.mbox(mk.text_mail()),
    ]


if __name__ == "__main__":
    main()
