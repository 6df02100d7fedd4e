"""Every open dataset, its files and its columns, defined once.

The files, the Table Schemas of ``datapackage.json`` and the /data/ page are all made from these
definitions, so what a column is called, its type, its unit and its meaning cannot drift apart.
Types are Table Schema types (https://datapackage.org/standard/table-schema/); ``list`` is a list
of strings: comma-separated in CSV, an array in JSON and a list column in Parquet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# format -> (file extension, media type of the file, media type in the descriptor)
FORMATS: dict[str, tuple[str, str, str]] = {
    "csv": ("csv", "text/csv; charset=utf-8; header=present", "text/csv"),
    "json": ("json", "application/json", "application/json"),
    "jsonl": ("jsonl", "application/jsonl; charset=utf-8", "application/jsonl"),
    "parquet": (
        "parquet",
        "application/vnd.apache.parquet",
        "application/vnd.apache.parquet",
    ),
}
FORMAT_LABELS = {"csv": "CSV", "json": "JSON", "jsonl": "JSON Lines", "parquet": "Parquet"}
TEXT_FORMATS = frozenset({"csv", "json", "jsonl"})
LIST_DELIMITER = ","  # between the items of a ``list`` cell in CSV

UNITS: dict[str, Promise] = {"persons": _("persons"), "statements": _("statements")}

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: integer, string, date, boolean or list (of strings)
    description: Promise
    unit: str | None = None  # a key of UNITS
    required: bool = False  # never empty

    @property
    def unit_label(self) -> Promise | None:
        return UNITS[self.unit] if self.unit else None

    def descriptor(self, fmt: str) -> dict[str, Any]:
        """The Table Schema field descriptor (English: call under translation.override)."""
        out: dict[str, Any] = {"name": self.name}
        if self.type == "list":
            out |= (
                {"type": "list", "itemType": "string", "delimiter": LIST_DELIMITER}
                if fmt == "csv"
                else {"type": "array"}
            )
        else:
            out["type"] = self.type
        out["description"] = str(self.description)
        if self.unit:
            out["unit"] = self.unit
        if self.required:
            out["constraints"] = {"required": True}
        if self.type == "string" and self.required:
            out["missingValues"] = []  # an empty text is an empty text, not a missing value
        return out


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Promise
    description: Promise
    fields: tuple[Field, ...]
    formats: tuple[str, ...]
    primary_key: tuple[str, ...] = ()
    streamed: bool = False  # large: served as a stream, never built whole in memory

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def filename(self, fmt: str) -> str:
        return f"{self.name}.{FORMATS[fmt][0]}"

    def table_schema(self, fmt: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [f.descriptor(fmt) for f in self.fields]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        schema["missingValues"] = [""] if fmt == "csv" else []
        return schema


_PERSONS_CELL = Field(
    "persons",
    "integer",
    _("Persons counted, all time (only published figures are listed)."),
    unit="persons",
    required=True,
)
_THROUGH = Field(
    "through",
    "date",
    _(
        "Empty when the figure is of the latest release; else the last day of the release "
        "it was published in (a later figure is withheld)."
    ),
)
_DATE = Field("date", "date", _("Day of receipt in the reporting time zone."), required=True)
_SECTOR = Field("sector", "string", _("Sector key of the taxonomy; empty when not stated."))
_CHANNEL = Field("channel", "string", _("How the statement reached the registry."), required=True)
_NAME_KIND = Field("name_kind", "string", _("real, alias or anonymous."), required=True)
_DECLARANT = Field(
    "declarant",
    "string",
    _(
        "Who declared: self (the person themselves), family (a family member on their "
        "behalf), volunteer (a volunteer on their behalf) or deceased (for a person who has "
        "died)."
    ),
    required=True,
)


def _breakdown(name: str, title: Promise, description: Promise, key: Field) -> Dataset:
    return Dataset(name, title, description, (key, _PERSONS_CELL, _THROUGH), ("csv", "json"))


DAILY = Dataset(
    "daily",
    _("Daily figures"),
    _("One row for each day with persons counted."),
    (
        _DATE,
        Field("persons", "integer", _("Persons counted that day."), "persons", required=True),
        Field(
            "statements",
            "integer",
            _("Accepted statements counted that day."),
            "statements",
            required=True,
        ),
        Field(
            "cumulative_persons",
            "integer",
            _("All-time total of persons at the end of the day."),
            "persons",
            required=True,
        ),
        Field(
            "party",
            "integer",
            _("Persons who quit the Chinese Communist Party that day."),
            "persons",
            required=True,
        ),
        Field(
            "league",
            "integer",
            _("Persons who quit the Communist Youth League that day."),
            "persons",
            required=True,
        ),
        Field(
            "pioneers",
            "integer",
            _("Persons who quit the Young Pioneers that day."),
            "persons",
            required=True,
        ),
    ),
    ("csv", "json", "parquet"),
    primary_key=("date",),
)

ORGANIZATIONS = Dataset(
    "organizations",
    _("Persons per organization"),
    _("All time. A person who quits several organizations counts once in each."),
    (
        Field("organization", "string", _("party, league or pioneers."), required=True),
        Field("persons", "integer", _("Persons counted."), "persons", required=True),
    ),
    ("csv", "json"),
    primary_key=("organization",),
)

REGIONS = Dataset(
    "regions",
    _("Persons per region"),
    _("All time, as of the latest release of breakdowns; largest first."),
    (
        Field(
            "code",
            "string",
            _(
                "GB/T 2260 province code, ISO 3166-1 code for other places, CN for the "
                "mainland with the province unknown; empty when not stated."
            ),
        ),
        Field("name_en", "string", _("Name in English."), required=True),
        Field("name_zh_hans", "string", _("Name in Simplified Chinese."), required=True),
        Field("name_zh_hant", "string", _("Name in Traditional Chinese."), required=True),
        _PERSONS_CELL,
        _THROUGH,
    ),
    ("csv", "json"),
)

_ALL_TIME = _("All time, as of the latest release of breakdowns.")
SECTORS = _breakdown("sectors", _("Persons per sector"), _ALL_TIME, _SECTOR)
CHANNELS = _breakdown("channels", _("Persons per channel"), _ALL_TIME, _CHANNEL)
NAME_KINDS = _breakdown("name_kinds", _("Persons by kind of name"), _ALL_TIME, _NAME_KIND)
DECLARANTS = _breakdown("declarants", _("Persons by who declared"), _ALL_TIME, _DECLARANT)

RELEASES = Dataset(
    "releases",
    _("Releases of breakdowns"),
    _("Every release of breakdowns, oldest first: one per closed calendar month, never revised."),
    (
        Field("release", "integer", _("The release's number."), required=True),
        Field("period", "string", _("The month it releases (YYYY-MM)."), required=True),
        Field("from", "date", _("First day of the month."), required=True),
        Field("to", "date", _("Last day of the month."), required=True),
        Field("released_at", "string", _("When it was made (RFC 3339)."), required=True),
        Field(
            "log_size",
            "integer",
            _("The log size it was made at: it counts entries below it."),
            required=True,
        ),
        Field(
            "persons",
            "integer",
            _("Net persons it counts: new ones minus those revoked in it."),
            "persons",
            required=True,
        ),
        Field("new_persons", "integer", _("Persons newly counted in it."), "persons", True),
        Field(
            "late_persons",
            "integer",
            _("Of the new persons, those received before its month (counted late)."),
            "persons",
            True,
        ),
        Field(
            "revoked_persons",
            "integer",
            _("Persons revoked in it whose statements an earlier release counted."),
            "persons",
            True,
        ),
        Field("suppress_below", "integer", _("The threshold k it used."), required=True),
    ),
    ("csv", "json"),
    primary_key=("release",),
)

BREAKDOWNS = Dataset(
    "breakdowns",
    _("Every published breakdown"),
    _(
        "Every figure every release published: the month's, the year's (in December's "
        "release) and all time's. Withheld figures are not listed."
    ),
    (
        Field("release", "integer", _("The release that published it."), required=True),
        Field("period", "string", _("all, YYYY or YYYY-MM."), required=True),
        Field("kind", "string", _("all, year or month."), required=True),
        Field("from", "date", _("First day of the period; empty for all time.")),
        Field("to", "date", _("Last day of the period."), required=True),
        Field(
            "dimension",
            "string",
            _("region, sector, channel, name_kind, declarant or current_party_members."),
            required=True,
        ),
        Field(
            "key",
            "string",
            _("The key (as in the other files); member for current party members."),
        ),
        Field("persons", "integer", _("Persons counted."), "persons", required=True),
    ),
    ("csv", "json"),
    primary_key=("release", "kind", "dimension", "key"),
)

MILESTONES = Dataset(
    "milestones",
    _("Milestones"),
    _("The first day the all-time total reached each multiple of the milestone step."),
    (
        Field("persons", "integer", _("The milestone."), "persons", required=True),
        Field("date", "date", _("The first day the total reached it."), required=True),
    ),
    ("csv", "json"),
    primary_key=("persons",),
)

STATEMENTS = Dataset(
    "statements",
    _("Published statements"),
    _("Statements whose declarants consented to publication, in the order of the log."),
    (
        Field(
            "number",
            "integer",
            _("Leaf index in the public log: the statement's public number."),
            required=True,
        ),
        _DATE,
        Field("headcount", "integer", _("Persons the statement counts."), "persons", required=True),
        Field("organizations", "list", _("Organizations quit."), required=True),
        Field("region", "string", _("Province-level region code; empty when not stated.")),
        _SECTOR,
        _CHANNEL,
        _NAME_KIND,
        Field("name", "string", _("Name or alias as given; empty when none.")),
        Field("text", "string", _("The statement as written."), required=True),
    ),
    ("csv", "jsonl", "parquet"),
    primary_key=("number",),
    streamed=True,
)

DATASETS: tuple[Dataset, ...] = (
    DAILY,
    ORGANIZATIONS,
    REGIONS,
    SECTORS,
    CHANNELS,
    NAME_KINDS,
    DECLARANTS,
    RELEASES,
    BREAKDOWNS,
    MILESTONES,
    STATEMENTS,
)

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class DataFile:
    dataset: Dataset
    fmt: str

    @property
    def name(self) -> str:
        return self.dataset.filename(self.fmt)

    @property
    def media_type(self) -> str:
        return FORMATS[self.fmt][1]

    @property
    def label(self) -> str:
        return FORMAT_LABELS[self.fmt]


FILES: dict[str, DataFile] = {
    d.filename(fmt): DataFile(d, fmt) for d in DATASETS for fmt in d.formats
}
