"""The IP-case demo story (idempotent), on the core demo's court, mediation committee and notary:

a Foshan firm files at the Foshan circuit court; the court entrusts pre-filing mediation; the
firm chooses a mediator who accepts in time; mediation fails and the dispute returns to the court,
which dockets it ((2026)粤73民初N号) and schedules a video hearing; web evidence notarised before
filing is attached and verifies in the judge's view. Plus one filing awaiting decision, one
mediation awaiting acceptance and one notarial request, so every role's home has something to do.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.demo import demo_actor, demo_org
from innoreform.core.regions import Region

from . import models as m
from . import services

STORY_SUBJECT = "ZG-200 传感器外观设计专利侵权纠纷（演示）"
SECOND_SUBJECT = "光学检测方法发明专利侵权纠纷（演示）"
ID_FOSHAN = {"legal_name": "王佛山", "id_number": "440602198805051234"}

SITES = [  # Guangzhou IP Court: circuit courts and service offices (brief, 2.4)
    ("foshan", "佛山巡回审判法庭", "Foshan circuit court", m.SiteKind.CIRCUIT, Region.FOSHAN, ["第一法庭", "第二法庭"]),
    ("dongguan", "东莞巡回审判法庭", "Dongguan circuit court", m.SiteKind.CIRCUIT, Region.DONGGUAN, ["第一法庭"]),
    ("zhongkai", "仲恺巡回审判法庭", "Zhongkai circuit court", m.SiteKind.CIRCUIT, Region.HUIZHOU, ["第一法庭"]),
    ("jiangmen", "江门巡回审判法庭", "Jiangmen circuit court", m.SiteKind.CIRCUIT, Region.JIANGMEN, ["第一法庭"]),
    ("zhongshan", "中山诉讼服务处", "Zhongshan service office", m.SiteKind.OFFICE, Region.ZHONGSHAN, []),
    ("shantou", "汕头诉讼服务处", "Shantou service office", m.SiteKind.OFFICE, Region.SHANTOU, []),
    ("zhaoqing", "肇庆诉讼服务处", "Zhaoqing service office", m.SiteKind.OFFICE, Region.ZHAOQING, []),
    ("yuexiu", "越秀诉讼服务处", "Yuexiu service office", m.SiteKind.OFFICE, Region.GUANGZHOU, []),
]
MEDIATORS = [
    ("李明（演示）", Region.GUANGZHOU, "专利、商标侵权", "外观设计与实用新型", 0),
    ("陈嘉欣（演示）", Region.HONG_KONG, "涉港知识产权纠纷", "跨境许可与技术合同", 300000),
    ("何文（演示）", Region.MACAO, "涉澳知识产权纠纷", "商标与不正当竞争", 200000),
]


def _setup(court_org, med_org):
    with transaction.atomic():
        court, _c = m.CourtProfile.objects.get_or_create(organisation=court_org, defaults={"code": "粤73"})
        for code, name, name_en, kind, region, rooms in SITES:
            m.ServicePoint.objects.get_or_create(court=court, code=code, defaults={
                "name": name, "name_en": name_en, "kind": kind, "region": region, "rooms": rooms})
        for name, region, scope, specialty, fee in MEDIATORS:
            m.Mediator.objects.get_or_create(organisation=med_org, name=name, defaults={
                "region": region, "scope": scope, "specialty": specialty, "fee_fen": fee})
    return court


def load(*, operator: Actor) -> None:
    court_org, med_org, notary_org = demo_org("court_ip"), demo_org("mediator_gz"), demo_org("notary_gz")
    firm, clerk, mediator, notary = (demo_actor("ent-foshan"), demo_actor("court-ip"), demo_actor("mediator-gz"),
                                     demo_actor("notary-gz"))
    if not all([court_org, med_org, notary_org, firm, clerk, mediator, notary]):
        return
    court = _setup(court_org, med_org)
    if m.Dispute.objects.filter(subject=STORY_SUBJECT).exists():
        return
    foshan = court.sites.get(code="foshan")
    page = ("<html><head><title>ZG-200 智能传感器 - 某网店</title></head><body>在售商品：ZG-200 仿冒外观，"
            "价格 ¥199，月销 1,204 件。</body></html>").encode()
    # Notarised before filing: request, clean-environment capture, certificate (ledger receipt).
    r = services.notarial_request(actor=firm, notary_id=notary_org.pk, title="网店在售侵权商品页面取证（演示）",
                                  purpose="证明被诉侵权产品公开销售", target_url="https://shop.example.com/item/zg-200")
    services.notarial_capture(actor=notary, request_id=r.pk, filename="zg-200-listing.html", data=page,
                              time_source="国家授时中心 NTP (ntp.ntsc.ac.cn)", checklist=dict.fromkeys(
                                  services.CHECKLIST, True),
                              metadata={"url": r.target_url, "final_url": r.target_url, "http_status": "200",
                                        "page_title": "ZG-200 智能传感器 - 某网店", "user_agent": "Chromium 131",
                                        "client_ip": "203.0.113.10"})
    services.notarial_certify(actor=notary, request_id=r.pk)
    f = services.filing_submit(actor=firm, site_id=foshan.pk, subject=STORY_SUBJECT,
                               claims="请求判令被告停止制造、销售侵犯ZG-200外观设计专利的产品，赔偿经济损失50万元。",
                               respondent_name="某电子商贸有限公司（演示）", claim_fen=50_000_000,
                               complaint_name="起诉状.pdf", complaint="起诉状（演示）".encode(), consent=True,
                               evidence=[("外观设计专利证书", "patent.pdf", b"design patent certificate (demo)")],
                               **ID_FOSHAN)
    services.evidence_attach(actor=firm, request_id=r.pk, dispute_id=f.dispute_id)
    med = services.mediation_entrust(actor=clerk, filing_id=f.pk, organisation_id=med_org.pk)
    roster = list(m.Mediator.objects.filter(organisation=med_org).order_by("id"))
    services.mediation_select(actor=firm, mediation_id=med.pk, mediator_id=roster[0].pk, consent=True, **ID_FOSHAN)
    services.mediation_accept(actor=mediator, mediation_id=med.pk, conflict_disclosure="与双方均无利益冲突。")
    services.mediation_fail(actor=mediator, mediation_id=med.pk,
                            record="双方就赔偿数额分歧较大（原告50万元，被告仅同意5万元），调解不成。")
    case = services.filing_decide(actor=clerk, filing_id=f.pk, decision="docket", judge_id=clerk.user.pk)
    for stage in (m.Stage.HEARING, m.Stage.SERVICE, m.Stage.EVIDENCE):
        services.consent_give(actor=firm, dispute_id=f.dispute_id, stage=stage, **ID_FOSHAN)
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=21), time(9, 30)))
    services.hearing_schedule(actor=clerk, case_id=case.pk, mode=m.HearingMode.VIDEO, starts_at=start,
                              ends_at=start + timedelta(hours=2), judge_id=clerk.user.pk,
                              video_url="https://meeting.example.com/gzipc/demo-hearing")
    services.service_send(actor=clerk, case_id=case.pk, recipient_id=firm.organisation_id, title="受理通知书",
                          data="受理通知书（演示）".encode())
    # Something waiting for each role.
    other = demo_actor("ent-dongguan")
    if other:
        services.filing_submit(actor=other, site_id=court.sites.get(code="dongguan").pk, subject=SECOND_SUBJECT,
                               claims="请求判令停止侵权。", respondent_name="某光电设备厂（演示）",
                               complaint_name="起诉状.pdf",
                               complaint="起诉状（演示）".encode(), consent=True,
                               legal_name="赵东莞", id_number="441900199002021234")
        f3 = services.filing_submit(actor=other, site_id=court.sites.get(code="dongguan").pk,
                                    subject="商标近似纠纷（演示）", claims="请求判令停止使用近似商标。",
                                    respondent_name="某贸易行（演示）", complaint_name="起诉状.pdf",
                                    complaint="起诉状（演示）".encode(), consent=True,
                                    legal_name="赵东莞", id_number="441900199002021234")
        med3 = services.mediation_entrust(actor=clerk, filing_id=f3.pk, organisation_id=med_org.pk)
        services.mediation_select(actor=other, mediation_id=med3.pk, mediator_id=roster[1].pk, consent=True,
                                  legal_name="赵东莞", id_number="441900199002021234")
    services.notarial_request(actor=firm, notary_id=notary_org.pk, title="竞品宣传册侵权内容取证（演示）",
                              purpose="证明被诉侵权宣传", target_url="https://brochure.example.com/zg")
