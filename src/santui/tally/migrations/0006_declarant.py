"""Who declares (issue 16): a new rollup stat and breakdown dimension, ``declarant``.

Every statement counted before it existed was recorded as sent by the person themselves
(``self``, the field's default), so the new rollups are the persons rollups under key ``self``,
and each existing release gets its ``declarant`` tables with everything under ``self``,
*withheld* (published=False): a released figure is never revised or added to, and the
disclosure audit then models the dimension's history like any other's (docs/disclosure.md).
"""

from collections import defaultdict

from django.db import migrations, models

SELF = "self"


def backfill(apps, schema_editor):
    Rollup = apps.get_model("tally", "Rollup")
    ReleaseCell = apps.get_model("tally", "ReleaseCell")
    ReleaseRevocation = apps.get_model("tally", "ReleaseRevocation")
    Rollup.objects.filter(stat="declarant").delete()  # a rerun starts afresh
    Rollup.objects.bulk_create(
        (
            Rollup(stat="declarant", key=SELF, day=day, value=value)
            for day, value in Rollup.objects.filter(stat="persons", key="")
            .values_list("day", "value")
            .iterator(chunk_size=5000)
        ),
        batch_size=2000,
    )
    # The "member" dimension splits every table's persons in two: their sum is its total.
    totals = defaultdict(int)
    for release_id, scope, value in ReleaseCell.objects.filter(dimension="member").values_list(
        "release_id", "scope", "value"
    ):
        totals[(release_id, scope)] += value
    ReleaseCell.objects.filter(dimension="declarant").delete()
    ReleaseCell.objects.bulk_create(
        (
            ReleaseCell(
                release_id=release_id,
                scope=scope,
                dimension="declarant",
                key=SELF,
                value=value,
                published=False,
            )
            for (release_id, scope), value in sorted(totals.items())
            if value
        ),
        batch_size=2000,
    )
    revoked = defaultdict(int)
    for release_id, origin_id, persons in ReleaseRevocation.objects.filter(
        dimension="member"
    ).values_list("release_id", "origin_id", "persons"):
        revoked[(release_id, origin_id)] += persons
    ReleaseRevocation.objects.filter(dimension="declarant").delete()
    ReleaseRevocation.objects.bulk_create(
        ReleaseRevocation(
            release_id=release_id,
            origin_id=origin_id,
            dimension="declarant",
            key=SELF,
            persons=persons,
        )
        for (release_id, origin_id), persons in sorted(revoked.items())
        if persons
    )


def unfill(apps, schema_editor):
    apps.get_model("tally", "Rollup").objects.filter(stat="declarant").delete()
    apps.get_model("tally", "ReleaseCell").objects.filter(dimension="declarant").delete()
    apps.get_model("tally", "ReleaseRevocation").objects.filter(dimension="declarant").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tally", "0005_releases"),
        ("statements", "0007_declarant"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rollup",
            name="stat",
            field=models.CharField(
                choices=[
                    ("persons", "persons"),
                    ("statements", "statements"),
                    ("org", "persons per organization"),
                    ("cpm", "current party members"),
                    ("region", "persons per region"),
                    ("sector", "persons per sector"),
                    ("channel", "persons per channel"),
                    ("name_kind", "persons per name kind"),
                    ("declarant", "persons per kind of declarant"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(backfill, unfill),
    ]
