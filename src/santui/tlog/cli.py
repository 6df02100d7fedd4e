"""``santui log verify|cosign|witness-key|check-proof``: the parts of ``santui log`` that anyone
runs against a log they do not operate. They need neither Django nor a database: ``santui``
dispatches them here before loading any settings, and ``python -m santui.tlog`` runs them too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from santui.tlog import client, merkle, note, proof, receiptcode
from santui.tlog import leaf as leafcodec

CLIENT_COMMANDS = ("verify", "cosign", "witness-key", "check-proof")


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "santui-log"


def _state_file(kind: str, origin_key: note.Verifier) -> Path:
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in origin_key.name)
    return _state_dir() / f"{kind}-{safe}-{origin_key.key_id.hex()}.json"


def _read_key(text: str) -> note.Verifier:
    path = Path(text)
    if "+" not in text and path.exists():
        text = path.read_text("utf-8").strip()
    return note.parse_vkey(text)


def _print_verdict(verdict: client.Verdict, out: object) -> None:
    write = out.write  # type: ignore[attr-defined]
    for check in verdict.checks:
        write(f"  ok    {check}\n")
    for problem in verdict.problems:
        write(f"  FAIL  {problem}\n")
    root = verdict.root.hex()[:16] if verdict.root else "-"
    if verdict.ok:
        write(f"VERIFIED: {verdict.origin} at size {verdict.size} (root {root}…)\n")
    else:
        write(
            f"NOT VERIFIED: {len(verdict.problems)} problem(s) with {verdict.origin or 'the log'}\n"
        )


def cmd_verify(args: argparse.Namespace) -> int:
    key = _read_key(args.key)
    source = client.Source(args.source)
    state = Path(args.state) if args.state else _state_file("verify", key)
    witnesses = tuple(_read_key(w) for w in args.witness or ())
    bar = tqdm(unit="leaf", disable=args.quiet or not sys.stderr.isatty(), file=sys.stderr)
    verifier = client.LogVerifier(source, key, state, witnesses, progress=bar.update)
    failed = False
    rounds = 0
    try:
        while True:
            verdict = verifier.run()
            failed = failed or not verdict.ok
            _print_verdict(verdict, sys.stdout)
            sys.stdout.flush()
            rounds += 1
            if args.watch is None or (args.rounds and rounds >= args.rounds):
                break
            time.sleep(args.watch)
    except KeyboardInterrupt:
        pass
    finally:
        bar.close()
    return 1 if failed else 0


def cmd_cosign(args: argparse.Namespace) -> int:
    log_key = _read_key(args.log_key)
    witness = note.parse_skey(Path(args.witness_key).read_text("utf-8"))
    source = client.Source(args.source)
    state = Path(args.state) if args.state else _state_file("witness", log_key)
    cosigned, problems = client.witness_cosign(source, log_key, witness, state)
    for problem in problems:
        sys.stdout.write(f"  FAIL  {problem}\n")
    if problems:
        sys.stdout.write("NOT COSIGNED\n")
        return 1
    sys.stdout.write(cosigned)
    if args.submit:
        if not source.url:
            sys.stderr.write("--submit needs a site URL as SOURCE\n")
            return 2
        url = source.stats_location.rsplit("/stats", 1)[0] + "/log/cosignature"
        request = urllib.request.Request(  # noqa: S310  # http(s) only: Source checked it
            url, data=cosigned.encode(), headers={"Content-Type": "text/plain; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                sys.stderr.write(f"submitted: HTTP {response.status}\n")
        except urllib.error.HTTPError as exc:
            sys.stderr.write(f"submission refused: HTTP {exc.code} {exc.read()[:200]!r}\n")
            return 1
    return 0


def cmd_witness_key(args: argparse.Namespace) -> int:
    path = Path(args.out)
    signer = note.Signer.generate(args.name, note.COSIGNATURE_V1)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        sys.stderr.write(f"{path} exists: not overwriting a key\n")
        return 2
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(signer.skey + "\n")
    sys.stdout.write(signer.verifier.vkey + "\n")
    return 0


ORGANIZATION_NAMES = {
    "party": "the Chinese Communist Party",
    "league": "the Communist Youth League",
    "pioneers": "the Young Pioneers",
}


def _organizations(names: frozenset[str]) -> str:
    listed = [ORGANIZATION_NAMES[o] for o in ("party", "league", "pioneers") if o in names]
    if len(listed) == 1:
        return listed[0]
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def describe_leaf(leaf: leafcodec.Leaf) -> str:
    """What a leaf says, in a sentence (the days are the log's counting days)."""
    if isinstance(leaf, leafcodec.AddLeaf):
        persons = "1 person" if leaf.headcount == 1 else f"{leaf.headcount:,} persons"
        return (
            f"{persons} counted on {leaf.day.isoformat()} as withdrawn from "
            f"{_organizations(leaf.organizations)}"
        )
    return f"the statement of leaf {leaf.add_index} is no longer counted (reason: {leaf.reason})"


def _read_proof_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read(proof.MAX_DOCUMENT + 1)
    path = Path(name)
    if path.stat().st_size > proof.MAX_DOCUMENT:
        raise proof.ProofFileError("the file is too large to hold a proof")
    return path.read_bytes()


def _not_verified(reason: str, out: TextIO) -> int:
    out.write(f"NOT VERIFIED: {reason}.\n")
    return 1


def cmd_check_proof(args: argparse.Namespace) -> int:
    out = sys.stdout
    key = _read_key(args.key)
    try:
        data = _read_proof_input(args.file)
    except OSError as exc:
        return _not_verified(f"cannot read {args.file}: {exc.strerror or 'unreadable'}", out)
    except proof.ProofFileError as exc:
        return _not_verified(str(exc), out)
    try:
        parsed = proof.parse(proof.find(data))
    except proof.ProofFileError as exc:
        return _not_verified(f"not a readable proof: {exc}", out)
    try:
        checkpoint, _ = note.open_checkpoint(parsed.checkpoint, key)
    except note.NoteError as exc:
        return _not_verified(f"the checkpoint is not signed by the log key {key.name}: {exc}", out)
    out.write(f"  ok    checkpoint signed by {key.name}: the log had {checkpoint.size:,} leaves\n")
    if parsed.extra is None:
        return _not_verified("the proof carries no leaf (its extra line is missing)", out)
    try:
        leaf = leafcodec.decode(parsed.extra)
        merkle.verify_inclusion(
            parsed.index, checkpoint.size, merkle.leaf_hash(parsed.extra), parsed.hashes,
            checkpoint.root,
        )  # fmt: skip
    except leafcodec.LeafError as exc:
        return _not_verified(f"the leaf in the proof is not a leaf of this log: {exc}", out)
    except merkle.ProofError as exc:
        return _not_verified(f"leaf {parsed.index} is not proven to be in the log: {exc}", out)
    out.write(f"  ok    leaf {parsed.index} is in the tree of the log (inclusion proof checked)\n")
    if args.code:
        if not isinstance(leaf, leafcodec.AddLeaf):
            return _not_verified(
                "the leaf is not an add leaf (a counted statement): it has no receipt code", out
            )
        try:
            secret = receiptcode.normalize(args.code)
        except receiptcode.ReceiptCodeTypo:
            return _not_verified("the receipt code has a typo: check each character", out)
        except receiptcode.InvalidReceiptCode as exc:
            return _not_verified(f"not a receipt code: {exc}", out)
        commitment = leafcodec.receipt_commitment(leafcodec.receipt_secret(secret))
        if commitment != leaf.commitment:
            return _not_verified("the leaf does not commit to this receipt code", out)
        out.write("  ok    the leaf commits to this receipt code\n")
    out.write(f"VERIFIED: leaf {parsed.index} of {checkpoint.origin}: {describe_leaf(leaf)}.\n")
    if not args.code and isinstance(leaf, leafcodec.AddLeaf):
        out.write(
            "  note  this proves that a statement was counted; that it is the holder's, only "
            "their receipt code can show (--code). The log holds no names.\n"
        )
    return 0


def build_parser(prog: str = "santui log") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("verify", help="audit a log: signature, leaves, consistency, stats")
    p.add_argument("source", help="site URL (https://host) or directory of `santui log export`")
    p.add_argument("--key", required=True, help="the log's verifier key (vkey, or a file)")
    p.add_argument("--witness", action="append", help="require a cosignature by this witness")
    p.add_argument("--state", help="where to keep the last checkpoint seen")
    p.add_argument("--watch", type=float, metavar="SECONDS", help="keep monitoring")
    p.add_argument("--rounds", type=int, default=0, help="with --watch: stop after N rounds")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("cosign", help="act as a witness: cosign a consistent checkpoint")
    p.add_argument("source")
    p.add_argument("--log-key", required=True, help="the log's verifier key")
    p.add_argument("--witness-key", required=True, help="file with the witness's private key")
    p.add_argument("--state", help="where to keep the last checkpoint cosigned")
    p.add_argument("--submit", action="store_true", help="send the cosignature to the site")
    p.set_defaults(func=cmd_cosign)

    p = sub.add_parser("witness-key", help="make a witness key (cosignature/v1)")
    p.add_argument("name", help="the witness's name, e.g. witness.example.org")
    p.add_argument("--out", required=True, help="file for the private key (mode 0600)")
    p.set_defaults(func=cmd_witness_key)

    p = sub.add_parser(
        "check-proof", help="check a receipt's proof offline (tlog-proof file or certificate)"
    )
    p.add_argument(
        "file",
        help="a tlog-proof file, the text of a certificate's QR code, or a certificate saved "
        "as HTML; - reads standard input",
    )
    p.add_argument("--key", required=True, help="the log's verifier key")
    p.add_argument("--code", help="the receipt code: also check the leaf commits to it")
    p.set_defaults(func=cmd_check_proof)
    return parser


def main(argv: list[str], prog: str = "santui log") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        return int(args.func(args))
    except client.SourceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except note.NoteError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
