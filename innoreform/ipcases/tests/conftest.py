from datetime import date

import pytest
from django.utils import translation

from innoreform.core.models import OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org
from innoreform.ipcases import models as m

# A Tuesday in an ordinary week of 2026 (no holiday within the next three weeks).
TODAY = date(2026, 3, 10)
ID = {"legal_name": "张三", "id_number": "440106199001011234"}


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch):
    from innoreform.ledger import keys, tasks

    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    # As the ledger's own tests: a log key of this test's own, no witnesses, no checkpoint throttle.
    monkeypatch.delenv("LEDGER_KEY", raising=False)
    settings.LEDGER_KEY_FILE = str(tmp_path / "ledger.key")
    settings.LEDGER_ORIGIN = "test.innoreform.example/ledger"
    settings.LEDGER_WITNESSES = []
    settings.LEDGER_QUORUM = 0
    keys.clear_cache()
    monkeypatch.setattr(tasks, "_last_scheduled", -1e9)
    court_org = make_org(kind=OrgKind.COURT, name="Test IP court")
    court = m.CourtProfile.objects.create(organisation=court_org, code="粤73")
    site = m.ServicePoint.objects.create(court=court, code="foshan", name="佛山巡回审判法庭", name_en="Foshan circuit",
                                         kind=m.SiteKind.CIRCUIT, region=Region.FOSHAN, rooms=["1"])
    clerk = make_actor(org=court_org, role=Role.REVIEWER)
    judge = make_actor(org=court_org, role=Role.APPROVER)
    party = make_actor(kind=OrgKind.ENTERPRISE, region=Region.FOSHAN)
    other = make_actor(kind=OrgKind.ENTERPRISE)
    med_org = make_org(kind=OrgKind.MEDIATION_BODY)
    mediator_actor = make_actor(org=med_org, role=Role.MEMBER)
    mediators = [m.Mediator.objects.create(organisation=med_org, name=n, region=r, scope="专利", specialty="侵权",
                                           fee_fen=0) for n, r in (("李调解", Region.GUANGZHOU), ("陈调解", "HK"))]
    notary_org = make_org(kind=OrgKind.NOTARY_OFFICE)
    notary = make_actor(org=notary_org, role=Role.APPROVER)
    world = type("World", (), dict(court=court, site=site, clerk=clerk, judge=judge, party=party, other=other,
                                  med_org=med_org, mediator=mediator_actor, mediators=mediators, notary=notary))
    with translation.override("en"):  # assertions read English messages
        yield world
    keys.clear_cache()


def file(world, **kw):
    from innoreform.ipcases import services

    args = dict(actor=world.party, site_id=world.site.pk, subject="专利侵权", claims="停止侵权，赔偿损失",
                respondent_name="某公司", complaint_name="complaint.pdf", complaint=b"%PDF complaint", consent=True,
                evidence=[("购买公证", "e1.pdf", b"evidence")], today=TODAY, **ID)
    args.update(kw)
    return services.filing_submit(**args)
