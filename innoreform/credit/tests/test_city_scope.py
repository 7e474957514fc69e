"""City departments read their city only (issue #19 item 5), as a role × object table: the model
report's scores, the registry scoring run, the runs list, and the books' accounts. A province
department and the platform operator see everything; a city department sees its city's firms and
organisations; a bank sees none of credit and only its own accounts; invisible objects are 404."""

from datetime import date

import pytest
from django.test import Client

from innoreform.books import services as books
from innoreform.books.models import AccountPurpose
from innoreform.core.actor import Actor
from innoreform.core.models import Job, Jurisdiction, OrgKind, Role
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org
from innoreform.credit import models as m
from innoreform.credit import selectors, services

from .test_registry_flow import trained  # noqa: F401  (the module-scoped trained model fixture)

pytestmark = pytest.mark.django_db


def _firm(region: str, name: str):
    from innoreform.registry import models as rm

    org = make_org(kind=OrgKind.ENTERPRISE, region=region)
    return rm.Enterprise.objects.create(credit_code=org.credit_code, name=name, organisation=org, region=region,
                                        registered_on=date(2015, 1, 1), registered_capital_fen=10**9)


@pytest.fixture
def world(trained):  # noqa: F811
    province_org = make_org(kind=OrgKind.DEPARTMENT, jurisdiction=Jurisdiction.PROVINCE)
    maker, checker = (make_actor(org=province_org, role=Role.REVIEWER),
                      make_actor(org=province_org, role=Role.APPROVER))
    foshan_org = make_org(kind=OrgKind.DEPARTMENT, region=Region.FOSHAN, jurisdiction=Jurisdiction.CITY)
    actors = {
        "province": maker,
        "operator": make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.REVIEWER),
        "foshan": make_actor(org=foshan_org, role=Role.REVIEWER),
        "bank": make_actor(kind=OrgKind.BANK, role=Role.APPROVER, region=Region.FOSHAN),
    }
    version = services.version_register_result(actor=maker, name="sme", result=trained)
    services.version_approve(actor=checker, version_id=version.pk)
    firms = {"foshan": _firm(Region.FOSHAN, "佛山本市企业"), "shenzhen": _firm(Region.SHENZHEN, "深圳外市企业")}
    for firm in firms.values():
        m.ScoreRecord.objects.create(model_version=version, credit_code=firm.credit_code, enterprise_name=firm.name,
                                     score=640, pd=0.0123)
    system = Actor.system()
    gz_bank, fs_bank = make_org(kind=OrgKind.BANK, region=Region.GUANGZHOU), actors["bank"].organisation
    accounts = {
        "guangzhou_bank": books.account_for(actor=system, owner=gz_bank, purpose=AccountPurpose.INSTITUTION_PAYABLE),
        "foshan_bank": books.account_for(actor=system, owner=fs_bank, purpose=AccountPurpose.INSTITUTION_PAYABLE),
        "foshan_dept": books.account_for(actor=system, owner=foshan_org, purpose=AccountPurpose.POOL),
        "platform": books.account_for(actor=system, owner=None, purpose=AccountPurpose.EXPENSE),
    }
    return {"actors": actors, "version": version, "firms": firms, "accounts": accounts}


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


# Which firms' scores each actor sees on /credit/models/<id>/ (None: the page is 404).
REPORT = [("province", {"foshan", "shenzhen"}), ("operator", {"foshan", "shenzhen"}), ("foshan", {"foshan"}),
          ("bank", None)]


@pytest.mark.parametrize(("who", "sees"), REPORT)
def test_model_report_scores(world, who, sees):
    page = client_for(world["actors"][who]).get(f"/credit/models/{world['version'].pk}/")
    if sees is None:
        assert page.status_code == 404
        return
    assert page.status_code == 200
    body = page.content.decode()
    for key, firm in world["firms"].items():
        assert (firm.name in body) == (key in sees), (who, key)
        assert (firm.credit_code in body) == (key in sees), (who, key)


# Who may start a province-wide registry scoring run: (status through the API, job created).
SCORE_RUN = [("province", 202), ("operator", 202), ("foshan", 403), ("bank", 404)]


@pytest.mark.parametrize(("who", "status"), SCORE_RUN)
def test_registry_scoring_run(world, who, status):
    actor, version = world["actors"][who], world["version"]
    client = client_for(actor)
    before = Job.objects.count()
    r = client.post(f"/api/v1/credit/models/{version.pk}/score-registry")
    assert r.status_code == status, r.content
    assert Job.objects.count() == before + (1 if status == 202 else 0)
    page = client.get(f"/credit/models/{version.pk}/")
    assert ('data-testid="credit-score-registry"' in page.content.decode()) == (status == 202)
    client.post(f"/credit/models/{version.pk}/score-registry/")  # the page's form refuses alike
    assert Job.objects.count() == before + (2 if status == 202 else 0)


def test_city_department_cannot_train_on_the_whole_registry(world):
    from innoreform.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.training_start(actor=world["actors"]["foshan"], name="m", target="dishonest_debtor",
                                source=m.RunSource.REGISTRY)


def test_runs_of_other_organisations_are_invisible_to_a_city_department(world):
    province, foshan = world["actors"]["province"], world["actors"]["foshan"]
    run = services.scoring_file_start(actor=province, version_id=world["version"].pk, filename="a.csv",
                                      content=b"credit_code\n91440600MA00000000\n")
    assert selectors.run_list(actor=province).filter(pk=run.pk).exists()
    assert not selectors.run_list(actor=foshan).filter(pk=run.pk).exists()
    assert client_for(foshan).get(f"/credit/runs/{run.pk}/").status_code == 404
    assert client_for(foshan).get(f"/api/v1/credit/runs/{run.pk}").status_code == 404


# Which accounts each actor sees in the books (pages and API).
ACCOUNTS = [
    ("province", {"guangzhou_bank", "foshan_bank", "foshan_dept", "platform"}),
    ("operator", {"guangzhou_bank", "foshan_bank", "foshan_dept", "platform"}),
    ("foshan", {"foshan_bank", "foshan_dept"}),
    ("bank", {"foshan_bank"}),
]


@pytest.mark.parametrize(("who", "sees"), ACCOUNTS)
def test_books_accounts(world, who, sees):
    client = client_for(world["actors"][who])
    listed = {a["id"] for a in client.get("/api/v1/books/accounts?limit=200").json()["items"]}
    for key, account in world["accounts"].items():
        visible = key in sees
        assert (account.pk in listed) == visible, (who, key)
        assert client.get(f"/api/v1/books/accounts/{account.pk}").status_code == (200 if visible else 404), key
        assert client.get(f"/books/accounts/{account.pk}/").status_code == (200 if visible else 404), key
