from pathlib import Path

import pytest
from django.utils import translation

from innoreform.core.models import Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org, make_user
from innoreform.registry import services
from innoreform.registry.demo_data import ROWS, file_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; zh-hans is the site default."""
    with translation.override("en"):
        yield


def fixture_bytes(template: str, ext: str = "xlsx") -> bytes:
    return (FIXTURES / file_name(template, ext)).read_bytes()


@pytest.fixture
def clerk(db):
    """A province science-department member (imports)."""
    org = make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.PROVINCE,
                   line="science")
    return make_actor(org=org, role=Role.MEMBER)


@pytest.fixture
def department(db):
    return make_org(kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU, jurisdiction=Jurisdiction.PROVINCE,
                    line="science")


@pytest.fixture
def reviewer(department):
    return make_actor(org=department, role=Role.REVIEWER)


@pytest.fixture
def approver(department):
    return make_actor(org=department, role=Role.APPROVER)


def import_demo(actor, templates=None):
    for template in templates or ROWS:
        batch = services.import_upload(actor=actor, template=template, filename=file_name(template, "xlsx"),
                                       content=fixture_bytes(template))
        assert batch.status == "applied", (template, batch.errors)


@pytest.fixture
def demo_registry(clerk):
    import_demo(clerk)
    return clerk


def enterprise_actor(credit_code: str, role: str = Role.ADMINISTRATOR):
    """A platform account for the enterprise with this credit code."""
    org = make_org(kind=OrgKind.ENTERPRISE, region=Region.GUANGZHOU, credit_code=credit_code)
    return make_actor(org=org, role=role, user=make_user())
