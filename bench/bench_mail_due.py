"""Retention's search for email past its period (``santui.retention.run.mail_due``; intake
migration 0002, issue 15) on PostgreSQL, against the search before it, on a registry with many
email messages whose data retention already deleted.

    .venv/bin/python bench/bench_mail_due.py [--messages 1000000] [--held 50000] [--repeat 3]

Builds a fresh instance (database ``bench_mail``, dropped at the end): ``--messages`` email
statements accepted 400 days ago and shredded, each with its message (no sender hash left; one
in two was quarantined, its raw form emptied), and ``--held`` messages still held (the sender's
hash, one in two with a file, one in four with a raw form), their statements accepted one to 40
days ago. Then times ``mail_due(current_policy(), now)`` and the search before it (every
message tested for what it holds), alternated, and checks they find the same messages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from benchlib import fresh_instance, load, machine

COLUMNS = (
    "source, channel, received_at, party, league, pioneers, headcount, name_kind, region, "
    "sector, publish, status, reject_reason, created_at, commitment, declarant, decided_at, "
    "shredded_at"
)


def build(messages: int, held: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for first, count, shredded, days in (
            (1, messages, True, "400"),
            (messages + 1, held, False, "1 + i %% 40"),
        ):
            last = first + count - 1
            cur.execute(
                f"INSERT INTO statements_statement (id, {COLUMNS}) SELECT i, 'email', 'email',"
                f" now() - make_interval(days => {days}), true, false, false, 1, 'anonymous',"
                " '', '', false, 'accepted', '', now(), decode(md5(i::text) || md5(i::text),"
                f" 'hex'), 'self', now() - make_interval(days => {days}),"
                f" {'now()' if shredded else 'NULL'} FROM generate_series(%s, %s) AS i",
                [first, last],
            )
            cur.execute(
                "INSERT INTO statements_statuschange (statement_id, from_status, to_status,"
                " reason, note, via, at) SELECT id, 'received', 'accepted', '', '', 'bench',"
                " decided_at FROM statements_statement WHERE id BETWEEN %s AND %s",
                [first, last],
            )
            sender = "''" if shredded else "md5(i::text)"
            cur.execute(
                "INSERT INTO intake_mailmessage (key, sender_hash, received_at, size,"
                f" ingested_at, statement_id) SELECT 'k' || i, {sender}, now(), 10, now(), i"
                " FROM generate_series(%s, %s) AS i",
                [first, last],
            )
            raw = "''" if shredded else "'raw'"
            every = 2 if shredded else 4
            cur.execute(
                "INSERT INTO intake_quarantine (mail_id, reason, detail, raw, raw_truncated,"
                f" quarantined_at) SELECT id, 'no_statement', '', {raw}::bytea, false, now()"
                f" FROM intake_mailmessage WHERE statement_id BETWEEN %s AND %s"
                f" AND statement_id %% {every} = 0",
                [first, last],
            )
            if not shredded:
                cur.execute(
                    "INSERT INTO intake_mailattachment (mail_id, filename, content_type, size,"
                    " data) SELECT id, 'a.jpg', 'image/jpeg', 1, 'x' FROM intake_mailmessage"
                    " WHERE statement_id BETWEEN %s AND %s AND statement_id %% 2 = 1",
                    [first, last],
                )
        cur.execute("SELECT setval('statements_statement_id_seq', %s)", [messages + held])
        cur.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--held", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(machine("postgres"))
    with fresh_instance("postgres", pg_db="bench_mail") as env:
        os.environ.update(env)
        import django

        django.setup()
        from django.db.models import Exists, OuterRef, Q
        from django.utils import timezone

        from santui.intake.models import MailAttachment, MailMessage, Quarantine
        from santui.retention.policy import current_policy
        from santui.retention.run import mail_due
        from santui.statements.models import Status

        started = time.perf_counter()
        build(args.messages, args.held)
        print(f"built {args.messages:,} shredded and {args.held:,} held messages in "
              f"{time.perf_counter() - started:.0f} s; {load()}\n")  # fmt: skip
        policy, now = current_policy(), timezone.now()

        def before() -> int:
            """mail_due before intake migration 0002 (retention.run at 1414a12)."""
            cut = policy.before(now, policy.mail_days)
            decided = Q(statement__isnull=False) & (
                Q(statement__status__in=[Status.ACCEPTED, Status.REJECTED],
                  statement__changes__to_status__in=[Status.ACCEPTED, Status.REJECTED],
                  statement__changes__at__lte=cut)
                | Q(statement__shredded_at__isnull=False)
            )  # fmt: skip
            unresolved = Q(
                statement__isnull=True,
                quarantine__isnull=False,
                quarantine__quarantined_at__lte=policy.before(now, policy.unresolved_mail_days),
            )
            held = (
                Exists(MailAttachment.objects.filter(mail=OuterRef("pk")))
                | Exists(Quarantine.objects.filter(mail=OuterRef("pk")).exclude(raw=b""))
                | ~Q(sender_hash="")
            )
            found = MailMessage.objects.filter(decided | unresolved).filter(held).distinct()
            return len(found.values_list("pk", flat=True))

        def now_() -> int:
            return len(mail_due(policy, now).values_list("pk", flat=True))

        runs: dict[str, list[float]] = {"before (every message)": [], "held only": []}
        found: dict[str, int] = {}
        for i in range(args.repeat):
            order = list(zip(runs, (before, now_), strict=True))
            for name, search in order if i % 2 == 0 else reversed(order):
                t = time.perf_counter()
                found[name] = search()
                runs[name].append(time.perf_counter() - t)
        for name, times in runs.items():
            print(f"{name:<24} due {found[name]:>7,}  median {statistics.median(times):7.3f} s"
                  f"  runs {', '.join(f'{t:.3f}' for t in times)} s")  # fmt: skip
        assert len(set(found.values())) == 1, found
        plan = mail_due(policy, now).explain()
        print("\nplan, held only (scans):")
        print("\n".join("  " + line for line in plan.splitlines() if "Scan" in line))
        print(f"\n{load()}")


if __name__ == "__main__":
    main()
