from django.db import migrations


def create_state(apps, schema_editor):  # type: ignore[no-untyped-def]
    state = apps.get_model("tally", "IntegrationState")
    state.objects.get_or_create(pk=1, defaults={"size": 0})


class Migration(migrations.Migration):
    dependencies = [("tally", "0001_initial")]
    operations = [migrations.RunPython(create_state, migrations.RunPython.noop)]
