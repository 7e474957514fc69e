"""Innovation-capability index: the documented formula, contributions, percentiles, recomputation."""

import pytest

from innoreform.core.actor import Actor
from innoreform.core.models import AuditEvent
from innoreform.registry import index as ix
from innoreform.registry import models as m
from innoreform.registry import services
from innoreform.registry.demo_data import E1, E2, E3
from innoreform.registry.policies import INDEX_DEFAULTS, INDEX_FACTORS, InnovationIndexRules

RULES = ix.compile_index_rules(InnovationIndexRules(**INDEX_DEFAULTS).model_dump(mode="json"), version=1)


def test_empty_enterprise_scores_zero():
    total, parts = ix.score(ix.IndexInputs(), RULES)
    assert total == 0
    assert set(parts) == set(INDEX_FACTORS)


def test_saturated_enterprise_scores_100():
    top = ix.IndexInputs(invention_patents=20, citations=50, family_size=5, ipc_breadth=8, other_ip=30,
                         rd_intensity=10, rd_growth=50, tech_staff_share=50, awards=1, qualifications=1, standards=1)
    total, parts = ix.score(top, RULES)
    assert total == 100
    assert parts["invention_patents"] == 25 and parts["rd_intensity"] == 20 and parts["tech_staff_share"] == 15


def test_contributions_follow_the_formula():
    inputs = ix.IndexInputs(invention_patents=1, rd_intensity=5, tech_staff_share=25, rd_growth=-10)
    total, parts = ix.score(inputs, RULES)
    import math

    assert parts["invention_patents"] == round(25 * math.log(2) / math.log(21), 4)  # log scale
    assert parts["rd_intensity"] == 10.0  # 5 of 10 percent, linear
    assert parts["tech_staff_share"] == 7.5
    assert parts["rd_growth"] == 0.0  # falling R&D earns nothing
    assert total == round(sum(parts.values()), 2)


def test_weights_must_sum_to_100():
    params = InnovationIndexRules(**INDEX_DEFAULTS).model_dump(mode="json")
    params["awards"]["weight"] = "6"
    with pytest.raises(ValueError, match="sum to 100"):
        InnovationIndexRules(**params)


def test_midrank_percentiles_within_groups():
    values = [10, 20, 20, 40, 5]
    groups = ["a", "a", "a", "a", "b"]
    assert ix.percentiles(values, groups) == [12.5, 50.0, 50.0, 87.5, 50.0]


def test_ipc_subclasses():
    assert ix.ipc_subclasses("H03K 19/00;G06F 1/32; g06f 3/01 ;bad") == {"H03K", "G06F"}


@pytest.mark.django_db
def test_batch_recomputation_stores_scores_and_percentiles(demo_registry):
    n = services.index_recompute(actor=Actor.system(), year=2024)
    assert n == 5
    e2 = m.IndexScore.objects.get(enterprise__credit_code=E2, year=2024)
    e1 = m.IndexScore.objects.get(enterprise__credit_code=E1, year=2024)
    assert e2.score > e1.score > 0  # an invention patent, a certificate, higher R&D
    assert e2.contributions["invention_patents"] > 0 and e2.inputs["ipc_breadth"] == 2
    assert e2.percentile_industry == 75  # above the other I65 enterprise (E5)
    assert m.IndexScore.objects.get(enterprise__credit_code=E3).percentile_city == 50  # alone in Foshan
    assert e2.policy_version == 1
    assert AuditEvent.objects.filter(action="registry.index_recomputed").exists()
    # recomputing without data changes changes nothing
    before = list(m.IndexScore.objects.order_by("pk").values("score", "percentile_industry", "contributions"))
    services.index_recompute(actor=Actor.system(), year=2024)
    assert list(m.IndexScore.objects.order_by("pk").values("score", "percentile_industry", "contributions")) == before


@pytest.mark.django_db
def test_import_triggers_recomputation(clerk, django_capture_on_commit_callbacks):
    from .conftest import import_demo

    with django_capture_on_commit_callbacks(execute=True):
        import_demo(clerk, ["market_regulation.enterprises"])
    assert m.IndexScore.objects.count() == 5
