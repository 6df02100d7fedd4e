"""The files by name, their bytes, and ``datapackage.json``, the Frictionless Data Package
descriptor (https://datapackage.org/standard/data-package/, version 2) that lists them.

The descriptor ties the files to the signed log: it carries the log size they were made at and
the signed checkpoint of that size (its root hash). ``santui export`` adds each file's ``bytes``
and ``hash`` (sha256); /data/datapackage.json leaves them out, as it would have to build every
file to know them. It is in English, as the data's column names are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.utils import translation

from santui.tally.opendata import schemas
from santui.tally.opendata.datasets import Snapshot
from santui.tally.opendata.schemas import DESCRIPTOR, FILES, FORMATS, TEXT_FORMATS, DataFile
from santui.tally.opendata.writers import OnRows, encode

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CSV_DIALECT = {
    "header": True,
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
}


@dataclass(frozen=True)
class Digest:
    bytes: int
    sha256: str  # hex


def media_type(name: str) -> str:
    return "application/json" if name == DESCRIPTOR else FILES[name].media_type


def is_known(name: str) -> bool:
    return name == DESCRIPTOR or name in FILES


def _resource(file: DataFile, digest: Digest | None) -> dict[str, Any]:
    dataset, fmt = file.dataset, file.fmt
    out: dict[str, Any] = {
        "name": f"{dataset.name}-{fmt}",
        "type": "table",
        "path": file.name,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "format": fmt,
        "mediatype": FORMATS[fmt][2],
    }
    if fmt in TEXT_FORMATS:
        out["encoding"] = "utf-8"
    if fmt == "csv":
        out["dialect"] = CSV_DIALECT
    out["schema"] = dataset.table_schema(fmt)
    if digest is not None:
        out["bytes"] = digest.bytes
        out["hash"] = f"sha256:{digest.sha256}"
    return out


def descriptor(
    snap: Snapshot,
    *,
    names: Sequence[str] | None = None,
    digests: Mapping[str, Digest] | None = None,
) -> dict[str, Any]:
    """The Data Package descriptor of the files ``names`` (default: all), made at ``snap``."""
    names = list(FILES) if names is None else [n for n in FILES if n in names]
    with translation.override("en"):
        resources = [_resource(FILES[n], (digests or {}).get(n)) for n in names]
    out: dict[str, Any] = {
        "$schema": PROFILE,
        "name": "santui-open-data",
        "title": "Three Withdrawals registry: open data",
        "description": (
            "Persons who declared their withdrawal from the Chinese Communist Party, the "
            "Communist Youth League or the Young Pioneers, as counted by the registry: daily "
            "figures, breakdowns and the statements published with their declarants' consent. "
            "Breakdowns are published for released calendar months, years and all time only "
            f"(releases.csv); figures of fewer than {settings.SANTUI_SUPPRESS_BELOW} persons, "
            "and figures that would let one work such a figure out, are withheld "
            "(docs/disclosure.md). "
            "Every figure is as of the log size below; the signed checkpoint of that size "
            "lets anyone check the figures against the public log (santui log verify)."
        ),
        "licenses": [schemas.LICENSE],
        "sources": [
            {
                "title": "santui: rollups of the integrated ledger and the published "
                "statements, at the log size of `log`"
            }
        ],
        "keywords": ["三退", "tuidang", "Chinese Communist Party", "withdrawal statements"],
    }
    if snap.integrated_at is not None:
        out["created"] = snap.integrated_at.isoformat()
    out["log"] = {
        "size": snap.size,
        "root_hash": snap.root_base64,
        "checkpoint": snap.note,
    }
    out["timezone"] = settings.SANTUI_REPORTING_TZ
    out["suppress_below"] = settings.SANTUI_SUPPRESS_BELOW
    out["milestone_step"] = settings.SANTUI_MILESTONE_STEP
    out["resources"] = resources
    return out


def descriptor_bytes(
    snap: Snapshot,
    *,
    names: Sequence[str] | None = None,
    digests: Mapping[str, Digest] | None = None,
) -> bytes:
    return orjson.dumps(
        descriptor(snap, names=names, digests=digests),
        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
    )


def file_chunks(name: str, snap: Snapshot, on_rows: OnRows = None) -> Iterator[bytes]:
    """The bytes of file ``name`` made at ``snap``, chunk by chunk (KeyError if unknown)."""
    if name == DESCRIPTOR:
        yield descriptor_bytes(snap)
        return
    file = FILES[name]
    yield from encode(file.fmt, file.dataset.fields, snap.rows(file.dataset), on_rows)


def file_bytes(name: str, snap: Snapshot) -> bytes:
    return b"".join(file_chunks(name, snap))
