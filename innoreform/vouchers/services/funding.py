"""Science-programme funding of enterprises' projects, recorded for the double-funding rule."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from innoreform.core import audit
from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound, ValidationFailed
from innoreform.core.models import OrgKind

from .. import models as m
from .access import require


def programme_funding_record(*, actor: Actor, enterprise_id: int, project_code: str, programme: str,
                             amount_fen: int = 0) -> m.ProgrammeFunding:
    """Record that a project of an enterprise is funded by a science programme (double-funding rule)."""
    require(actor, "vouchers.review")
    from innoreform.core.models import Organisation

    org = Organisation.objects.filter(pk=enterprise_id, kind=OrgKind.ENTERPRISE).first()
    if org is None:
        raise NotFound()
    if not project_code.strip() or not programme.strip():
        raise ValidationFailed(details={"project_code": [str(_("Give the project code and the programme."))]})
    with transaction.atomic():
        record, _created = m.ProgrammeFunding.objects.get_or_create(
            enterprise=org, project_code=project_code.strip().upper()[:64], programme=programme.strip()[:200],
            defaults={"amount_fen": max(amount_fen, 0)})
        audit.record(actor=actor, action="vouchers.programme_funding_recorded", obj=record,
                     changes={"project_code": record.project_code})
    return record
