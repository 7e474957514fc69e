from datetime import date, timedelta

import pyotp
import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone
from pydantic import BaseModel, Field

from innoreform.core import policies_registry, selectors, services
from innoreform.core.actor import Actor
from innoreform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innoreform.core.models import AuditEvent, Jurisdiction, OrgKind, PolicyStatus, PolicyVersion, Role, User
from innoreform.core.regions import Region
from innoreform.core.testing import make_actor, make_org, make_user

pytestmark = pytest.mark.django_db


class SampleParams(BaseModel):
    share: float = Field(ge=0, le=1)
    cap_fen: int = Field(ge=0)


policies_registry.register(key="test.sample", schema=SampleParams, defaults={"share": 0.5, "cap_fen": 50_000_000},
                           title="Sample", source="test")


# --- organisations -------------------------------------------------------------------------------

def test_operator_creates_organisation_with_valid_code_and_audit():
    op = make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.ADMINISTRATOR)
    org = services.organisation_create(actor=op, name="佛山测试企业", kind=OrgKind.ENTERPRISE,
                                       region=Region.FOSHAN, credit_code="91350100m000100y43")
    assert org.credit_code == "91350100M000100Y43"
    event = AuditEvent.objects.get(action="organisation.created")
    assert event.object_id == str(org.pk) and event.actor == op.user and event.outcome == "success"


def test_bad_credit_code_is_a_field_error_and_nothing_is_written():
    op = make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.ADMINISTRATOR)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.organisation_create(actor=op, name="X", kind=OrgKind.ENTERPRISE, region=Region.FOSHAN,
                                     credit_code="914403001922038217")
    assert err.value.code == "invalid_credit_code"
    assert "credit_code" in err.value.details
    assert AuditEvent.objects.count() == before


def test_hong_kong_organisation_needs_no_code_but_mainland_does():
    op = make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.ADMINISTRATOR)
    hk = services.organisation_create(actor=op, name="HK Lab", kind=OrgKind.SERVICE_INSTITUTION,
                                      region=Region.HONG_KONG)
    assert hk.credit_code is None
    with pytest.raises(ValidationFailed):
        services.organisation_create(actor=op, name="SZ Lab", kind=OrgKind.SERVICE_INSTITUTION,
                                     region=Region.SHENZHEN)


def test_department_needs_jurisdiction_and_line():
    op = make_actor(kind=OrgKind.PLATFORM_OPERATOR, role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationFailed) as err:
        services.organisation_create(actor=op, name="Dept", kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU,
                                     credit_code="914403001922038216")
    assert "jurisdiction" in err.value.details
    dept = services.organisation_create(actor=op, name="Dept", kind=OrgKind.DEPARTMENT, region=Region.GUANGZHOU,
                                        credit_code="914403001922038216", jurisdiction=Jurisdiction.CITY,
                                        line="science")
    assert dept.line == "science"


def test_non_operator_cannot_create_organisations():
    bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=bank, name="X", kind=OrgKind.ENTERPRISE, region=Region.FOSHAN,
                                     credit_code="914403001922038216")


def test_selector_hides_other_organisations():
    mine = make_actor(kind=OrgKind.ENTERPRISE)
    other = make_org()
    assert list(selectors.organisation_list(actor=mine)) == [mine.organisation]
    with pytest.raises(NotFound):
        selectors.organisation_get(actor=mine, organisation_id=other.pk)
    dept = make_actor(kind=OrgKind.DEPARTMENT)
    assert selectors.organisation_get(actor=dept, organisation_id=other.pk) == other


# --- sign-in -------------------------------------------------------------------------------------

@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_lockout_after_repeated_failures_even_with_the_right_password():
    user = make_user(username="alice", password="right password 1")
    for _ in range(2):
        with pytest.raises(services.LoginFailed) as err:
            services.login_check_password(username="alice", password="wrong")
        assert err.value.reason == "invalid"
    with pytest.raises(services.LoginFailed) as err:
        services.login_check_password(username="alice", password="wrong")
    assert err.value.reason == "locked"
    with pytest.raises(services.LoginFailed) as err:
        services.login_check_password(username="alice", password="right password 1")
    assert err.value.reason == "locked"
    user.refresh_from_db()
    assert user.locked_until > timezone.now()
    assert AuditEvent.objects.filter(action="auth.login_failed", outcome="denied").count() == 4


