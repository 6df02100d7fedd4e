"""Train the statement parser's learned reading of the organizations quit (issue 13) from the
development split of the real corpus, and write it into the package.

    .venv/bin/python scripts/train_textparse.py [--cv] [--out PATH]

The model (santui/textparse/learned.py) is one L2-regularized logistic regression over the
features ``learned.features`` gives each (statement, organization) pair, fitted here with
SciPy's L-BFGS (SciPy is already a runtime dependency; no scikit-learn). Only the
development split of tests/textparse/eval/real/split.json is read: the frozen test split is
never opened for training or for choices. ``--cv`` prints the 5-fold cross-validation on dev
(folds by the SHA-256 of the id) of the choices this script makes (regularization, which
readings the model may change, the margin it needs), the figures docs/textparse.md#learned
quotes. Training is deterministic: the same data gives the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from santui.textparse.automaton import scan  # noqa: E402
from santui.textparse.learned import MODEL_FILE, ORGS, blend, confidence, decide, features  # noqa: E402
from santui.textparse.normalize import normalize  # noqa: E402
from santui.textparse.parse import rules_organizations  # noqa: E402

REAL = ROOT / "tests" / "textparse" / "eval" / "real"
OUT = ROOT / "src" / "santui" / "textparse" / "data" / MODEL_FILE
FOLDS = 5
# The choices (set by --cv on dev): the L2 strength, the rarest feature kept, and the margin
# by which the model must disagree with the rules to change their reading.
C = 0.3
MIN_COUNT = 2
MARGIN = 0.5
GATE = 0.93
# 0.5: the model never changes a reading (decide() needs a probability beyond 0 or 1), it only
# gives the confidence; chosen when cross-validation shows no reading it changes to gain.
MARGINS = (0.0, 0.1, 0.2, 0.5)


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (REAL / name).read_text("utf-8").splitlines() if x.strip()]


def dev_items() -> list[dict[str, Any]]:
    """The development split's statements with their labels (never the test split)."""
    split = json.loads((REAL / "split.json").read_text("utf-8"))
    digest = hashlib.sha256((REAL / "statements.jsonl").read_bytes()).hexdigest()
    if digest != split["statements_sha256"]:
        sys.exit("statements.jsonl changed since the split was frozen")
    dev = set(split["dev"])
    if dev & set(split["test"]):
        sys.exit("the split overlaps")
    labels = {r["id"]: r for r in _jsonl("labels.jsonl") if r["id"] in dev}
    items = []
    for row in _jsonl("statements.jsonl"):
        if row["id"] in dev:
            items.append({"id": row["id"], "text": row["text"], "gold": labels[row["id"]]})
    return items


def readings(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules' reading and the model's features of each item (features only where the rules
    found something to quit: the model re-reads a reading, it does not make one)."""
    out = []
    for item in items:
        n = normalize(item["text"])
        tokens = scan(n)
        kinds = {t[0] for t in tokens}
        mask, _current, conf, whole, moved, org_tokens = rules_organizations(n, tokens, kinds)
        gold = 0
        for bit, key in ORGS:
            if key in item["gold"]["organizations"]:
                gold |= bit
        feats = features(n, org_tokens, whole, mask, moved, conf) if mask else None
        out.append({"id": item["id"], "mask": mask, "conf": conf, "gold": gold, "feats": feats})
    return out


def _matrix(
    rows: list[dict[str, Any]], vocab: dict[str, int] | None
) -> tuple[sparse.csr_matrix, np.ndarray, dict[str, int]]:
    examples = [(r["feats"][k], bool(r["gold"] & bit)) for r in rows if r["feats"] is not None
                for k, (bit, _key) in enumerate(ORGS)]  # fmt: skip
    if vocab is None:
        seen: dict[str, int] = {}
        for feats, _y in examples:
            for f in set(feats):
                seen[f] = seen.get(f, 0) + 1
        vocab = {f: i for i, f in enumerate(sorted(f for f, c in seen.items() if c >= MIN_COUNT))}
    indptr: list[int] = [0]
    indices: list[int] = []
    values: list[float] = []
    for feats, _y in examples:
        counted = Counter(vocab[f] for f in feats if f in vocab)
        for index in sorted(counted):
            indices.append(index)
            values.append(float(counted[index]))
        indptr.append(len(indices))
    data = np.array(values)
    x = sparse.csr_matrix((data, indices, indptr), shape=(len(examples), len(vocab)))
    y = np.array([1.0 if yv else -1.0 for _f, yv in examples])
    return x, y, vocab


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float) -> np.ndarray:
    """L2-regularized logistic regression (the weight of "bias" is regularized like the rest:
    it is one feature among many here), minimized by L-BFGS from zero: deterministic."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        m = -y * z
        value = float(np.sum(np.logaddexp(0.0, m)) + 0.5 / c * (w @ w))
        s = -y * (1.0 / (1.0 + np.exp(-m)))
        return value, x.T @ s + w / c

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 2000, "gtol": 1e-8})  # fmt: skip
    return np.asarray(result.x)


