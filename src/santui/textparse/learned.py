"""A learned second reading of the organizations quit (issue 13): a logistic model over the
rules' readings and the characters around each mention.

The rules (organizations.py) read which organizations a statement quits; on real statements
they go wrong most where a long story names organizations it does not quit, or where a title
and the body disagree. For the readings the rules are not sure of (a confidence below the
model's gate: every statement longer than a short line), one logistic model, shared by the
three organizations, gives the probability that the text quits each of them, from:

- the rules' own readings: the whole-text reading, the declaration reading, whether the two
  differ, the rules' confidence, the organizations the title line names and the memberships
  the text states (入团, 少先队员);
- counts: how often the organization is named, quit by name (退团), joined (入党), and whether
  the last withdrawal in the body names it;
- each mention of the organization: its phrase, and the 1-4 characters before it and 1-2 after
  it, in the compact text (Simplified, lower case, punctuation between CJK characters removed).

An organization flips where the model says the other side beyond one half by more than the
model's margin (never to an empty reading), and the field's confidence comes from the model's
probabilities (blend). The shipped model's margin is 0.5: it changes no reading and gives the
confidence only, as cross-validation on dev found no reading it changes for the better
(docs/textparse.md, "The learned re-reading").
The model is trained by ``scripts/train_textparse.py`` from the development split of the real
corpus only (tests/textparse/eval/real/) and stored as JSON (feature -> weight) in
``data/organizations_model.json``: no pickle, no scikit-learn or NumPy at run time; a mention
costs nine dictionary look-ups. docs/textparse.md ("The learned re-reading") has the figures.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any, Final

from santui.textparse import lexicon as lx
from santui.textparse.automaton import Token
from santui.textparse.normalize import Normalized

MODEL_FILE: Final = "organizations_model.json"
ORGS: Final = ((lx.PARTY, "party"), (lx.LEAGUE, "league"), (lx.PIONEERS, "pioneers"))
_TITLE_MAX: Final = 40  # norm characters: a first line this short, with text after it, is a title
_QUIT, _JOINED, _ORG, _QUIT_ORG, _ALL_THREE = lx.QUIT, lx.JOINED, lx.ORG, lx.QUIT_ORG, lx.ALL_THREE
_MEMBER, _DENIED = lx.MEMBER, lx.DENIED
_BITS: Final = (lx.PARTY, lx.LEAGUE, lx.PIONEERS)
_TEXT: Final = re.compile(r"\S")
_CACHE_MAX: Final = 50_000  # structural scores kept (they take a few thousand values in practice)


def _bucket(count: int) -> int:
    return count if count < 3 else 3


def _length_bucket(length: int) -> str:
    if length <= 60:
        return "s"
    if length <= 250:
        return "m"
    return "l"


# organization, named, quit, joined, last declared, final, whole, moved, length, language,
# confidence x 10, title bits, title all, stated memberships
Structure = tuple[int, int, int, int, bool, int, int, bool, str, str, int, int, bool, int]


# The context features of a mention, by template: the weights of each template are kept in a
# table of their own (Tables), so that the run time looks up slices of the text, not strings
# built from them. "a" before a template: the mention is a withdrawal of all three (三退).
_TEMPLATES: Final = ("m", "l1", "l2", "l3", "l4", "r1", "r2")
_KIND_WHERE: Final = re.compile(r"(a?)k(\d+)([tb])")
_KIND_LEFT: Final = re.compile(r"(a?)k(\d+)l2:(.*)", re.S)
_TEMPLATE: Final = re.compile(r"(a?)(m|l1|l2|l3|l4|r1|r2):(.*)", re.S)
# per mention kind (plain, all three): kind and place, the seven templates, kind and left pair
Table = tuple[dict[tuple[int, bool], float], list[dict[str, float]], dict[int, dict[str, float]]]
_NONE: dict[str, float] = {}


def _walk(
    n: Normalized,
    tokens: list[Token],
    whole: int,
    final: int,
    moved: bool,
    conf: float,
    tables: tuple[Table, Table] | None = None,
) -> tuple[list[Structure], list[tuple[int, list[str]]], list[tuple[int, float]]]:
    """One pass over the phrases: what the structural features of each organization depend on
    (a small tuple, the same for many statements), and each mention's bits with its context
    features, or (given the model's ``tables``) with their summed weight."""
    text = n.compact
    title_end = -1
    begin = n.title_start()  # after a greeting line (您好：)
    first_line = n.norm.find("\n", begin)
    if 0 < first_line - begin <= _TITLE_MAX and _TEXT.search(n.norm, first_line + 1) is not None:
        title_end = n.to_compact(first_line)
    title_bits = 0
    title_all = False
    counts = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]  # per organization: named, quit, joined
    last_declared = 0
    stated = 0  # memberships the text states: 入团, 少先队员, 加入过少先队
    after_quit = after_joined = -100
    mentions: list[tuple[int, list[str]]] = []
    scores: list[tuple[int, float]] = []
    for kind, bits, value, start, end in tokens:
        if kind == _QUIT:
            after_quit = end
            continue
        if kind == _JOINED:
            after_joined = end
            stated |= bits
        elif kind == _ORG:
            if 0 <= start - after_joined <= 6 or (
                isinstance(value, int) and value & _MEMBER and not value & _DENIED
            ):
                stated |= bits
        elif kind != _QUIT_ORG and kind != _ALL_THREE:
            continue
        if not bits:
            continue
        in_title = start < title_end
        if in_title:
            title_bits |= bits
            if kind == _ALL_THREE:
                title_all = True
        elif kind != _JOINED and (kind != _ORG or 0 <= start - after_quit <= 8):
            last_declared = bits  # a withdrawal, or what a withdrawal verb takes
        left = text[start - 4 if start > 4 else 0 : start]
        right = text[end : end + 2]
        left2 = left[-2:]
        if tables is None:
            a = "a" if kind == _ALL_THREE else ""
            mentions.append((bits, [
                f"{a}k{kind}{'t' if in_title else 'b'}",
                f"{a}m:{text[start:end]}",
                f"{a}l1:{left[-1:]}",
                f"{a}l2:{left2}",
                f"{a}l3:{left[-3:]}",
                f"{a}l4:{left}",
                f"{a}r1:{right[:1]}",
                f"{a}r2:{right}",
                f"{a}k{kind}l2:{left2}",
            ]))  # fmt: skip
        else:
            where, (m, l1, l2, l3, l4, r1, r2), by_kind = tables[kind == _ALL_THREE]
            scores.append((bits, where.get((kind, in_title), 0.0) + m.get(text[start:end], 0.0)
                           + l1.get(left[-1:], 0.0) + l2.get(left2, 0.0) + l3.get(left[-3:], 0.0)
                           + l4.get(left, 0.0) + r1.get(right[:1], 0.0) + r2.get(right, 0.0)
                           + by_kind.get(kind, _NONE).get(left2, 0.0)))  # fmt: skip
        declares = kind in (_QUIT_ORG, _ALL_THREE)
        for k in range(3):
            if bits & _BITS[k]:
                c = counts[k]
                c[0] += 1
                if declares:
                    c[1] += 1
                elif kind == _JOINED:
                    c[2] += 1
    length = _length_bucket(len(text))
    shared = (final, whole, moved, length, n.language, int(conf * 10), title_bits, title_all,
              stated)  # fmt: skip
    structures = []
    for k, (bit, _key) in enumerate(ORGS):
        named, quit_, joined = counts[k]
        structures.append(
            (
                k,
                _bucket(named),
                _bucket(quit_),
                _bucket(joined),
                bool(last_declared & bit),
                *shared,
            )
        )
    return structures, mentions, scores


