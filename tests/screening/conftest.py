from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from santui.screening.run import screen_all
from santui.statements.actions import statement_receive
from santui.statements.models import Statement

# Long enough ago for any screening delay, and for later repeats still in the past.
EARLIER = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)


def receive(**overrides: Any) -> Statement:
    """A received statement through the real action; fields as a web declarant gives them."""
    values: dict[str, Any] = {
        "channel": "web",
        "organizations": ["party", "league", "pioneers"],
        "name_kind": "alias",
        "name": "真心",
        "text": "我声明退出中共的党、团、队组织，本人在沈阳工作多年，早已看清它的本质。化名真心",
        "region": "210100",
        "source": "web",
        "via": "test",
        "received_at": EARLIER,
    }
    values.update(overrides)
    return statement_receive(**values).statement


def decisions() -> dict[int, tuple[str, list[str], int | None]]:
    """Every statement's screening decision: (decision, reasons, duplicate of)."""
    from santui.screening.models import Screening

    return {
        s.statement_id: (s.decision, list(s.reasons), s.duplicate_of_id)
        for s in Screening.objects.all()
    }


@pytest.fixture
def screen() -> Any:
    def run(**kwargs: Any) -> Any:
        return screen_all(delay=0, **kwargs)

    return run
