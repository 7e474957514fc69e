"""Demo data for special goods (idempotent), on top of innoreform.core.demo's organisations: the
story of issue #25's "done when".

- 广州生源细胞生物科技有限公司（演示） (`ent-biotech`) registered a commercial cell line (level C),
  was approved automatically for 30 vials through Baiyun Airport and imported three batches
  (10, 10, 8): 2 vials are left, so a fourth batch of 5 is refused with its reason;
- its crude protein (level B) was assessed by `customs-gz` and approved by `customs-gz-approver`
  40 days ago; its first batch opened the follow-ups, and the storage check is overdue (escalated);
- an environmental isolate of unknown pathogenicity (level B) awaits risk assessment;
- the cell line is on the white list.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from innoreform.core.actor import Actor
from innoreform.core.demo import demo_actor

from . import models as m
from . import rules, services

log = logging.getLogger("innoreform.biomed")

CELL_LINE = {"name": "HEK293 人胚肾细胞系（演示）", "category": m.Category.BIOLOGICAL_PRODUCT,
             "material": m.Material.CELL_LINE, "hs_code": "3002909099", "ciq_code": "999",
             "composition": "HEK293 细胞，含 10% DMSO 冻存液", "pathogen_class": m.PathogenClass.NONE,
             "specification": "1 ml/支，1×10^6 细胞", "storage": "液氮 -196℃", "biosafety_level": m.BiosafetyLevel.BSL2,
             "other_approvals": ""}
CRUDE_PROTEIN = {**CELL_LINE, "name": "重组刺突蛋白粗提物（演示）", "material": m.Material.CRUDE_PROTEIN,
                 "hs_code": "3002150000", "composition": "重组刺突蛋白粗提液（含宿主蛋白）",
                 "specification": "10 mg/管", "storage": "-80℃ 冰箱"}
ISOLATE = {**CELL_LINE, "name": "环境分离菌株 GZ-17（演示）", "category": m.Category.MICROORGANISM,
           "material": m.Material.CULTURE, "hs_code": "3002490090", "composition": "冻干菌粉",
           "pathogen_class": m.PathogenClass.UNKNOWN, "specification": "1 支/管", "storage": "4℃ 冷藏",
           "biosafety_level": m.BiosafetyLevel.BSL2}


def _attachments(level: str) -> list[tuple[str, str, bytes]]:
    _version, params = services.levels()
    return [(kind, f"{kind}-demo.pdf", f"%PDF-1.4 演示附件 {kind}".encode())
            for kind in params.levels[level].attachments]


def _item(actor: Actor, spec: dict) -> m.Item:
    found = m.Item.objects.filter(enterprise_id=actor.organisation_id, name=spec["name"]).first()
    return found or services.item_register(actor=actor, **spec)


def _apply(actor: Actor, item: m.Item, quantity: int, unit: str, purpose: str, on=None) -> m.Application:
    level = rules.level_of(services.levels()[1], category=item.category, pathogen_class=item.pathogen_class,
                           material=item.material).level
    return services.application_submit(actor=actor, item_id=item.pk, quantity=quantity, unit=unit,
                                       ports=[m.Port.BAIYUN], origin="美国", purpose=purpose,
                                       attachments=_attachments(level), on=on)


def load(*, operator: Actor) -> None:
    enterprise, reviewer = demo_actor("ent-biotech"), demo_actor("customs-gz")
    approver = demo_actor("customs-gz-approver")
    if enterprise is None or reviewer is None or approver is None:
        log.warning("biomed demo: the core demo accounts are missing; skipped")
        return
    today = timezone.localdate()
    year = today.year

    cell_line = _item(enterprise, CELL_LINE)
    if not m.Application.objects.filter(item=cell_line).exists():
        approval = _apply(enterprise, cell_line, 30, m.Unit.VIAL, "细胞治疗药物研发体外实验").approval
        for seq, quantity in enumerate((10, 10, 8), start=1):
            services.batch_declare(actor=enterprise, approval_id=approval.pk, declaration_no=f"5141{year}{seq:010d}",
                                   quantity=quantity, unit=m.Unit.VIAL, port=m.Port.BAIYUN)
    if not m.WhitelistEntry.objects.filter(item=cell_line).exists():
        services.whitelist_add(actor=approver, enterprise_id=enterprise.organisation_id, item_id=cell_line.pk,
                               reason="连续三年无违规，储存与使用台账完整（演示）")

    protein = _item(enterprise, CRUDE_PROTEIN)
    if not m.Application.objects.filter(item=protein).exists():
        entry = today - timedelta(days=40)  # so the storage check (30 days after entry) is overdue
        application = _apply(enterprise, protein, 200, m.Unit.MG, "疫苗抗原研究", on=entry)
        services.application_assess(actor=reviewer, application_id=application.pk,
                                    findings="实验室已备案 BSL-2；粗提物含宿主蛋白，风险可控（演示）",
                                    conditions="仅限本单位 BSL-2 实验室使用，剩余物品高压灭活处置")
        approval = services.application_decide(actor=approver, application_id=application.pk, approve=True,
                                               on=entry).approval
        services.batch_declare(actor=enterprise, approval_id=approval.pk, declaration_no=f"5141{year}{11:010d}",
                               quantity=50, unit=m.Unit.MG, port=m.Port.BAIYUN, on=entry)
        services.followups_escalate_due(actor=reviewer, on=today)

    isolate = _item(enterprise, ISOLATE)
    if not m.Application.objects.filter(item=isolate).exists():
        _apply(enterprise, isolate, 5, m.Unit.TUBE, "环境微生物多样性研究")