@override_settings(LOGIN_MAX_FAILURES=3)
def test_lock_expires_and_success_resets_counter():
    user = make_user(username="bob", password="right password 2")
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1), failed_logins=2)
    assert services.login_check_password(username="bob", password="right password 2").pk == user.pk
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_unknown_user_is_audited_as_denied():
    with pytest.raises(services.LoginFailed):
        services.login_check_password(username="nobody", password="x")
    assert AuditEvent.objects.filter(action="auth.login_failed", changes__reason="unknown_user").exists()


def test_two_factor_required_for_bank_department_court_notary_only():
    for kind, needed in [(OrgKind.BANK, True), (OrgKind.DEPARTMENT, True), (OrgKind.COURT, True),
                         (OrgKind.NOTARY_OFFICE, True), (OrgKind.ENTERPRISE, False),
                         (OrgKind.SERVICE_INSTITUTION, False)]:
        actor = make_actor(kind=kind)
        assert services.needs_two_factor(actor.user) is needed, kind


def test_totp_enrol_verify_and_replay_refused():
    user = make_user()
    secret = services.totp_start_enrolment(user=user)
    code = pyotp.TOTP(secret).now()
    services.login_check_totp(user=user, code=code)
    user.refresh_from_db()
    assert user.totp_confirmed
    with pytest.raises(services.LoginFailed):
        services.login_check_totp(user=user, code=code)  # the same code cannot be used twice
    with pytest.raises(services.LoginFailed):
        services.login_check_totp(user=user, code="000000" if code != "000000" else "111111")


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_second_factor_failures_are_not_reset_by_the_password_step():
    """Issue #19 item 1: a holder of the password could sign in, guess a few codes, sign in again
    (which reset the shared counter) and guess forever. Second-factor failures count on their own."""
    user = make_user(username="carol", password="right password 3")
    secret = services.totp_start_enrolment(user=user)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    reasons = []
    for _ in range(3):
        services.login_check_password(username="carol", password="right password 3")
        with pytest.raises(services.LoginFailed) as err:
            services.login_check_totp(user=user, code=wrong)
        reasons.append(err.value.reason)
    assert reasons == ["invalid", "invalid", "locked"]
    with pytest.raises(services.LoginFailed) as err:
        services.login_check_password(username="carol", password="right password 3")
    assert err.value.reason == "locked"
    failures = AuditEvent.objects.filter(action="auth.totp_failed", outcome="denied")
    assert failures.count() == 3
    assert failures.filter(changes__locked=True).count() == 1


@override_settings(LOGIN_MAX_FAILURES=3)
def test_a_correct_second_factor_resets_its_own_counter():
    user = make_user(username="dave", password="right password 4")
    secret = services.totp_start_enrolment(user=user)
    User.objects.filter(pk=user.pk).update(totp_failures=2)
    services.login_check_totp(user=user, code=pyotp.TOTP(secret).now())
    user.refresh_from_db()
    assert user.totp_failures == 0


def test_password_change_ends_other_sessions():
    actor = make_actor()
    generation = actor.user.session_generation
    services.password_change(actor=actor, user=actor.user, old_password="correct horse battery",
                             new_password="a new long passphrase 42")
    actor.user.refresh_from_db()
    assert actor.user.session_generation == generation + 1
    assert actor.user.check_password("a new long passphrase 42")
    with pytest.raises(ValidationFailed):
        services.password_change(actor=actor, user=actor.user, old_password="wrong", new_password="whatever 12345")


# --- API keys -------------------------------------------------------------------------------------

def test_api_key_only_for_institution_administrators_and_revocable_once():
    bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    key, secret = services.api_key_create(actor=bank, name="core banking")
    assert secret.startswith(key.prefix + ".")
    assert secret.split(".", 1)[1] not in key.secret_hash  # stored hashed
    services.api_key_revoke(actor=bank, key=key)
    with pytest.raises(Conflict):
        services.api_key_revoke(actor=bank, key=key)
    with pytest.raises(PermissionDenied):
        services.api_key_create(actor=make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR), name="x")
    with pytest.raises(PermissionDenied):
        services.api_key_create(actor=make_actor(kind=OrgKind.BANK, role=Role.APPROVER), name="x")
    other_bank = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    key2, _ = services.api_key_create(actor=bank, name="second")
    with pytest.raises(NotFound):
        services.api_key_revoke(actor=other_bank, key=key2)


# --- policy records -------------------------------------------------------------------------------

