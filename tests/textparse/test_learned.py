"""The learned re-reading of the organizations quit (santui/textparse/learned.py, issue 13): the
shipped model is what the training script makes from the development split, it loads without
scikit-learn or pickle, its fast path agrees with its features, and that it changes no reading
(margin 0.5) but flags the ones it doubts."""

from __future__ import annotations

import importlib.util
import json
import math
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import santui.textparse.parse as parse_module
from santui.textparse import learned
from santui.textparse import lexicon as lx
from santui.textparse.automaton import Token, scan
from santui.textparse.normalize import Normalized, normalize
from santui.textparse.parse import LOW_CONFIDENCE, parse_statement, rules_organizations

ROOT = Path(__file__).resolve().parents[2]
EVAL = Path(__file__).parent / "eval"
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Statements written for these tests (not from the corpus), in the service center's layout.
SEE_SLOGAN = (
    "退队\n看到那些网上骂人的小粉红，都是邪党洗脑出来的，所以我要退出邪党的一切，不再受它控制。\n"
    "声明人: 周明远\n2021-03-02 10:11\n湖南"
)
LEAGUE_ONLY = (
    "退团声明\n我年轻时为了找工作入过团，后来看清了共产党的所作所为，也撤回了入党申请书。今天郑重声明"
    "退出当年加入的共青团，与它一刀两断。\n声明人: 许文静\n2021-02-11 09:30\n大陆"
)
TWO_NAMED = (
    "退出少先队和共青团\n这几年我越来越看清中共的残暴，尤其是疫情里隐瞒真相，害死了那么多人。我上学时"
    "加入过少先队和共青团，现在正式声明退出，彻底和中共划清界限。\n声明人: 林晓\n2021-01-05 08:00"
    "\n广东"
)
SHORT = "本人声明退出共青团和少先队。张三"


def _rules(text: str) -> tuple[Normalized, int, float, int, bool, list[Token]]:
    n = normalize(text)
    tokens = scan(n)
    mask, _current, conf, whole, moved, org_tokens = rules_organizations(
        n, tokens, {t[0] for t in tokens}
    )
    return n, mask, conf, whole, moved, org_tokens


def _training_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_textparse", ROOT / "scripts" /
                                                  "train_textparse.py")  # fmt: skip
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rules_only(text: str, monkeypatch: pytest.MonkeyPatch) -> frozenset[str]:
    with monkeypatch.context() as patch:
        patch.setattr(parse_module, "model", lambda: None)  # the rules alone
        return parse_statement(text).organizations


def test_the_shipped_model_is_what_the_script_trains_from_the_development_split() -> None:
    """Same data, same weights: training again gives the shipped file's content exactly."""
    script = _training_script()
    items = script.dev_items()
    split = json.loads((ROOT / "tests/textparse/eval/real/split.json").read_text("utf-8"))
    assert {i["id"] for i in items} == set(split["dev"])  # the dev split, never the test split
    shipped = json.loads(
        resources.files("santui.textparse").joinpath("data", learned.MODEL_FILE).read_text()
    )
    assert script.model_data(script.readings(items)) == shipped


def test_the_model_file_loads_as_plain_weights() -> None:
    model = learned.model()
    assert model is not None
    assert model.meta["trained_on"] == "dev"
    assert 0.0 <= model.margin <= 0.5 and 0.5 < model.gate <= 1.0
    assert len(model.weights) > 1000
    assert all(math.isfinite(w) for w in model.weights.values())


@pytest.mark.parametrize("text", [SEE_SLOGAN, LEAGUE_ONLY, TWO_NAMED, SHORT])
def test_the_fast_path_scores_what_the_features_say(text: str) -> None:
    model = learned.model()
    assert model is not None
    n, mask, conf, whole, moved, org_tokens = _rules(text)
    fast = model.probabilities(n, org_tokens, whole, mask, moved, conf)
    slow = [model.probability(f) for f in learned.features(n, org_tokens, whole, mask, moved, conf)]
    assert fast == pytest.approx(slow, abs=1e-12)


