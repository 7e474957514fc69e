"""The audit hash chain (core.audit_chain): its link table, append-only like the events, and the
links for the events that exist already, in id order, so that `innoreform audit verify` checks
them too."""

from django.db import migrations, models

PG_TRIGGER = """
CREATE TRIGGER core_auditchainlink_append_only
    BEFORE UPDATE OR DELETE ON core_auditchainlink
    FOR EACH ROW EXECUTE FUNCTION innoreform_refuse_change()"""
SQLITE_TRIGGER = """
CREATE TRIGGER core_auditchainlink_no_update BEFORE UPDATE ON core_auditchainlink
BEGIN SELECT RAISE(ABORT, 'append-only table core_auditchainlink: UPDATE refused'); END"""


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditchainlink_append_only ON core_auditchainlink")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditchainlink_no_update")


def backfill(apps, schema_editor):
    from innoreform.core.audit_chain import BATCH, FIELDS, GENESIS, link_mac

    event_model, link_model = apps.get_model("core", "AuditEvent"), apps.get_model("core", "AuditChainLink")
    seq, mac, last = 0, GENESIS, 0
    while True:
        events = list(event_model.objects.filter(id__gt=last).order_by("id").values(*FIELDS)[:BATCH])
        if not events:
            return
        links = []
        for event in events:
            seq += 1
            mac = link_mac(mac, seq, event)
            links.append(link_model(seq=seq, event_id=event["id"], mac=mac))
        link_model.objects.bulk_create(links)
        last = events[-1]["id"]


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_user_totp_failures'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainLink',
            fields=[
                ('seq', models.BigIntegerField(primary_key=True, serialize=False)),
                ('event_id', models.BigIntegerField(unique=True)),
                ('mac', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'audit chain link',
                'verbose_name_plural': 'audit chain links',
                'ordering': ['seq'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain_token',
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.RunPython(append_only, drop_trigger),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
