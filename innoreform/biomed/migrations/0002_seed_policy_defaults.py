"""Seed special goods's shipped policy defaults as approved version 1 on a database that ran core's
seeding migration before this app was installed (on a fresh database they are already there)."""

from django.db import migrations


def forward(apps, schema_editor):
    from innoreform.core.policies_registry import seed_defaults
    from innoreform.biomed.rules import POLICY_KEY

    seed_defaults(apps.get_model("core", "PolicyVersion"), keys=[POLICY_KEY])


class Migration(migrations.Migration):
    dependencies = [("biomed", "0001_initial"), ("core", "0005_seed_policy_defaults")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