def _structural(structure: Structure) -> list[str]:
    """The structural features of one organization (see _walk)."""
    k, named, quit_, joined, declared, final, whole, moved, length, lang, conf10 = structure[:11]
    title_bits, title_all, stated = structure[11:]
    bit, key = ORGS[k]
    f_in = int(bool(final & bit))
    w_in = int(bool(whole & bit))
    t_in = int(bool(title_bits & bit))
    s_in = int(bool(stated & bit))
    d_in = int(declared)
    return [
        "bias",
        f"o:{key}",
        f"F{f_in}",
        f"W{w_in}",
        f"F{f_in}W{w_in}",
        f"F{f_in}fm{final}",
        f"F{f_in}wm{whole}",
        f"F{f_in}len{length}",
        f"F{f_in}mv{int(moved)}",
        f"F{f_in}c{conf10}",
        f"T{t_in}",
        f"F{f_in}T{t_in}",
        f"F{f_in}T{t_in}ta{int(title_all)}",
        f"n{named}",
        f"q{quit_}",
        f"j{joined}",
        f"F{f_in}q{quit_}",
        f"D{d_in}",
        f"F{f_in}D{d_in}",
        f"{key}F{f_in}",
        f"{key}F{f_in}fm{final}",
        f"S{s_in}",
        f"F{f_in}S{s_in}",
        f"F{f_in}S{s_in}fm{final}",
        f"F{f_in}S{s_in}T{t_in}",
        f"F{f_in}sm{stated}",
        f"F{f_in}tm{title_bits}",
        f"fm{final}",
        f"wm{whole}",
        f"mv{int(moved)}",
        f"len{length}",
        f"lang{lang}",
        f"c{conf10}",
        f"tm{title_bits}",
        f"ta{int(title_all)}",
        f"sm{stated}",
        f"fm{final}sm{stated}",
        f"fm{final}tm{title_bits}",
    ]


def features(
    n: Normalized, tokens: list[Token], whole: int, final: int, moved: bool, conf: float
) -> list[list[str]]:
    """The features of each organization (party, league, pioneers, in that order) for the
    statement ``n`` whose phrases are ``tokens``, a feature as often as it occurs (the
    model's inputs are counts); ``whole`` and ``final`` are the rules' readings (masks) of
    the whole text and after the declaration reading, ``moved`` whether they differ, ``conf``
    the rules' confidence."""
    structures, mentions, _scores = _walk(n, tokens, whole, final, moved, conf)
    out = []
    for k, (bit, _key) in enumerate(ORGS):
        feats = _structural(structures[k])
        for bits, ctx in mentions:
            if bits & bit:
                feats.extend(ctx)
        out.append(feats)
    return out


