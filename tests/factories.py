"""Factories named by state, built through the real actions (never by writing rows directly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from santui.statements.actions import statement_accept, statement_receive
from santui.statements.models import Statement


class _ActionFactory(factory.Factory):
    class Meta:
        model = Statement

    channel = "phone"
    organizations = ("party", "league", "pioneers")
    name_kind = "alias"
    name = factory.Sequence(lambda n: f"化名{n}")
    text = "我声明退出中共的党、团、队组织。"
    headcount = 1
    region = "210100"
    sector = ""
    current_party_member = None
    publish = False
    received_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
    source = "office"
    via = "test"


class ReceivedStatementFactory(_ActionFactory):
    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Statement:
        return statement_receive(**kwargs).statement


class AcceptedStatementFactory(_ActionFactory):
    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Statement:
        statement = statement_receive(**kwargs).statement
        return statement_accept(statement=statement, by=None, via="test")
