"""Version 1 of the industry mapping rules: the documented starter set in engine/industries.py."""

from django.db import migrations


def seed(apps, schema_editor):
    from django.utils import timezone

    from innoreform.patents.engine.industries import STARTER_RULES

    RuleSet = apps.get_model("patents", "RuleSet")
    IndustryRule = apps.get_model("patents", "IndustryRule")
    if RuleSet.objects.filter(version=1).exists():
        return
    ruleset = RuleSet.objects.create(version=1, status="approved", approved_at=timezone.now(),
                                     note="Starter set (engine/industries.py STARTER_RULES)")
    IndustryRule.objects.bulk_create(
        IndustryRule(ruleset=ruleset, order=i, industry=r.industry, industry_zh=r.industry_zh,
                     industry_en=r.industry_en, segment=r.segment, segment_zh=r.segment_zh,
                     segment_en=r.segment_en, position=r.position, include="; ".join(r.include),
                     exclude="; ".join(r.exclude), keywords="; ".join(r.keywords), note=r.note)
        for i, r in enumerate(STARTER_RULES))


def unseed(apps, schema_editor):
    apps.get_model("patents", "RuleSet").objects.filter(version=1, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patents", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
