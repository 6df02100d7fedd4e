"""Peak memory and time of reading hostile input: one huge line, heavy HTML, a header bomb.

    .venv/bin/python bench/bench_hostile_input.py [--mb 300] [--before DIR]

Each case runs in a child process of its own (peak RSS from os.wait4, as in benchlib.run), on
files written once to a temporary folder:

- ``jsonl line``: an import file whose second line is ``--mb`` MB, read by
  ``santui.intake.importer.read_jsonl`` (what `santui import` reads with);
- ``csv record``: the same as a CSV record, read by ``read_csv``;
- ``mbox line``: an mbox whose first message has a line of ``--mb`` MB, split by
  ``santui.intake.mail.sources.read_paths`` with the default size limit (25 MiB);
- ``html 2 MiB``: one message with 2 MiB of ``<p>x</p>`` (just under the per-part limit of
  before, the per-message limit now), read by ``santui.intake.mail.message`` (parse and
  content), and ``html many``: 12 parts of it;
- ``header bomb``: a Content-Type of 16,000 RFC 2231 parameters (370 KB);
- ``mail photos``: a message of 25 MiB less a little (the default size limit) carrying three
  photos as base64 attachments, and ``mail 8-bit``: as large, one line of 8-bit bytes;
- ``start-up``: Django set up and the modules imported, nothing read (the floor).

With ``--before DIR`` every case runs a second time with ``DIR`` first on the path: an older
santui's ``src`` (``git archive REV src | tar -x -C /tmp/before``, then ``--before
/tmp/before/src``), for before/after figures in one run. A case that has not finished after
``--timeout`` seconds is reported as such. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path

from benchlib import PYTHON, ROOT, load, revision, run

CHILD = """
import os, sys, tempfile
os.environ["SANTUI_HOME"] = tempfile.mkdtemp(prefix="santui-bench-hostile-")
os.environ["DJANGO_SETTINGS_MODULE"] = "santui.config.settings.prod"
os.environ.pop("DATABASE_URL", None)
import django
django.setup()
from santui.intake import importer
from santui.intake.mail import message as mime
from santui.intake.mail.sources import read_paths
case, path = sys.argv[1], sys.argv[2]
out = "-"
if case in ("jsonl line", "csv record"):
    read = importer.read_jsonl if case == "jsonl line" else importer.read_csv
    with open(path, "rb") as stream:
        rows = list(read(stream))
    out = f"{len(rows)} rows, {sum(bool(r.error) for r in rows)} rejected"
elif case == "mbox line":
    found = list(read_paths([path], max_bytes=25 * 1024 * 1024))
    out = f"{len(found)} messages, {sum(m.data is None for m in found)} over the limit"
elif case != "start-up":
    raw = open(path, "rb").read()
    try:
        out = f"{len(mime.content(mime.parse(raw)).text):,} characters of text"
    except mime.Unreadable as exc:
        out = f"quarantined: {exc.reason}"
print(out)
"""


def _write_cases(folder: Path, mb: int) -> dict[str, Path]:
    """Written piece by piece: the parent stays small, since a child's peak RSS as os.wait4
    reports it starts from the parent's size when it was forked."""
    good = b'{"external_id": "a", "received_at": "2005-01-03", "channel": "web", "organizations": ["party"]}\n'  # noqa: E501
    piece = b"x" * 1_000_000
    paths = {}
    path = paths["jsonl line"] = folder / "line.jsonl"
    with open(path, "wb") as fh:
        fh.write(good + b'{"external_id": "huge", "text": "')
        for _ in range(mb):
            fh.write(piece)
        fh.write(b'"}\n' + good.replace(b'"a"', b'"b"'))
    path = paths["csv record"] = folder / "record.csv"
    with open(path, "wb") as fh:
        fh.write(b"external_id,received_at,channel,organizations,text\n")
        fh.write(b"a,2005-01-03,web,party,ok\nhuge,2005-01-03,web,party,")
        for _ in range(mb):
            fh.write(piece)
        fh.write(b"\nb,2005-01-03,web,party,ok\n")
    path = paths["mbox line"] = folder / "box.mbox"
    head = b"From a@example.org Wed May  1 10:00:00 2024\nFrom: a@example.org\nSubject: x\n\n"
    with open(path, "wb") as fh:
        fh.write(head)
        for _ in range(mb):
            fh.write(piece)
        fh.write(b"\n\n" + head + b"small\n")
    html = b"<p>x</p>" * ((2 * 1024 * 1024 - 1024) // 8)
    part = b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n"
    path = paths["html 2 MiB"] = folder / "html-one.eml"
    path.write_bytes(b"From: a@example.org\r\n" + part)
    path = paths["html many"] = folder / "html-many.eml"
    with open(path, "wb") as fh:
        fh.write(
            b'From: a@example.org\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
        )
        for _ in range(12):
            fh.write(b"--b\r\n" + part)
        fh.write(b"--b--\r\n")
    params = "".join(f"; name*{n}*=utf-8''%41" for n in range(16_000))
    path = paths["header bomb"] = folder / "bomb.eml"
    path.write_bytes(f"From: a@example.org\r\nContent-Type: text/plain{params}\r\n\r\nx".encode())
    limit = 25 * 1024 * 1024 - 64 * 1024
    path = paths["mail photos"] = folder / "photos.eml"
    with open(path, "wb") as fh:
        fh.write(
            b'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
            b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nstatement\r\n"
        )
        for _ in range(3):  # three photos of a quarter of the limit each, base64 (x 4/3)
            fh.write(
                b"--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            )
            for n in range(limit // 4 // 57_000):
                chunk = (b"\xff\xd8\xff\xe0" if n == 0 else b"") + os.urandom(57_000)
                fh.write(base64.encodebytes(chunk[:57_000]))
        fh.write(b"--b--\r\n")
    path = paths["mail 8-bit"] = folder / "eight-bit.eml"
    with open(path, "wb") as fh:
        fh.write(b"From: a@example.org\r\n\r\n")
        for _ in range(limit // 1_000_000):
            fh.write(bytes(range(128, 256)) * 7812)
    paths["start-up"] = folder / "line.jsonl"
    return paths


def _measure(case: str, path: Path, src: Path, timeout: float) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(src)
    cmd = ["timeout", str(int(timeout)), PYTHON, "-c", CHILD, case, str(path)]
    started = time.perf_counter()
    try:
        done = run(cmd, env)
    except SystemExit as exc:  # benchlib.run exits on failure: a timeout or a crash
        took = time.perf_counter() - started
        last = str(exc).strip().splitlines()[-1:] or [""]
        if took >= timeout - 1:
            return f"{'> ' + str(int(timeout)) + ' s':>10}  {'-':>9}  not finished"
        return f"{took:>8.1f} s  {'-':>9}  failed: {last[0][:60]}"
    return f"{done.wall:>8.1f} s  {done.maxrss_mb:>6,.0f} MiB  {done.stdout.strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=300, help="size of the huge line, in MB")
    parser.add_argument("--before", type=Path, help="an older santui's src folder")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    print(f"santui {revision()}, Python {sys.version.split()[0]}, {load()}")
    with tempfile.TemporaryDirectory(prefix="santui-bench-hostile-") as folder:
        paths = _write_cases(Path(folder), args.mb)
        sources = [("now", ROOT / "src")]
        if args.before:
            sources.append(("before", args.before))
        print(f"{'case':<12} {'code':<7} {'wall':>10}  {'peak RSS':>9}  result")
        for case, path in paths.items():
            for label, src in sources:
                print(f"{case:<12} {label:<7} {_measure(case, path, src, args.timeout)}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
