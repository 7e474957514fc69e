"""Store every registered policy's shipped default as approved version 1 (keys that already have a
version, for example materialised by the old first-read seeding, are left alone).

`migrate` has set up every installed app before this runs, so every app's definitions are
registered (each registers them in ready()). An app that adds a key later seeds it from its own
data migration with policies_registry.seed_defaults(..., keys=[...])."""

from django.db import migrations


def forward(apps, schema_editor):
    from innoreform.core.policies_registry import seed_defaults

    seed_defaults(apps.get_model("core", "PolicyVersion"))


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
