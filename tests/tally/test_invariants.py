"""DESIGN.md invariant 2, property-based: after any sequence of receives, accepts, rejects and
integrations, the rollups equal a recount from source and a naive model of the counting rules,
and the public statement list holds exactly the accepted statements published with consent."""

import datetime as dt
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.statements.actions import (
    TransitionError,
    statement_accept,
    statement_receive,
    statement_reject,
)
from santui.statements.models import Statement
from santui.statements.public import public_entries
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tally.selectors import stats_document
from santui.tally.verify import tally_verify

ORG_SETS = st.sets(st.sampled_from(["party", "league", "pioneers"]), min_size=1)
receive = st.tuples(
    st.just("receive"),
    st.integers(1, 200),  # headcount
    ORG_SETS,
    st.datetimes(
        min_value=dt.datetime(2004, 12, 3),
        max_value=dt.datetime(2024, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    st.sampled_from(["110101", "210100", "US", "HK", ""]),
    st.sampled_from(["", "police", "farmer"]),
    st.sampled_from(["web", "phone", "group"]),
    st.sampled_from(["self", "family", "volunteer", "deceased"]),
    st.booleans(),  # publish
)
accept = st.tuples(st.just("accept"), st.integers(0, 50))
reject = st.tuples(
    st.just("reject"), st.integers(0, 50), st.sampled_from(["duplicate", "spam", "other"])
)
integrate = st.tuples(st.just("integrate"), st.integers(1, 7))
operations = st.lists(st.one_of(receive, receive, accept, accept, reject, integrate), max_size=40)


def expected_from_model(model: dict[int, dict]) -> dict:  # type: ignore[type-arg]
    counted = [s for s in model.values() if s["status"] == "accepted"]
    orgs: Counter[str] = Counter()
    for s in counted:
        for org in s["orgs"]:
            orgs[org] += s["headcount"]
    return {
        "persons": sum(s["headcount"] for s in counted),
        "statements": len(counted),
        "organizations": {k: orgs[k] for k in ("party", "league", "pioneers")},
    }


class TallyEqualsRecount(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations)
    def test_tally_equals_recount_after_any_sequence(self, ops: list[tuple]) -> None:  # type: ignore[type-arg]
        # a transactional test earlier on this worker may have flushed the state row
        IntegrationState.objects.get_or_create(pk=1)
        model: dict[int, dict] = {}  # type: ignore[type-arg]
        for op in ops:
            if op[0] == "receive":
                _, headcount, orgs, when, region, sector, channel, declarant, publish = op
                s = statement_receive(
                    channel=channel, organizations=sorted(orgs), name_kind="anonymous",
                    headcount=headcount, received_at=when, region=region, sector=sector,
                    declarant=declarant, publish=publish, source="t", via="t",
                ).statement  # fmt: skip
                model[s.pk] = {"status": "received", "headcount": headcount, "orgs": orgs,
                               "declarant": declarant, "publish": publish}  # fmt: skip
            elif op[0] in ("accept", "reject") and model:
                pk = sorted(model)[op[1] % len(model)]
                statement = Statement.objects.get(pk=pk)
                try:
                    if op[0] == "accept":
                        statement_accept(statement=statement, by=None, via="t")
                        model[pk]["status"] = "accepted"
                    else:
                        statement_reject(statement=statement, by=None, reason=op[2], via="t")
                        model[pk]["status"] = "rejected"
                except TransitionError:
                    assert (op[0] == "accept" and model[pk]["status"] != "received") or (
                        op[0] == "reject" and model[pk]["status"] == "rejected"
                    )
            elif op[0] == "integrate":
                tally_integrate(batch_size=op[1])
                report = tally_verify()
                assert report.ok, report.problems
        tally_integrate(batch_size=3)
        report = tally_verify()
        assert report.ok, report.problems
        assert report.queued == 0
        doc = stats_document(public=False)
        want = expected_from_model(model)
        assert doc["persons"] == want["persons"]
        assert doc["statements"] == want["statements"]
        assert doc["organizations"] == want["organizations"]
        assert sum(c["persons"] for c in doc["channels"]) == want["persons"]
        # each kind of declarant apart, adding up to the persons
        kinds: Counter[str] = Counter()
        for s in model.values():
            if s["status"] == "accepted":
                kinds[s["declarant"]] += s["headcount"]
        assert {c["key"]: c["persons"] for c in doc["declarants"]} == {
            k: v for k, v in kinds.items() if v
        }
        assert sum(r["persons"] for r in doc["regions"]) == want["persons"]
        assert (doc["daily"][-1]["cumulative"] if doc["daily"] else 0) == want["persons"]
        # the public list: exactly the accepted statements published with consent
        listed = [e.statement_id for e in public_entries()]
        assert sorted(listed) == sorted(
            pk for pk, s in model.items() if s["status"] == "accepted" and s["publish"]
        )
        assert len(listed) == len(set(listed))
