"""C2SP signed notes with Ed25519 keys, C2SP checkpoints and tlog-cosignature/v1.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> <base64(key id || signature)>``. A key ID is the first four bytes of
``SHA-256(name || 0x0A || type || public key)``; type 0x01 is an Ed25519 note signature and 0x04
an Ed25519 cosignature/v1, which signs ``cosignature/v1\\ntime <t>\\n`` followed by the
checkpoint text and carries ``key id || t (uint64) || signature``. Keys are written as
``<name>+<hex id>+<base64(type || public key)>`` (verifier) and
``PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>`` (signer). Ed25519 itself is
`cryptography`'s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"  # the em dash that starts a signature line
MAX_NOTE = 1_000_000
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, key or signature that is malformed or does not verify."""


def _valid_name(name: str) -> bool:
    return (
        bool(name) and "+" not in name and not any(c.isspace() for c in name) and name.isprintable()
    )


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError("bad base64") from None


@dataclass(frozen=True)
class Verifier:
    name: str
    kind: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    @property
    def vkey(self) -> str:
        raw = base64.b64encode(bytes([self.kind]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"

    def check(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    kind: int
    seed: bytes

    @classmethod
    def generate(cls, name: str, kind: int = ED25519) -> Signer:
        if not _valid_name(name):
            raise NoteError(f"bad key name {name!r}: no spaces or '+'")
        return cls(name, kind, Ed25519PrivateKey.generate().private_bytes_raw())

    @property
    def verifier(self) -> Verifier:
        public = (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        return Verifier(self.name, self.kind, public)

    @property
    def skey(self) -> str:
        raw = base64.b64encode(bytes([self.kind]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{raw}"

    def raw_sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def parse_vkey(text: str) -> Verifier:
    parts = text.strip().split("+", 2)  # base64 may hold "+" too
    if len(parts) != 3 or not _valid_name(parts[0]):
        raise NoteError("a verifier key reads <name>+<hex key id>+<base64 key>")
    name, hex_id, raw_b64 = parts
    raw = _b64decode(raw_b64)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 verifier keys (types 0x01, 0x04) are supported")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id.lower() or len(hex_id) != 8:
        raise NoteError("the verifier key's id does not match its name and key")
    return verifier


def parse_skey(text: str) -> Signer:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _valid_name(parts[2]):
        raise NoteError("a signer key reads PRIVATE+KEY+<name>+<hex key id>+<base64 key>")
    raw = _b64decode(parts[4])
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 signer keys (types 0x01, 0x04) are supported")
    signer = Signer(parts[2], raw[0], raw[1:])
    if signer.verifier.key_id.hex() != parts[3].lower():
        raise NoteError("the signer key's id does not match its name and key")
    return signer


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    raw: bytes  # what follows the key id: a signature, or a timestamp and a signature

    @property
    def line(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.raw).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str  # ends with a newline
    signatures: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text ends with a newline")
    if any(c != "\n" and ord(c) < 0x20 for c in text):  # C2SP: no controls but newline
        raise NoteError("note text has control characters")


def sign(text: str, *signers: Signer) -> str:
    _check_text(text)
    sigs = [Signature(s.name, s.verifier.key_id, s.raw_sign(text.encode())) for s in signers]
    return str(Note(text, tuple(sigs)))


def parse(note: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (none verified yet)."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE:
            raise NoteError("note too large")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not UTF-8") from None
    if len(note) > MAX_NOTE:
        raise NoteError("note too large")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("a signed note has text, a blank line and signature lines")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    _check_text(block)  # signature lines end with U+000A only; no other control characters
    lines = block[:-1].split("\n")
    if not lines:
        raise NoteError("note has no signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    sigs = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or not _valid_name(parts[1]):
            raise NoteError(f"malformed signature line {line[:80]!r}")
        raw = _b64decode(parts[2])
        if len(raw) < 5:
            raise NoteError("signature too short")
        sigs.append(Signature(parts[1], raw[:4], raw[4:]))
    return Note(text, tuple(sigs))


def verify(note: Note, verifier: Verifier) -> None:
    """Check that ``verifier`` (an Ed25519 note key) signed ``note``, or raise NoteError."""
    for sig in note.signatures:
        if sig.name == verifier.name and sig.key_id == verifier.key_id:
            if verifier.kind != ED25519:
                raise NoteError(f"{verifier.name} is not a note signing key")
            if len(sig.raw) == 64 and verifier.check(note.text.encode(), sig.raw):
                return
            raise NoteError(f"the signature of {verifier.name} does not verify")
    raise NoteError(f"the note is not signed by {verifier.name}")


# --- cosignatures ---------------------------------------------------------------------------


def cosignature_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def cosign(text: str, witness: Signer, timestamp: int) -> Signature:
    if witness.kind != COSIGNATURE_V1:
        raise NoteError("a witness key has type 0x04 (cosignature/v1)")
    signature = witness.raw_sign(cosignature_message(text, timestamp))
    return Signature(
        witness.name, witness.verifier.key_id, struct.pack(">Q", timestamp) + signature
    )


def verify_cosignature(note: Note, witness: Verifier) -> int:
    """The timestamp of ``witness``'s valid cosignature on ``note``, or NoteError."""
    if witness.kind != COSIGNATURE_V1:
        raise NoteError(f"{witness.name} is not a witness key (type 0x04)")
    for sig in note.signatures:
        if sig.name == witness.name and sig.key_id == witness.key_id:
            if len(sig.raw) != 72:
                raise NoteError(f"malformed cosignature of {witness.name}")
            (timestamp,) = struct.unpack(">Q", sig.raw[:8])
            if witness.check(cosignature_message(note.text, timestamp), sig.raw[8:]):
                return int(timestamp)
            raise NoteError(f"the cosignature of {witness.name} does not verify")
    raise NoteError(f"the note is not cosigned by {witness.name}")


# --- checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash, each on a line")
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
        raise NoteError("bad checkpoint origin or size")
    if not size_text.isascii() or len(size_text) > 20 or int(size_text) >= 2**64:
        raise NoteError("bad checkpoint size: an unsigned 64-bit decimal")
    root = _b64decode(root_text)
    if len(root) != 32:
        raise NoteError("a checkpoint root hash has 32 bytes")
    if any(not e for e in extensions):
        raise NoteError("empty checkpoint extension line")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def open_checkpoint(
    note_text: str | bytes, verifier: Verifier, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """Parse a signed checkpoint and verify the log's signature (and its origin, if given)."""
    note = parse(note_text)
    verify(note, verifier)
    checkpoint = parse_checkpoint(note.text)
    expected = origin or verifier.name
    if checkpoint.origin != expected:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {expected!r}")
    return checkpoint, note
