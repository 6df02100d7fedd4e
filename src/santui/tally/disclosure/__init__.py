"""Disclosure control of the published breakdowns (docs/disclosure.md).

Breakdowns (region, sector, channel, name kind, who declares, current party membership) are
published only for closed calendar months, the years they make up and all time, in *releases*
made on a schedule and frozen once made. A release counts the ledger entries integrated since the
previous release whose day lies in a released month: the month's own statements and the late
ones (back-dated imports, revocations) counted with it. Small cells are withheld, with
complementary cells so that nothing withheld can be worked out, and every release is audited by
linear programming against everything published before it.

``periods``, ``tables`` (the release model and the suppression heuristic) and ``audit`` (the
linear-programming audit) are pure: no Django. ``store`` makes and saves releases (the action);
``read`` serves them.
"""
