"""The audit: what can an attacker work out from everything published? Pure (numpy, scipy).

The attacker knows every published figure of every release of a dimension, and the public log:
from it, with each release's log size, the persons each release counted (new, and revoked per
release of origin). Unknowns, for each release ``r`` and key ``x`` (every key seen, plus one
*pool* standing for all the keys of the universe never seen, when there are any):

* ``a[r,x] >= 0``: new persons counted in release ``r``;
* ``v[r,q,x] >= 0``: persons revoked in ``r`` whose statements were counted in release ``q``;
* ``c[r,x] >= 0``: the running total after release ``r`` (it is a count of persons: never
  negative).

Constraints: ``c[r] = c[r-1] + a[r] - sum_q v[r,q]``; per release ``sum_x a = new persons`` and
per origin ``sum_x v = revoked persons``; ``sum_r v[r,q,x] <= a[q,x]`` (one can only revoke
someone counted); and one equation per published figure (a month cell, a year cell, an all-time
cell). This is the linear relaxation of what the attacker knows (the standard audit of
statistical disclosure control; headcounts of single statements, which the log shows, are not
used as integer constraints: see docs/disclosure.md, "Limits").

The guarantee checked: for every *sensitive* quantity, that is every ``a`` and ``v`` holding 1
to k-1 persons and every withheld month cell whose net value is 1 to k-1 (in absolute value),
the attacker's range contains 0 and reaches ``min(k, cap)``, where ``cap`` is the public total it
is part of (the release's new persons, the persons revoked from one origin). Any group of
persons of one key that the published figures would show to be between 1 and k-1 contains such
an ``a`` or ``v`` whose range would then stay below k (unless the public size of its release is
itself below k): so checking these quantities checks every group, year and all-time cells
included.

Ranges come from linear programs solved by HiGHS (scipy.optimize.linprog). Many quantities are
certified by one program (minimise, or maximise up to the threshold, their sum), and programs for
single quantities are solved only for what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported where a release is audited, not by every command
    from scipy.sparse import csr_matrix

from santui.tally.disclosure.tables import (
    Published,
    Release,
    all_value,
    keys_of,
    year_start,
    year_value,
)

POOL = "\0pool"  # the keys never seen, as one
Bounds = list[tuple[float | None, float | None]]
Extra = tuple["csr_matrix", np.ndarray, Bounds]  # more variables: their rows (<= rhs), bounds


@dataclass(frozen=True)
class Quantity:
    """A sensitive quantity: ``kind`` (new, revoked, month, year, all), release, key."""

    kind: str
    release: int
    key: str
    origin: int | None  # revoked: the release of origin; span: the last release of the run
    value: int
    cap: int
    either: bool = False  # span: pinned only when neither 0 nor k is reachable


@dataclass(frozen=True)
class Violation:
    quantity: Quantity
    low: float
    high: float


class _Model:
    def __init__(
        self, releases: Sequence[Release], published: Sequence[Published], *, universe: int
    ) -> None:
        self.releases, self.published = releases, published
        seen = keys_of(releases)
        self.keys = seen + ([POOL] if universe > len(seen) else [])
        self.n = 0
        self.a: dict[tuple[int, str], int] = {}
        self.c: dict[tuple[int, str], int] = {}
        self.v: dict[tuple[int, int, str], int] = {}
        self.origins: list[dict[int, int]] = [rel.revoked_from() for rel in releases]
        for r in range(len(releases)):
            for x in self.keys:
                self.a[(r, x)] = self._var()
                self.c[(r, x)] = self._var()
            for q in sorted(self.origins[r]):
                for x in self.keys:
                    self.v[(r, q, x)] = self._var()
        eq_rows: list[dict[int, float]] = []
        eq_rhs: list[float] = []
        ub_rows: list[dict[int, float]] = []
        ub_rhs: list[float] = []
        for r, rel in enumerate(releases):
            for x in self.keys:
                row = {self.c[(r, x)]: 1.0, self.a[(r, x)]: -1.0}
                if r > 0:
                    row[self.c[(r - 1, x)]] = -1.0
                for q in self.origins[r]:
                    row[self.v[(r, q, x)]] = 1.0
                eq_rows.append(row)
                eq_rhs.append(0.0)
            eq_rows.append({self.a[(r, x)]: 1.0 for x in self.keys})
            eq_rhs.append(float(rel.gross))
            for q, persons in self.origins[r].items():
                eq_rows.append({self.v[(r, q, x)]: 1.0 for x in self.keys})
                eq_rhs.append(float(persons))
        revoked_later: dict[tuple[int, str], list[int]] = {}
        for (_, q, x), i in self.v.items():
            revoked_later.setdefault((q, x), []).append(i)
        for (q, x), items in revoked_later.items():
            ub_rows.append({**dict.fromkeys(items, 1.0), self.a[(q, x)]: -1.0})
            ub_rhs.append(0.0)
        for r, pub in enumerate(published):
            for x in pub.month:
                eq_rows.append(self.month_expr(r, x))
                eq_rhs.append(float(releases[r].values.get(x, 0)))
            if pub.year is not None:
                for x in pub.year:
                    eq_rows.append(self.year_expr(r, x))
                    eq_rhs.append(float(year_value(releases, r, x)))
            for x in pub.all:
                eq_rows.append({self.c[(r, x)]: 1.0})
                eq_rhs.append(float(all_value(releases, r, x)))
        self.a_eq, self.b_eq = self._matrix(eq_rows), np.array(eq_rhs)
        self.a_ub, self.b_ub = self._matrix(ub_rows), np.array(ub_rhs)

    def _var(self) -> int:
        self.n += 1
        return self.n - 1

    def _matrix(self, rows: list[dict[int, float]]) -> csr_matrix:
        from scipy.sparse import coo_matrix

        data, ri, ci = [], [], []
        for i, row in enumerate(rows):
            for j, value in row.items():
                ri.append(i)
                ci.append(j)
                data.append(value)
        return coo_matrix((data, (ri, ci)), shape=(len(rows), self.n)).tocsr()

    def month_expr(self, r: int, x: str) -> dict[int, float]:
        row = {self.a[(r, x)]: 1.0}
        for q in self.origins[r]:
            row[self.v[(r, q, x)]] = -1.0
        return row

    def year_expr(self, r: int, x: str) -> dict[int, float]:
        s = year_start(self.releases, r)
        row = {self.c[(r, x)]: 1.0}
        if s > 0:
            row[self.c[(s - 1, x)]] = -1.0
        return row

    def expr(self, q: Quantity) -> dict[int, float]:
        if q.kind == "new":
            return {self.a[(q.release, q.key)]: 1.0}
        if q.kind == "revoked":
            assert q.origin is not None
            return {self.v[(q.release, q.origin, q.key)]: 1.0}
        if q.kind == "month":
            return self.month_expr(q.release, q.key)
        if q.kind == "year":
            return self.year_expr(q.release, q.key)
        if q.kind == "span":
            assert q.origin is not None
            row = {self.c[(q.origin, q.key)]: 1.0}
            if q.release > 0:
                row[self.c[(q.release - 1, q.key)]] = -1.0
            return row
        return {self.c[(q.release, q.key)]: 1.0}

    def solve(self, objective: np.ndarray, extra: Extra | None = None) -> np.ndarray:
        from scipy.optimize import linprog
        from scipy.sparse import csr_matrix, hstack, vstack

        a_ub, b_ub, a_eq = self.a_ub, self.b_ub, self.a_eq
        bounds: Bounds = [(0, None)] * self.n
        if extra is not None:
            rows, rhs, more = extra
            m = rows.shape[1] - self.n
            a_ub = vstack([hstack([a_ub, csr_matrix((a_ub.shape[0], m))]), rows]).tocsr()
            b_ub = np.concatenate([b_ub, rhs])
            a_eq = hstack([a_eq, csr_matrix((a_eq.shape[0], m))]).tocsr()
            bounds = bounds + more
        result = linprog(
            objective,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=a_eq,
            b_eq=self.b_eq,
            bounds=bounds,
            method="highs",
        )
        if result.status != 0:
            raise AuditError(f"the audit's linear program failed: {result.message}")
        out: np.ndarray = np.asarray(result.x, dtype=float)
        return out


class AuditError(RuntimeError):
    """The audit could not be solved (the published figures contradict the exact ones)."""


def sensitive(
    releases: Sequence[Release], published: Sequence[Published], *, k: int
) -> list[Quantity]:
    """Every quantity the guarantee protects (see the module docstring)."""
    out: list[Quantity] = []
    keys = keys_of(releases)
    for r, rel in enumerate(releases):
        origins = rel.revoked_from()
        for x in keys:
            new = rel.new(x)
            if 0 < new < k:
                out.append(Quantity("new", r, x, None, new, rel.gross))
        for (q, x), n in sorted(rel.revoked.items()):
            if 0 < n < k:
                out.append(Quantity("revoked", r, x, q, n, origins[q]))
        pub = published[r]
        for x in keys:
            value = rel.values.get(x, 0)
            if x not in pub.month and 0 < abs(value) < k:
                cap = rel.gross if value > 0 else sum(origins.values())
                out.append(Quantity("month", r, x, None, value, cap))
    return out + _spans(releases, keys, k=k)


def _spans(releases: Sequence[Release], keys: Sequence[str], *, k: int) -> list[Quantity]:
    """Runs of consecutive releases of one key whose net persons are 1 to k-1. Protecting every
    new and revoked cell up to its release's size protects every group of them, except (a) one
    made only of cells of small releases (fewer than k persons each) and (b) a net difference
    of new and revoked persons, which can be small though both are large. Those runs are checked
    too: pinned when the key's net persons in the run can be neither 0 nor k."""
    out = []
    small = [rel.gross < k for rel in releases]
    for x in keys:
        revoking = [any(n for (_, y), n in rel.revoked.items() if y == x) for rel in releases]
        for s in range(len(releases)):
            net = gross = 0
            active = big = revoked = False
            for e in range(s, len(releases)):
                rel = releases[e]
                if rel.active(x) and not small[e]:
                    big = True
                revoked = revoked or revoking[e]
                if big and not revoked and not any(revoking[e:]):
                    break  # only large releases from here on, and no revocation
                active = active or rel.active(x)
                net += rel.values.get(x, 0)
                gross += rel.gross
                if active and gross >= k and 0 < net < k and (revoked or not big):
                    out.append(Quantity("span", s, x, e, net, gross, either=True))
    return out


