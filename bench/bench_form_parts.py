"""Two parts of a statement sent through the form, timed alone (issue 15; docs/benchmarks.md,
"The form, fifth pass"), each against the way it replaced, in turns in one process:

* making the declaration form: ``DeclareForm()`` (its fields copied by ``LeanFieldCopies``)
  against a subclass whose fields Django's own deep copy makes;
* a Redis command of the door's (GET, INCRBY) with redis-py's reply parser from hiredis against
  its pure-Python one, on the shared Redis (``--redis``).

    .venv/bin/python bench/bench_form_parts.py

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import timeit

from benchlib import load, setup_django_here


def _best(fn: object, number: int, rounds: int) -> list[float]:
    return [timeit.timeit(fn, number=number) / number * 1e6 for _ in range(rounds)]  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"date       {time.strftime('%Y-%m-%d %H:%M %z')}, cpus {os.cpu_count()}, {load()}")
    setup_django_here()
    import redis
    from django.utils import translation
    from redis._parsers import _HiredisParser, _RESP3Parser

    from santui.intake.forms import DeclareForm

    class DjangoCopies(DeclareForm):
        """The same fields; Django's metaclass gives the subclass a plain dict of them."""

    translation.activate("zh-hans")
    forms = {"LeanFieldCopies": DeclareForm, "Django's deep copy": DjangoCopies}
    made: dict[str, list[float]] = {name: [] for name in forms}
    for _ in range(args.rounds):
        for name, form in forms.items():
            made[name] += _best(form, 2000, 1)
    for name, runs in made.items():
        print(f"DeclareForm() with {name:20s} median {statistics.median(runs):6.0f} µs "
              f"(runs: {', '.join(f'{r:.0f}' for r in runs)})")  # fmt: skip

    parsers = {"hiredis": _HiredisParser, "pure Python": _RESP3Parser}
    clients = {
        name: redis.Redis(connection_pool=redis.ConnectionPool.from_url(
            args.redis, parser_class=parser_class, protocol=3))
        for name, parser_class in parsers.items()
    }  # fmt: skip
    sent: dict[str, list[float]] = {name: [] for name in parsers}
    for client in clients.values():
        client.set("santui:bench:parts", 1)
    for _ in range(args.rounds):
        for name, client in clients.items():
            runs = _best(lambda c=client: (c.get("santui:bench:parts"),
                                           c.incrby("santui:bench:parts", 1)), 5000, 1)  # fmt: skip
            sent[name] += [r / 2 for r in runs]
    clients["hiredis"].delete("santui:bench:parts")
    for name, runs in sent.items():
        print(f"a Redis command, {name:12s} median {statistics.median(runs):6.1f} µs "
              f"(runs: {', '.join(f'{r:.1f}' for r in runs)})")  # fmt: skip
    print(f"{load()}; bench/bench_form_parts.py --rounds {args.rounds}")


if __name__ == "__main__":
    main()
