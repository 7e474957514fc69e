from datetime import date

import pytest

from innoreform.biomed import models as m
from innoreform.biomed import rules, services
from innoreform.core.models import OrgKind, Role
from innoreform.core.testing import make_actor

TODAY = date(2026, 3, 2)
CELL_LINE = {"name": "HEK293 细胞系", "category": m.Category.BIOLOGICAL_PRODUCT, "material": m.Material.CELL_LINE,
             "hs_code": "3002909099", "ciq_code": "999", "composition": "人胚肾细胞 HEK293，冻存液",
             "pathogen_class": m.PathogenClass.NONE, "specification": "1 ml/支, 1×10^6 细胞",
             "storage": "液氮 -196℃", "biosafety_level": m.BiosafetyLevel.BSL2}
TOXIN = {**CELL_LINE, "name": "重组蛋白粗提物", "material": m.Material.CRUDE_PROTEIN, "composition": "粗提蛋白",
         "specification": "10 mg/管", "storage": "-80℃"}


def attachments_for(level: str) -> list[tuple[str, str, bytes]]:
    return [(kind, f"{kind}.pdf", b"%PDF-1.4 demo " + kind.encode())
            for kind in rules.LevelParams(**rules.DEFAULTS).levels[level].attachments]


@pytest.fixture
def enterprise(db):
    return make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)


@pytest.fixture
def customs_org(db):
    from innoreform.core.testing import make_org

    return make_org(kind=OrgKind.CUSTOMS)


@pytest.fixture
def reviewer(customs_org):
    return make_actor(org=customs_org, role=Role.REVIEWER)


@pytest.fixture
def approver(customs_org):
    return make_actor(org=customs_org, role=Role.APPROVER)


def apply(actor, item, *, quantity=30, unit=m.Unit.VIAL, ports=(m.Port.BAIYUN,), level="C", **extra):
    return services.application_submit(actor=actor, item_id=item.pk, quantity=quantity, unit=unit, ports=list(ports),
                                       origin="美国", purpose="细胞实验", attachments=attachments_for(level),
                                       on=extra.pop("on", TODAY), **extra)


@pytest.fixture
def cell_line(enterprise):
    return services.item_register(actor=enterprise, **CELL_LINE)


@pytest.fixture
def c_approval(enterprise, cell_line):
    return apply(enterprise, cell_line).approval


def declare(actor, approval, no, quantity, *, unit=m.Unit.VIAL, port=m.Port.BAIYUN, on=TODAY):
    return services.batch_declare(actor=actor, approval_id=approval.pk, declaration_no=no, quantity=quantity,
                                  unit=unit, port=port, on=on)