def train(rows: list[dict[str, Any]], c: float) -> dict[str, float]:
    x, y, vocab = _matrix(rows, None)
    w = fit(x, y, c)
    return {f: round(float(w[i]), 5) for f, i in vocab.items() if round(float(w[i]), 5) != 0.0}


def _probability(weights: dict[str, float], feats: list[str]) -> float:
    z = sum(weights.get(f, 0.0) for f in feats)
    return float(1.0 / (1.0 + np.exp(-z)))


def _fold(item_id: str) -> int:
    return int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) % FOLDS


def _reading(
    r: dict[str, Any], p: list[float] | None, gate: float, margin: float
) -> tuple[int, float]:
    if p is None or r["conf"] >= gate:
        return r["mask"], r["conf"]
    out = decide(r["mask"], p, margin)
    return out, blend(r["conf"], confidence(out, p), out != r["mask"])


def cross_validate(rows: list[dict[str, Any]]) -> None:
    rules = sum(r["mask"] == r["gold"] for r in rows) / len(rows)
    print(f"dev items: {len(rows)}; rules alone: organizations exact {rules:.3f}")
    best = (0.0, 0.0, 0.0, 0.0)
    for c in (0.1, 0.3, 1.0, 3.0):
        probs: dict[str, list[float]] = {}
        for k in range(FOLDS):
            weights = train([r for r in rows if _fold(r["id"]) != k], c)
            for r in rows:
                if _fold(r["id"]) == k and r["feats"] is not None:
                    probs[r["id"]] = [_probability(weights, f) for f in r["feats"]]
        line = []
        for gate in (0.9, 0.93, 1.01):
            for margin in MARGINS:
                got = [_reading(r, probs.get(r["id"]), gate, margin) for r in rows]
                right = sum(g[0] == r["gold"] for g, r in zip(got, rows, strict=True)) / len(rows)
                line.append(f"gate {gate}/margin {margin}: {right:.3f}")
                if right > best[0]:
                    best = (right, c, gate, margin)
        print(f"C={c}: " + ", ".join(line))
        if c == C:
            _flags(rows, probs)
    print("best: exact {:.3f} at C={}, gate {}, margin {}".format(*best))


def _flags(rows: list[dict[str, Any]], probs: dict[str, list[float]]) -> None:
    """How the confidence separates right from wrong readings (as the low-confidence test of
    tests/textparse/test_real_floors.py measures it), rules alone and with the model."""
    for name, gate in (("rules", -1.0), ("model", GATE)):
        tallies = {True: [0, 0], False: [0, 0]}
        for r in rows:
            mask, conf = _reading(r, probs.get(r["id"]), gate, MARGIN)
            flagged = conf < 0.7
            tallies[flagged][0] += mask == r["gold"]
            tallies[flagged][1] += 1
        (fr, fn), (pr, pn) = tallies[True], tallies[False]
        print(f"  {name}: flagged {fn} ({fr / max(fn, 1):.3f} right), "
              f"not flagged {pn} ({pr / max(pn, 1):.3f} right)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv", action="store_true", help="print the cross-validation on dev")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = readings(dev_items())
    if args.cv:
        cross_validate(rows)
        return
    data = model_data(rows)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"wrote {args.out}: {len(data['weights'])} weights from {len(rows)} dev statements")


def model_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The model file's content, trained on ``rows`` (readings of the dev split)."""
    weights = train(rows, C)
    return {
        "about": "santui.textparse.learned: logistic weights, trained by "
        "scripts/train_textparse.py on the development split of tests/textparse/eval/real",
        "trained_on": "dev",
        "items": len(rows),
        "c": C,
        "min_count": MIN_COUNT,
        "gate": GATE,
        "margin": MARGIN,
        "weights": dict(sorted(weights.items())),
    }


if __name__ == "__main__":
    main()
