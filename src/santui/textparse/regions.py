"""Places: GB/T 2260 codes for the mainland, ISO 3166-1 alpha-2 codes for everywhere else.

The division list ships as ``data/divisions.json`` (source and vintage recorded in the file and
in docs/regions.md). Hong Kong, Macau and Taiwan are addressed by their ISO codes (HK, MO, TW),
not by their GB/T 2260 codes (81, 82, 71), as the import format requires.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

MAINLAND = "CN"
_GB_CODE = re.compile(r"^[1-6][0-9]{5}$")
_ISO_CODE = re.compile(r"^[A-Z]{2}$")
# GB/T 2260 provincial codes of the areas that the registry addresses by ISO code instead.
_NOT_MAINLAND_PREFIXES = {"71", "81", "82"}

PROVINCE_NAMES_EN = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin",
    "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang",
    "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
    "410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong",
    "450000": "Guangxi", "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan",
    "520000": "Guizhou", "530000": "Yunnan", "540000": "Tibet", "610000": "Shaanxi",
    "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str  # official name in simplified Chinese
    province: str  # code of its province


@dataclass(frozen=True, slots=True)
class Gazetteer:
    source: str
    vintage: str
    provinces: dict[str, Division]
    prefectures: dict[str, Division]

    def prefectures_of(self, province_code: str) -> list[Division]:
        return [d for d in self.prefectures.values() if d.province == province_code]


@cache
def gazetteer() -> Gazetteer:
    raw = json.loads(
        resources.files(__package__).joinpath("data/divisions.json").read_text("utf-8")
    )
    provinces = {
        code: Division(code, name, code)
        for code, name in raw["provinces"].items()
        if code[:2] not in _NOT_MAINLAND_PREFIXES
    }
    prefectures = {
        code: Division(code, name, code[:2] + "0000")
        for code, name in raw["prefectures"].items()
        if code[:2] + "0000" in provinces
    }
    return Gazetteer(raw["source"], raw["vintage"], provinces, prefectures)


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (pycountry's copy of the standard)."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


class RegionError(ValueError):
    """A region code that is neither a known GB/T 2260 code nor an ISO 3166-1 alpha-2 code."""


def normalize_region(code: str) -> str:
    """Return the canonical form of a region code, or raise RegionError saying why.

    Mainland codes must be a province or prefecture of the shipped list (county codes are
    accepted and kept when their province exists). Other places are
    ISO 3166-1 alpha-2 codes; ``CN`` alone means "mainland, province unknown".
    """
    value = code.strip().upper()
    gaz = gazetteer()
    if _GB_CODE.match(value):
        province = value[:2] + "0000"
        if province not in gaz.provinces:
            raise RegionError(f"unknown province in GB/T 2260 code {value!r}")
        if value != province and value.endswith("00") and value not in gaz.prefectures:
            raise RegionError(f"unknown prefecture in GB/T 2260 code {value!r}")
        return value
    if _ISO_CODE.match(value):
        if value not in iso_codes():
            raise RegionError(f"unknown ISO 3166-1 alpha-2 code {value!r}")
        return value
    raise RegionError(
        f"region {code!r} is neither a six-digit GB/T 2260 code nor an ISO 3166-1 alpha-2 code"
    )


def province_of(code: str) -> str:
    """The rollup key of a region: the province code on the mainland, else the ISO code."""
    if _GB_CODE.match(code):
        return code[:2] + "0000"
    return code


def is_mainland(code: str) -> bool:
    return bool(_GB_CODE.match(code)) or code == MAINLAND
