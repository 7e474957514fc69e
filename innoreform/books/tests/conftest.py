import pytest

from innoreform.books import services
from innoreform.books.models import AccountPurpose
from innoreform.core.actor import Actor
from innoreform.core.models import OrgKind
from innoreform.core.testing import make_org


@pytest.fixture
def system():
    return Actor.system()


@pytest.fixture
def city(db):
    return make_org(kind=OrgKind.DEPARTMENT)


@pytest.fixture
def funded_pool(system, city):
    """A city pool holding 1,000 yuan, funded from the city's appropriation."""
    pool = services.account_for(actor=system, owner=city, purpose=AccountPurpose.POOL, key="p1")
    source = services.account_for(actor=system, owner=city, purpose=AccountPurpose.FUNDING_SOURCE)
    services.post_transaction(actor=system, kind="test.contribution", reference="fund:1",
                              lines=[(pool, 100_000), (source, -100_000)])
    pool.refresh_from_db()
    return pool
