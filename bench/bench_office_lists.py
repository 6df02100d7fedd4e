"""The back office's lists of statements, of the audit trail and of the ledger on a large
instance (issue 15; docs/benchmarks.md, "The office's lists at the history's size").

    .venv/bin/python bench/bench_history_scale.py --sizes 3000000 --no-release \\
        --verify-max 0 --keep                    # prints the kept SANTUI_HOME
    .venv/bin/python bench/bench_office_lists.py --home SANTUI_HOME [--repeat 3] [--other]

Through Django's test Client, logged in as a superuser whose session is marked as signed in
with a second factor just now (as tests/backoffice/signin_support.py does), each page is
fetched once, then ``--repeat`` more times; the first time and the median of the rest are
printed, with the two SQL statements of the first fetch that took longest
(``connection.execute_wrapper``). Nothing is written but the superuser, its app and session
(and, with ``--other``, the audit of the statement page's reads of personal data).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from benchlib import kept_instance_parser, load, machine, setup_django_kept

PAGES = (
    ("statements", "/office/statements/statement/"),
    ("statements, received", "/office/statements/statement/?status__exact=received"),
    ("statements, page 100", "/office/statements/statement/?p=100"),
    ("audit trail", "/office/statements/statuschange/"),
    ("audit trail, via import", "/office/statements/statuschange/?via=import"),
    ("ledger", "/office/statements/ledgerentry/"),
)
OTHER_PAGES = (  # --other: the office's pages that are not long lists
    ("home", "/office/"),
    ("held queue", "/office/queue/"),
    ("blind re-review", "/office/review/"),
    ("quarantined email", "/office/intake/quarantine/"),
    ("loops", "/office/tally/loopstate/"),
    ("alerts", "/office/screening/alert/"),
    ("a statement's page", "/office/statements/statement/1000/change/"),
    ("jobs", "/office/jobs/"),
    ("bulk invalidation", "/office/invalidate/"),
)


def main() -> None:
    parser = kept_instance_parser(__doc__.split("\n\n")[0], repeat=3)
    parser.add_argument("--other", action="store_true", help="the office's other pages")
    args = parser.parse_args()
    setup_django_kept(args.home, args.database_url)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from santui.backoffice.signin import CONFIRMED_AT, LAST_SEEN, SIGNED_IN_AT
    from santui.statements.models import Statement

    print(machine("postgres"))
    print(f"statements: {Statement.objects.order_by('-id').values_list('id', flat=True)[0]:,}"
          f" (the highest number); {load()}\n")  # fmt: skip
    user, _ = User.objects.get_or_create(
        username="bench-office-lists", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="localhost")
    client.force_login(user)
    # signed in with a second factor just now, as a person who typed their app's code
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session, now = client.session, time.time()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = session[LAST_SEEN] = session[CONFIRMED_AT] = now
    session.save()
    slow: list[tuple[float, str]] = []

    def timed_sql(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                  context: Any) -> Any:  # fmt: skip
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slow.append((time.perf_counter() - started, " ".join(sql.split())[:150]))

    for label, url in OTHER_PAGES if args.other else PAGES:
        times = []
        for n in range(args.repeat + 1):
            slow.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(timed_sql):
                response = client.get(url)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"GET {url}: {response.status_code} {response.get('Location', '')}")
            if n == 0:
                worst = sorted(slow, reverse=True)[:2]
        rest = times[1:] or times
        print(f"{label:26} first {times[0]:7.3f} s, then median {statistics.median(rest):7.3f} s"
              f"  ({url})")  # fmt: skip
        for seconds, sql in worst:
            print(f"    {seconds:7.3f} s  {sql}")
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