def test_every_registered_default_is_stored_as_approved_version_one_by_the_migration():
    """The test database is migrated after this module registered "test.sample", as a real
    database is migrated after every app registered its keys."""
    seeded = PolicyVersion.objects.filter(version=1, status=PolicyStatus.APPROVED)
    assert {d.key for d in policies_registry.all_definitions()} <= set(seeded.values_list("key", flat=True))
    policy = selectors.policy_in_force("test.sample")
    assert policy.version == 1 and policy.status == PolicyStatus.APPROVED
    assert policy.parameters == {"share": 0.5, "cap_fen": 50_000_000}
    assert policy.effective_from == policies_registry.DEFAULTS_EFFECTIVE_FROM


def test_reading_a_policy_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.policy_in_force("test.sample")
    PolicyVersion.objects.filter(key="test.sample").delete()
    with django_assert_num_queries(1), pytest.raises(NotFound):
        selectors.policy_in_force("test.sample")
    assert not PolicyVersion.objects.filter(key="test.sample").exists()


def test_seed_defaults_stores_only_missing_keys():
    PolicyVersion.objects.filter(key="test.sample").delete()
    assert policies_registry.seed_defaults(PolicyVersion, keys=["test.sample"]) == ["test.sample"]
    assert policies_registry.seed_defaults(PolicyVersion, keys=["test.sample"]) == []
    assert policies_registry.seed_defaults(PolicyVersion) == []
    assert PolicyVersion.objects.filter(key="test.sample").count() == 1


def test_policy_maker_checker_and_effective_dates():
    maker = make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER)
    checker = make_actor(kind=OrgKind.DEPARTMENT, role=Role.APPROVER, org=maker.organisation)
    selectors.policy_in_force("test.sample")
    start = timezone.localdate() + timedelta(days=10)
    draft = services.policy_propose(actor=maker, key="test.sample", parameters={"share": 0.7, "cap_fen": 1},
                                    effective_from=start)
    assert draft.version == 2
    with pytest.raises(PermissionDenied) as err:
        services.policy_decide(actor=maker, policy=draft, approve=True)
    assert err.value.code == "maker_checker"
    services.policy_decide(actor=checker, policy=draft, approve=True)
    with pytest.raises(Conflict):
        services.policy_decide(actor=checker, policy=draft, approve=True)
    assert selectors.policy_in_force("test.sample").version == 1  # not yet effective
    assert selectors.policy_in_force("test.sample", on=start).version == 2
    assert AuditEvent.objects.filter(action="policy.approved", object_id=str(draft.pk)).exists()


def test_policy_parameters_are_validated_against_the_schema():
    maker = make_actor(kind=OrgKind.DEPARTMENT, role=Role.REVIEWER)
    with pytest.raises(ValidationFailed) as err:
        services.policy_propose(actor=maker, key="test.sample", parameters={"share": 1.5, "cap_fen": -1},
                                effective_from=date(2027, 1, 1))
    assert set(err.value.details) == {"parameters.share", "parameters.cap_fen"}
    with pytest.raises(PermissionDenied):
        services.policy_propose(actor=make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR), key="test.sample",
                                parameters={"share": 0.1, "cap_fen": 1}, effective_from=date(2027, 1, 1))


# --- audit ----------------------------------------------------------------------------------------

def test_audit_rows_cannot_be_updated():
    actor = make_actor()
    services.user_set_language(actor=actor, language="en")
    event = AuditEvent.objects.get(action="user.language_set")
    with pytest.raises(Exception), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.refresh_from_db()
    assert event.action == "user.language_set"


@pytest.mark.postgres
def test_audit_rows_cannot_be_deleted_on_postgres():
    actor = make_actor()
    services.user_set_language(actor=actor, language="en")
    with pytest.raises(Exception), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="user.language_set").exists()


def test_audit_summary_is_sanitised():
    from innoreform.core import audit

    event = AuditEvent.objects.get(pk=audit.record(actor=Actor.system(), action="x",
                                                   changes={"password": "p", "note": "a\r\nb"}))
    assert event.changes == {"password": "***", "note": "a\\r\\nb"}


def test_membership_managed_by_own_administrators_only():
    admin = make_actor(role=Role.ADMINISTRATOR)
    outsider = make_actor(role=Role.ADMINISTRATOR)
    newcomer = make_user()
    membership = services.membership_set(actor=admin, organisation=admin.organisation, user=newcomer,
                                         role=Role.REVIEWER)
    assert membership.role == Role.REVIEWER
    with pytest.raises(PermissionDenied):
        services.membership_set(actor=outsider, organisation=admin.organisation, user=newcomer, role=Role.MEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        from innoreform.core.models import Membership

        Membership.objects.create(user=newcomer, organisation=admin.organisation)