def _rows(model: _Model, quantities: Sequence[Quantity]) -> csr_matrix:
    return model._matrix([model.expr(q) for q in quantities])


def audit(
    releases: Sequence[Release],
    published: Sequence[Published],
    *,
    k: int,
    universe: int,
) -> list[Violation]:
    """The sensitive quantities an attacker could pin below k (empty: the releases are safe).
    Every release is checked each time: a new all-time figure reaches back to the first.
    ``universe``: how many keys the dimension has (seen or not)."""
    from scipy.sparse import diags, hstack, identity

    quantities = sensitive(releases, published, k=k)
    if not quantities:
        return []
    model = _Model(releases, published, universe=universe)
    tol = 1e-6 * (1 + max(rel.gross for rel in releases)) + 1e-6
    signs = np.array([1.0 if q.value > 0 else -1.0 for q in quantities])
    # a span is pinned below k only if it can reach neither 0 nor k (its releases are small)
    targets = np.array([float(k if q.either else min(k, q.cap)) for q in quantities])
    rows = _rows(model, quantities)

    def values(x: np.ndarray) -> np.ndarray:
        out: np.ndarray = signs * (rows @ x[: model.n])
        return out

    low = np.full(len(quantities), np.inf)
    high = np.full(len(quantities), -np.inf)
    need_low = np.ones(len(quantities), dtype=bool)
    need_high = np.ones(len(quantities), dtype=bool)

    either = np.array([q.either for q in quantities])

    def record(x: np.ndarray) -> None:
        got = values(x)
        np.minimum(low, got, out=low)
        np.maximum(high, got, out=high)
        need_low[low <= tol] = False
        need_high[high >= targets - tol] = False
        settled = either & ~(need_low & need_high)  # a span needs one side only
        need_low[settled] = False
        need_high[settled] = False

    # Minimise the (signed) sum of what is not yet shown able to be 0.
    while need_low.any():
        before = int(need_low.sum())
        idx = np.flatnonzero(need_low)
        objective = np.asarray(rows[idx].T @ signs[idx], dtype=float).ravel()
        record(model.solve(objective))
        if int(need_low.sum()) == before:
            break
    for j in np.flatnonzero(need_low):
        objective = np.asarray((signs[j] * rows[j]).toarray(), dtype=float).ravel()
        record(model.solve(objective))
    # Maximise, each capped at its target, what is not yet shown able to reach it.
    while need_high.any():
        before = int(need_high.sum())
        idx = np.flatnonzero(need_high)
        m = len(idx)
        # u_i - s_i e_i <= 0, u_i <= target_i; maximise sum u
        extra_rows = hstack([-(diags(signs[idx]) @ rows[idx]), identity(m)]).tocsr()
        objective = np.concatenate([np.zeros(model.n), -np.ones(m)])
        bounds: Bounds = [(None, float(t)) for t in targets[idx]]
        record(model.solve(objective, (extra_rows, np.zeros(m), bounds)))
        if int(need_high.sum()) == before:
            break
    for j in np.flatnonzero(need_high):
        objective = -np.asarray((signs[j] * rows[j]).toarray(), dtype=float).ravel()
        record(model.solve(objective))
    out = []
    for i, q in enumerate(quantities):
        if need_low[i] or need_high[i]:
            out.append(Violation(q, float(signs[i] * low[i]), float(signs[i] * high[i])))
    return out