def test_the_model_changes_no_reading_and_flags_the_ones_it_doubts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over the evaluation set and the organization probes (written alongside the parser, not
    the real statements the model is trained on): cross-validation on dev gave the model no
    reading to change for the better (docs/textparse.md), so it ships with margin 0.5. It keeps
    the rules' reading of every statement, and where it doubts one the rules are sure of, it
    says so, which holds that statement for a person. Which statements it doubts depends on its
    training (e0478 of the evaluation set before the labels of 2026-12-06, e0485 after, none of
    it after the rules of the eighth stop: organizations_long and organizations_spread still
    have some); that it flags some does not."""
    files = [EVAL / "statements.jsonl", *sorted((EVAL / "probes").glob("organizations*.jsonl"))]
    texts = [
        json.loads(line)["text"]
        for path in files
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    doubted = 0
    for text in texts:
        parsed = parse_statement(text)
        with monkeypatch.context() as patch:
            patch.setattr(parse_module, "model", lambda: None)
            alone = parse_statement(text)
        assert parsed.organizations == alone.organizations, text
        if alone.confidence["organizations"] >= LOW_CONFIDENCE:
            doubted += parsed.confidence["organizations"] < LOW_CONFIDENCE
    assert doubted >= 1


def test_a_later_general_declaration_takes_the_title_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """退队 … 我要退出邪党的一切: by the labelling rules the later, general declaration takes the
    title in (all three); the rules read it so, and the model keeps it."""
    assert _rules_only(SEE_SLOGAN, monkeypatch) == {"party", "league", "pioneers"}
    assert parse_statement(SEE_SLOGAN).organizations == {"party", "league", "pioneers"}


def test_with_margin_one_half_no_probability_changes_a_reading() -> None:
    for mask in range(1, 8):
        for p in ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.01, 0.99, 0.5]):
            assert learned.decide(mask, p, 0.5) == mask
    assert learned.decide(lx.PARTY, [0.2, 0.9, 0.1], 0.0) == lx.LEAGUE  # what margin 0 does


def test_an_application_withdrawn_is_not_a_membership_quit(monkeypatch: pytest.MonkeyPatch) -> None:
    """撤回了入党申请书 … 声明退出当年加入的共青团: the league, not the party. The rules read an
    application (入党申请书) as no membership, and the model keeps their reading."""
    assert _rules_only(LEAGUE_ONLY, monkeypatch) == {"league"}
    assert parse_statement(LEAGUE_ONLY).organizations == {"league"}
    # a withdrawal with no object takes the memberships the text states (organizations.py, 3)
    bare = "我上学时入过团，工作后也写过入党申请书。今天郑重声明退出，与它一刀两断。"
    assert _rules_only(bare, monkeypatch) == {"league"}
    member = bare.replace("也写过入党申请书", "也入了党")
    assert _rules_only(member, monkeypatch) == {"league", "party"}


def test_readings_the_model_agrees_with_stay_and_gain_confidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (
        _rules_only(TWO_NAMED, monkeypatch)
        == parse_statement(TWO_NAMED).organizations
        == {
            "league",
            "pioneers",
        }
    )
    assert parse_statement(TWO_NAMED).confidence["organizations"] > 0.92


@pytest.mark.parametrize(
    "text",
    [
        "我当年入过共青团和少先队。",
        "我当年入过共青团和少先队，现在看清了它们。",
        "我是中共党员，入党二十年了。",
    ],
)
def test_a_reading_without_any_withdrawal_stays_a_guess_however_sure_the_model(text: str) -> None:
    """Organizations named and no withdrawal anywhere: the model may agree with the mention
    reading, but it is held for a person, never counted (issue 13)."""
    parsed = parse_statement(text)
    assert parsed.organizations
    assert parsed.confidence["organizations"] < LOW_CONFIDENCE
    assert "organizations" in parsed.low_confidence()


def test_short_statements_are_left_to_the_rules() -> None:
    parsed = parse_statement(SHORT)
    assert parsed.organizations == {"league", "pioneers"}
    assert parsed.confidence["organizations"] == 0.95  # the rules' own: not re-read


@pytest.mark.parametrize(
    ("mask", "probs", "out"),
    [
        (lx.ALL, [0.1, 0.9, 0.9], lx.LEAGUE | lx.PIONEERS),
        (lx.PARTY, [0.9, 0.6, 0.2], lx.PARTY | lx.LEAGUE),
        (lx.PARTY, [0.1, 0.1, 0.1], lx.PARTY),  # never emptied
        (lx.ALL, [0.6, 0.6, 0.6], lx.ALL),
    ],
)
def test_decide_flips_what_the_model_disagrees_on(mask: int, probs: list[float], out: int) -> None:
    assert learned.decide(mask, probs, 0.0) == out


PIECES = [
    "退党", "退团", "退队", "三退", "退出", "共青团", "少先队", "中共", "共产党", "及其一切组织",
    "我曾加入", "从未入党", "声明", "\n", "。", "，", "看到大家都在退党", "小时候", "声明人: 王五",
    "邪党的", "附属组织", "我要三退保平安", "party", "quit the CCP", "Youth League",
]  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=30).map("".join),
)


@FAST
@given(TEXTS)
def test_the_model_never_breaks_a_reading(text: str) -> None:
    """Any text: the probabilities are probabilities, the reading stays a non-empty subset of
    the three when the rules found one, and every confidence is in [0, 1]."""
    model = learned.model()
    assert model is not None
    n, mask, conf, whole, moved, org_tokens = _rules(text)
    probs = model.probabilities(n, org_tokens, whole, mask, moved, conf)
    assert all(0.0 <= p <= 1.0 for p in probs)
    out, out_conf = model.reread(n, org_tokens, mask, whole, moved, conf)
    assert 0.0 <= out_conf <= 1.0
    assert not out & ~lx.ALL
    assert bool(out) == bool(mask)
    parsed = parse_statement(text)
    assert all(0.0 <= c <= 1.0 for c in parsed.confidence.values())
    assert parsed.organizations <= {"party", "league", "pioneers"}


@FAST
@given(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=3, max_size=3), st.booleans())
def test_the_blended_confidence_is_a_probability(rules: float, probs: list[float], changed: bool
                                                 ) -> None:  # fmt: skip
    for out in range(1, 8):
        c = learned.blend(rules, learned.confidence(out, probs), changed)
        assert 0.0 <= c <= 1.0