def decide(mask: int, probs: list[float], margin: float) -> int:
    """The rules' reading ``mask`` after the model: an organization flips where the model
    disagrees with the rules by more than ``margin`` beyond one half; a reading is never
    emptied (the model re-reads what the rules found, it does not find nothing)."""
    out = mask
    for (bit, _key), p in zip(ORGS, probs, strict=True):
        if mask & bit and p < 0.5 - margin:
            out &= ~bit
        elif not mask & bit and p > 0.5 + margin:
            out |= bit
    return out if out else mask


def confidence(out: int, probs: list[float]) -> float:
    """How likely the reading ``out`` is right by the model: the product over the three
    organizations of the probability of its side (each quit or not)."""
    c = 1.0
    for (bit, _key), p in zip(ORGS, probs, strict=True):
        c *= p if out & bit else 1.0 - p
    return c


class Model:
    """Logistic weights (feature -> weight) read from the package's JSON file, with the gate
    (rules' confidences below it are re-read) and the margin of ``decide``."""

    __slots__ = ("_cache", "_tables", "gate", "margin", "meta", "weights")

    def __init__(self, data: dict[str, Any]) -> None:
        self.weights: dict[str, float] = {str(k): float(v) for k, v in data["weights"].items()}
        self.meta: dict[str, Any] = {k: v for k, v in data.items() if k != "weights"}
        self.gate = float(data["gate"])  # rules' confidences below this are re-read
        self.margin = float(data["margin"])
        self._cache: dict[Structure, float] = {}
        self._tables = _tables(self.weights)

    def _logit(self, feats: list[str]) -> float:
        weights = self.weights
        z = 0.0
        for f in feats:
            w = weights.get(f)
            if w is not None:
                z += w
        return z

    def probability(self, feats: list[str]) -> float:
        """P(the organization is quit) from one organization's features (counts)."""
        return _sigmoid(self._logit(feats))

    def probabilities(
        self,
        n: Normalized,
        tokens: list[Token],
        whole: int,
        final: int,
        moved: bool,
        conf: float,
    ) -> list[float]:
        """P(quit) of each organization: as ``probability(features(...))`` gives them, with
        each mention's context scored once and the structural part looked up (it takes few
        values)."""
        structures, _mentions, scores = _walk(n, tokens, whole, final, moved, conf, self._tables)
        z = [self._structure_logit(st) for st in structures]
        for bits, score in scores:
            if bits & lx.PARTY:
                z[0] += score
            if bits & lx.LEAGUE:
                z[1] += score
            if bits & lx.PIONEERS:
                z[2] += score
        return [_sigmoid(v) for v in z]

    def _structure_logit(self, structure: Structure) -> float:
        cache = self._cache
        score = cache.get(structure)
        if score is None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            score = cache[structure] = self._logit(_structural(structure))
        return score

    def reread(
        self,
        n: Normalized,
        tokens: list[Token],
        mask: int,
        whole: int,
        moved: bool,
        conf: float,
    ) -> tuple[int, float]:
        """The reading and its confidence after the model (the rules' own when ``conf`` is at
        or above the gate: short statements the rules read right almost always)."""
        if not mask or conf >= self.gate:
            return mask, conf
        probs = self.probabilities(n, tokens, whole, mask, moved, conf)
        out = decide(mask, probs, self.margin)
        return out, blend(conf, confidence(out, probs), out != mask)


def _tables(weights: dict[str, float]) -> tuple[Table, Table]:
    """The context weights by template (see _TEMPLATES), for mentions and for 三退."""
    made: list[Table] = [({}, [{} for _ in _TEMPLATES], {}), ({}, [{} for _ in _TEMPLATES], {})]
    for key, w in weights.items():
        if m := _KIND_WHERE.fullmatch(key):
            made[bool(m[1])][0][(int(m[2]), m[3] == "t")] = w
        elif m := _KIND_LEFT.fullmatch(key):
            made[bool(m[1])][2].setdefault(int(m[2]), {})[m[3]] = w
        elif m := _TEMPLATE.fullmatch(key):
            made[bool(m[1])][1][_TEMPLATES.index(m[2])][m[3]] = w
    return made[0], made[1]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def blend(rules: float, learned: float, changed: bool) -> float:
    """The field's confidence from the rules' and the model's (``learned``: the model's
    probability of the reading): a reading the model changed is never above 0.8; one it doubts
    takes its doubt; one it is surer of than the rules moves halfway up."""
    if changed:
        return min(learned, 0.8)
    return learned if learned < rules else (rules + learned) / 2


@cache
def model() -> Model | None:
    """The shipped model, or None when the package has none (the rules then read alone)."""
    try:
        raw = resources.files("santui.textparse").joinpath("data", MODEL_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    return Model(json.loads(raw))
