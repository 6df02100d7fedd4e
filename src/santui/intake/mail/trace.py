"""The header of a message as the quarantine keeps it: no trace fields, no IP address in any form.

DESIGN.md, invariant 4: no IP address is stored, even encrypted. Mail carries the path it took
(``Received``, ``X-Originating-IP`` and many vendors' own fields), in plain dotted form, in
RFC 2047 encoded words (``=?utf-8?B?MTkyLjE2OC4xLjE=?=``), as a decimal (``3232235777``) or
hexadecimal (``0xC0A80101``) number, or as IPv6. So, before a message is stored:

1. only the fields a volunteer needs to read it are kept (``KEPT_FIELDS``: who, to whom, when,
   what about, its identifiers and its MIME structure); every other field goes, whatever its
   name or encoding, so a new vendor's trace field cannot slip through;
2. a kept field goes too when it holds an address in any of the forms ``holds_address`` knows,
   looked for in the field as sent, with its encoded words decoded and with its %-escapes
   (RFC 2231 parameters) undone.

The body is the sender's text and stays as it is (headers of a forwarded message inside it
included). Pure Python: no Django.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from urllib.parse import unquote_to_bytes

KEPT_FIELDS = frozenset(
    {
        b"from", b"sender", b"reply-to", b"to", b"cc", b"subject", b"date", b"message-id",
        b"in-reply-to", b"references", b"mime-version", b"content-type",
        b"content-transfer-encoding", b"content-disposition", b"content-language",
    }
)  # fmt: skip
# Machine-made identifiers (<local@host>): a decimal number of IPv4 size after the @ is taken
# for an address (<a1b2@3232235777>). Before it, it is mostly a time stamp; in From, To or
# Subject it may be a QQ number or an order number: only the other forms count there.
_ID_FIELDS = frozenset({b"message-id", b"in-reply-to", b"references"})
_ID_HOST = re.compile(rb"@([^<>@\s]*)")

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(rb"=\?([^?\s]{0,64})\?([bBqQ])\?([^?\s]*)\?=")
# One part of an IPv4 address as inet_aton reads it: decimal, octal (leading 0) or 0x-hex.
_PART = rb"(?:0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10})"
_DOTTED = re.compile(rb"(?<![0-9A-Za-z.])" + _PART + rb"(?:\." + _PART + rb"){3}(?!\.?[0-9A-Za-z])")
_HEX_NUMBER = re.compile(rb"(?<![0-9A-Za-z])0[xX]([0-9a-fA-F]{1,8})(?![0-9A-Za-z])")
_DECIMAL = re.compile(rb"(?<![0-9A-Za-z])([0-9]{8,10})(?![0-9A-Za-z])")
# IPv6: maximal runs of letters, digits and colons (found in linear time, never backtracked
# into), split at the colons; every window of 3 to 9 groups of at most four hex digits is
# checked as an address. "IPv6:2001:db8::1" is found, "std::string" and "10:00:00" are not. An
# embedded IPv4 (::ffff:192.0.2.1) is also found by _DOTTED.
_WORD_RUN = re.compile(rb"[0-9A-Za-z:]+")
_HEX_GROUP = re.compile(rb"[0-9A-Fa-f]{0,4}")
_SMALLEST = 1 << 24  # 1.0.0.0: below it a number is no address anyone routes to


def _inet_aton_part(token: bytes) -> int:
    if token[:2].lower() == b"0x":
        return int(token[2:], 16)
    if len(token) > 1 and token.startswith(b"0") and token.isdigit():
        return int(token, 8) if all(c in b"01234567" for c in token) else int(token)
    return int(token)


def _is_dotted_address(token: bytes) -> bool:
    try:
        parts = [_inet_aton_part(p) for p in token.split(b".")]
    except ValueError:
        return False
    return all(0 <= p <= 255 for p in parts)


def _is_ipv6(token: bytes) -> bool:
    try:
        ipaddress.IPv6Address(token.decode("ascii"))
    except ValueError:
        return False
    return True


def _holds_ipv6(view: bytes) -> bool:
    for run in _WORD_RUN.finditer(view):
        groups = run.group(0).split(b":")
        if len(groups) < 3:
            continue
        hexes = [bool(_HEX_GROUP.fullmatch(g)) for g in groups]
        for first in range(len(groups)):
            for end in range(first + 1, min(len(groups), first + 9) + 1):
                if not hexes[end - 1]:
                    break
                if end - first >= 3 and _is_ipv6(b":".join(groups[first:end])):
                    return True
    return False


def holds_address(value: bytes, *, decimal: bool = False) -> bool:
    """Whether ``value`` holds an IPv4 address (dotted, with decimal, octal or hex parts, or a
    0x-hex number), an IPv6 address, or, with ``decimal``, a decimal number of IPv4 size."""
    for view in _views(value):
        if any(_is_dotted_address(m.group(0)) for m in _DOTTED.finditer(view)):
            return True
        if any(int(m.group(1), 16) >= _SMALLEST for m in _HEX_NUMBER.finditer(view)):
            return True
        if _holds_ipv6(view):
            return True
        if decimal and any(_SMALLEST <= int(m.group(1)) < 1 << 32 for m in _DECIMAL.finditer(view)):
            return True
    return False


def _id_hosts(value: bytes) -> bytes:
    """The host parts (after the @) of the identifiers in an ID field, space-separated."""
    return b" ".join(m.group(1) for m in _ID_HOST.finditer(value))


def _views(value: bytes) -> list[bytes]:
    """The value as sent, with its RFC 2047 encoded words decoded, and with %-escapes undone.
    Every view loses its NULs, so an address in UTF-16 or UTF-32, or cut by a NUL, reads as
    ASCII."""
    views = [value.replace(b"\x00", b"")]
    if b"=?" in value:
        views.append(_ENCODED_WORD.sub(_decoded_word, value).replace(b"\x00", b""))
    if b"%" in value:
        views.append(unquote_to_bytes(value).replace(b"\x00", b""))
    return views


def _decoded_word(match: re.Match[bytes]) -> bytes:
    kind, payload = match.group(2).lower(), match.group(3)
    if kind == b"b":
        try:
            return base64.b64decode(payload + b"=" * (-len(payload) % 4))
        except (binascii.Error, ValueError):
            return payload
    text = payload.replace(b"_", b" ")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), text)


def strip_trace_headers(raw: bytes) -> bytes:
    """The message with only the kept header fields, less those that hold an address."""
    match = _HEADER_END.search(raw)
    head, body = (raw[: match.start()], raw[match.start() :]) if match else (raw, b"")
    fields: list[list[bytes]] = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].append(line)
        else:
            fields.append([line])
    kept = []
    for parts in fields:
        name = parts[0].split(b":", 1)[0].strip().lower()
        value = b"".join(parts)
        if name not in KEPT_FIELDS:
            continue
        unfolded = _FOLD.sub(b"", value)
        if holds_address(unfolded) or (
            name in _ID_FIELDS and holds_address(_id_hosts(unfolded), decimal=True)
        ):
            continue
        kept.append(value)
    out = b"".join(kept)  # each field ends with its line break but the header's last one
    for end in (b"\r\n", b"\n"):
        if out.endswith(end):
            out = out[: -len(end)]
            break
    return out + body
