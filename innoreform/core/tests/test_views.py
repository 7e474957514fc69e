"""Portal pages: sign-in with lockout and TOTP, home per organisation kind, lists with filters,
paging and export, object scoping (404), maker-checker through the pages, HTMX fragments."""

import csv
import io
from datetime import timedelta

import pyotp
import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pydantic import BaseModel, Field

from innoreform.core import policies_registry, services
from innoreform.core.actor import Actor
from innoreform.core.middleware import SESSION_GENERATION_KEY, SESSION_ORG_KEY
from innoreform.core.models import (
    TWO_FACTOR_KINDS,
    ApiKey,
    AuditEvent,
    Job,
    JobStatus,
    Jurisdiction,
    Membership,
    Notification,
    OrgKind,
    PolicyStatus,
    PolicyVersion,
    Role,
    User,
)
from innoreform.core.regions import Region
from innoreform.core.testing import english_client, make_actor, make_org, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # make_user's default


class PortalParams(BaseModel):
    share: float = Field(ge=0, le=1)
    cap_fen: int = Field(ge=0)


policies_registry.register(key="test.portal", schema=PortalParams, defaults={"share": 0.3, "cap_fen": 1_000_000},
                           title="Portal test policy", source="test")


def signed_in(actor: Actor, client: Client | None = None) -> Client:
    client = client or Client()
    client.force_login(actor.user)
    session = client.session
    session[SESSION_GENERATION_KEY] = actor.user.session_generation
    session[SESSION_ORG_KEY] = actor.organisation_id
    session.save()
    return client


def department(role=Role.REVIEWER, **kw) -> Actor:
    return make_actor(kind=OrgKind.DEPARTMENT, role=role, jurisdiction=Jurisdiction.PROVINCE, line="science", **kw)


# --- sign-in ----------------------------------------------------------------------------------


def test_login_page_renders_in_chinese_by_default_and_in_english():
    response = Client().get(reverse("core:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    english = Client()
    english.cookies["django_language"] = "en"  # what the language switch sets
    assert "Sign in" in english.get(reverse("core:login")).content.decode()


def test_password_login_reaches_home_and_records_audit():
    actor = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    client = Client()
    response = client.post(reverse("core:login"), {"username": actor.user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.session[SESSION_GENERATION_KEY] == actor.user.session_generation
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert actor.organisation.name in home.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", actor=actor.user).exists()


def test_login_next_parameter_is_kept_but_foreign_hosts_are_refused():
    actor = make_actor()
    response = Client().post(reverse("core:login") + "?next=/jobs/",
                             {"username": actor.user.username, "password": PASSWORD})
    assert response.url == "/jobs/"
    response = Client().post(reverse("core:login") + "?next=https://evil.example/",
                             {"username": actor.user.username, "password": PASSWORD})
    assert response.url == reverse("core:home")


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_lockout_through_the_login_page():
    actor = make_actor()
    client = english_client()
    url = reverse("core:login")
    for _ in range(2):
        response = client.post(url, {"username": actor.user.username, "password": "wrong"})
        assert "username or password is not correct" in response.content.decode()
    response = client.post(url, {"username": actor.user.username, "password": "wrong"})
    body = response.content.decode()
    assert "locked until" in body
    locked_until = User.objects.get(pk=actor.user.pk).locked_until
    assert timezone.localtime(locked_until).strftime("%H:%M") in body
    # The right password does not help while locked.
    response = client.post(url, {"username": actor.user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "locked until" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message_as_a_wrong_password():
    response = english_client().post(
        reverse("core:login"), {"username": "nobody-here", "password": "x"})
    assert "username or password is not correct" in response.content.decode()


def test_two_factor_enrolment_then_code_entry():
    actor = make_actor(kind=OrgKind.BANK, role=Role.MEMBER)
    client = english_client()
    response = client.post(reverse("core:login"), {"username": actor.user.username, "password": PASSWORD})
    assert response.url == reverse("core:login_totp")
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    assert client.get(reverse("core:home")).status_code == 302
    page = client.get(reverse("core:login_totp"))
    user = User.objects.get(pk=actor.user.pk)
    body = page.content.decode()
    assert user.totp_secret
    assert user.totp_secret in body
    assert "otpauth://totp/" in body
    assert 'src="data:image/svg+xml' in body  # the QR code of the set-up link
    assert 'data-testid="demo-totp"' not in body  # not a demo account
    wrong = client.post(reverse("core:login_totp"), {"code": "000000"})
    assert "not correct" in wrong.content.decode()
    code = pyotp.TOTP(user.totp_secret).now()
    response = client.post(reverse("core:login_totp"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert User.objects.get(pk=user.pk).totp_confirmed

    # Next time: code entry only, the secret is not shown again; the used code is refused.
    other = english_client()
    other.post(reverse("core:login"), {"username": user.username, "password": PASSWORD})
    page = other.get(reverse("core:login_totp")).content.decode()
    assert user.totp_secret not in page
    assert "not correct" in other.post(reverse("core:login_totp"), {"code": code}).content.decode()


def test_two_factor_page_without_password_step_sends_back_to_login():
    response = Client().get(reverse("core:login_totp"))
    assert response.status_code == 302
    assert response.url == reverse("core:login")


def test_demo_hint_only_for_demo_users_in_demo_mode(settings):
    actor = make_actor(kind=OrgKind.DEPARTMENT, role=Role.MEMBER, jurisdiction="province", line="science")
    User.objects.filter(pk=actor.user.pk).update(is_demo=True)
    client = Client()
    client.post(reverse("core:login"), {"username": actor.user.username, "password": PASSWORD})
    settings.DEMO_MODE = False
    assert 'data-testid="demo-totp"' not in client.get(reverse("core:login_totp")).content.decode()
    settings.DEMO_MODE = True
    body = client.get(reverse("core:login_totp")).content.decode()
    assert 'data-testid="demo-totp"' in body
    user = User.objects.get(pk=actor.user.pk)
    shown = pyotp.TOTP(user.totp_secret).now()
    assert shown in body
    assert client.post(reverse("core:login_totp"), {"code": shown}).status_code == 302
    # After a use the hint moves on to the next code the server will accept.
    second = Client()
    second.post(reverse("core:login"), {"username": user.username, "password": PASSWORD})
    body = second.get(reverse("core:login_totp")).content.decode()
    user.refresh_from_db()
    next_code = pyotp.TOTP(user.totp_secret).generate_otp(user.totp_last_counter + 1)
    assert next_code in body
    assert second.post(reverse("core:login_totp"), {"code": next_code}).status_code == 302


def test_logout_needs_post():
    client = signed_in(make_actor())
    assert client.get(reverse("core:logout")).status_code == 405
    assert client.post(reverse("core:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_pages_redirect_anonymous_users_to_login():
    for name in ("core:home", "core:organisations", "core:audit", "core:policies", "core:jobs"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("core:login"))


# --- home per kind, navigation, switcher, language, profile -----------------------------------


@pytest.mark.parametrize("kind", OrgKind.values)
def test_home_renders_for_every_kind(kind):
    extra = {"jurisdiction": "city", "line": "finance"} if kind == OrgKind.DEPARTMENT else {}
    actor = make_actor(kind=kind, role=Role.ADMINISTRATOR, **extra)
    response = signed_in(actor, english_client()).get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-kind="{kind}"' in body
    assert actor.organisation.name in body
    assert "Administrator" in body
    assert reverse("core:notifications") in body


def test_navigation_depends_on_role_and_kind():
    member = signed_in(make_actor(kind=OrgKind.ENTERPRISE, role=Role.MEMBER)).get(reverse("core:home"))
    assert reverse("core:audit") not in member.content.decode()
    assert reverse("core:api_keys") not in member.content.decode()
    bank_admin = signed_in(make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)).get(reverse("core:home"))
    assert reverse("core:api_keys") in bank_admin.content.decode()
    assert reverse("core:audit") in bank_admin.content.decode()
    reviewer = signed_in(department(Role.REVIEWER)).get(reverse("core:home"))
    assert reverse("core:audit") in reviewer.content.decode()


def test_home_lists_notifications_and_running_jobs():
    actor = make_actor()
    services.notify(recipient=actor.user, message_id="job.finished", params={"kind": "import"})
    job = services.job_create(actor=actor, kind="patents.import", total=10)
    services.job_progress(job_id=job.pk, done=4)
    body = signed_in(actor, english_client()).get(reverse("core:home")).content.decode()
    assert "Background job import finished." in body
    assert "patents.import" in body
    assert 'value="40"' in body
    assert 'data-testid="unread-count"' in body


def test_organisation_switcher_changes_acting_organisation():
    first = make_actor(kind=OrgKind.ENTERPRISE, role=Role.MEMBER)
    second_org = make_org(kind=OrgKind.COLLEGE)
    Membership.objects.create(user=first.user, organisation=second_org, role=Role.APPROVER)
    client = signed_in(first)
    home = client.get(reverse("core:home")).content.decode()
    assert 'name="organisation"' in home
    assert client.post(reverse("core:switch_organisation"), {"organisation": second_org.pk}).status_code == 302
    assert client.session[SESSION_ORG_KEY] == second_org.pk
    assert 'data-kind="college"' in client.get(reverse("core:home")).content.decode()
    stranger = make_org()
    assert client.post(reverse("core:switch_organisation"), {"organisation": stranger.pk}).status_code == 404
    assert client.post(reverse("core:switch_organisation"), {"organisation": "x"}).status_code == 404


def test_single_membership_has_no_switcher():
    body = signed_in(make_actor()).get(reverse("core:home")).content.decode()
    assert 'id="org-switch-select"' not in body


def test_language_switch_persists_preference():
    actor = make_actor()
    client = signed_in(actor)
    response = client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=actor.user.pk).preferred_language == "en"
    assert "Sign out" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("core:set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get(reverse("core:home")).content.decode()


def test_saved_language_applies_at_next_sign_in():
    actor = make_actor()
    User.objects.filter(pk=actor.user.pk).update(preferred_language="en")
    client = Client()
    response = client.post(reverse("core:login"), {"username": actor.user.username, "password": PASSWORD})
    assert response.cookies["django_language"].value == "en"
    assert "Sign out" in client.get(reverse("core:home")).content.decode()


def test_profile_password_change_ends_other_sessions_only():
    actor = make_actor()
    mine, other = signed_in(actor), signed_in(actor)
    response = mine.post(reverse("core:profile"), {"action": "password", "old_password": PASSWORD,
                                                   "new_password": "a new long passphrase 42",
                                                   "new_password_again": "a new long passphrase 42"})
    assert response.status_code == 302
    assert mine.get(reverse("core:home")).status_code == 200
    assert other.get(reverse("core:home")).status_code == 302


def test_profile_password_errors_show_on_fields():
    client = signed_in(make_actor(), english_client())
    response = client.post(reverse("core:profile"), {"action": "password", "old_password": "wrong",
                                                     "new_password": "a new long passphrase 42",
                                                     "new_password_again": "a new long passphrase 42"})
    assert response.status_code == 200
    assert "current password is not correct" in response.content.decode()
    response = client.post(reverse("core:profile"), {"action": "password", "old_password": PASSWORD,
                                                     "new_password": "short", "new_password_again": "other"})
    assert response.status_code == 200


def test_sign_out_everywhere():
    actor = make_actor()
    mine, other = signed_in(actor), signed_in(actor)
    assert mine.post(reverse("core:profile"), {"action": "sessions"}).status_code == 302
    assert mine.get(reverse("core:home")).status_code == 302
    assert other.get(reverse("core:home")).status_code == 302


def test_user_without_membership_sees_explanation():
    user = make_user()
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 403


# --- organisations ----------------------------------------------------------------------------


def test_organisation_list_scoping_and_404():
    mine = make_actor(kind=OrgKind.ENTERPRISE)
    other = make_org(kind=OrgKind.ENTERPRISE, name="另一家企业")
    client = signed_in(mine)
    body = client.get(reverse("core:organisations")).content.decode()
    assert mine.organisation.name in body
    assert "另一家企业" not in body
    assert client.get(reverse("core:organisation_detail", args=[mine.organisation_id])).status_code == 200
    assert client.get(reverse("core:organisation_detail", args=[other.pk])).status_code == 404


def test_department_sees_all_organisations_with_filters_and_paging():
    dept = department(Role.MEMBER)
    for n in range(30):
        make_org(kind=OrgKind.BANK if n % 2 else OrgKind.COLLEGE, region=Region.SHENZHEN, name=f"过滤测试{n:02d}")
    client = signed_in(dept)
    page1 = client.get(reverse("core:organisations"), {"kind": "bank"}).content.decode()
    assert "过滤测试01" in page1
    assert "过滤测试02" not in page1
    all_page2 = client.get(reverse("core:organisations"), {"page": 2}).content.decode()
    assert "?page=1" in all_page2 or "page=1" in all_page2
    # Bad filter values show errors instead of failing.
    assert client.get(reverse("core:organisations"), {"kind": "nonsense", "page": "x"}).status_code == 200


def test_organisation_export_csv_and_xlsx():
    dept = department(Role.MEMBER)
    make_org(kind=OrgKind.BANK, name="=HYPERLINK(1)")
    client = signed_in(dept, english_client())
    response = client.get(reverse("core:organisations"), {"format": "csv", "kind": "bank"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["ID", "Name", "English name"]
    assert rows[1][1] == "'=HYPERLINK(1)"  # formula neutralised
    assert len(rows) == 2
    response = client.get(reverse("core:organisations"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][1] == "Name"
    assert len(values) == 1 + 2  # header, the department, the bank


# --- audit ------------------------------------------------------------------------------------


def test_audit_page_for_departments_and_404_for_members():
    dept = department(Role.REVIEWER)
    enterprise = make_actor(kind=OrgKind.ENTERPRISE, role=Role.MEMBER)
    assert signed_in(enterprise).get(reverse("core:audit")).status_code == 404
    client = signed_in(dept)
    AuditEvent.objects.create(actor_label="alice", organisation=enterprise.organisation, action="voucher.issued",
                              outcome="success", object_type="books.voucher", object_id="7")
    AuditEvent.objects.create(actor_label="bob", organisation=enterprise.organisation, action="voucher.denied",
                              outcome="denied")
    body = client.get(reverse("core:audit"), {"action": "voucher.", "outcome": "denied"}).content.decode()
    assert "voucher.denied" in body
    assert "voucher.issued" not in body
    body = client.get(reverse("core:audit"), {"q": "alice"}).content.decode()
    assert "voucher.issued" in body
    body = client.get(reverse("core:audit"), {"organisation": enterprise.organisation_id}).content.decode()
    assert "voucher.issued" in body
    today = timezone.localdate()
    body = client.get(reverse("core:audit"), {"since": (today + timedelta(days=1)).isoformat()}).content.decode()
    assert "voucher.issued" not in body
    # Bad input: never a 500; the field shows its error and the valid filters still apply.
    response = client.get(reverse("core:audit"), {"since": "2024-13-45", "organisation": "abc", "q": "alice"})
    assert response.status_code == 200
    assert "voucher.issued" in response.content.decode()
    assert "voucher.denied" not in response.content.decode()
    assert 'class="error"' in response.content.decode()
    assert client.get(reverse("core:audit"), {"since": "2025-02-01", "until": "2025-01-01"}).status_code == 200


def test_administrator_sees_only_own_audit_and_export():
    admin = make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)
    other = make_org()
    AuditEvent.objects.create(actor_label="mine", organisation=admin.organisation, action="mine.done")
    AuditEvent.objects.create(actor_label="theirs", organisation=other, action="theirs.done")
    client = signed_in(admin)
    body = client.get(reverse("core:audit")).content.decode()
    assert "mine.done" in body
    assert "theirs.done" not in body
    response = client.get(reverse("core:audit"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "mine.done" in text
    assert "theirs.done" not in text


# --- policies ---------------------------------------------------------------------------------


def test_policy_pages_propose_and_maker_checker():
    maker = department(Role.APPROVER)
    checker = department(Role.APPROVER, org=maker.organisation)
    client = signed_in(maker, english_client())
    listing = client.get(reverse("core:policies")).content.decode()
    assert "test.portal" in listing  # the default, stored as version 1 by the data migration
    form = client.get(reverse("core:policy_propose"), {"key": "test.portal"})
    assert form.status_code == 200
    assert "cap_fen" in form.content.decode()
    bad = client.post(reverse("core:policy_propose"), {"key": "test.portal", "parameters": '{"share": 7, "cap_fen": 1}',
                                                       "effective_from": "2030-01-01"})
    assert bad.status_code == 200
    assert "share" in bad.content.decode()
    assert client.post(reverse("core:policy_propose"), {"key": "test.portal", "parameters": "not json",
                                                        "effective_from": "2030-01-01"}).status_code == 200
    response = client.post(reverse("core:policy_propose"), {
        "key": "test.portal", "parameters": '{"share": 0.4, "cap_fen": 2000000}', "effective_from": "2030-01-01",
        "title": "Raise the cap"})
    assert response.status_code == 302
    version = PolicyVersion.objects.get(key="test.portal", status=PolicyStatus.DRAFT)
    detail = client.get(reverse("core:policy_detail", args=[version.pk])).content.decode()
    assert 'data-testid="approve"' not in detail  # the author gets no buttons
    # Even a forged POST by the author is refused by the service.
    client.post(reverse("core:policy_decide", args=[version.pk]), {"decision": "approve"})
    version.refresh_from_db()
    assert version.status == PolicyStatus.DRAFT
    checker_client = signed_in(checker)
    assert 'data-testid="approve"' in checker_client.get(
        reverse("core:policy_detail", args=[version.pk])).content.decode()
    checker_client.post(reverse("core:policy_decide", args=[version.pk]), {"decision": "approve"})
    version.refresh_from_db()
    assert version.status == PolicyStatus.APPROVED
    assert version.approved_by == checker.user


def test_policy_propose_is_404_for_enterprises_and_missing_policy_is_404():
    client = signed_in(make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR))
    assert client.get(reverse("core:policy_propose")).status_code == 404
    assert client.get(reverse("core:policies")).status_code == 200
    assert client.get(reverse("core:policy_detail", args=[999999])).status_code == 404


def test_policy_list_export():
    client = signed_in(department(Role.MEMBER))
    client.get(reverse("core:policies"))
    response = client.get(reverse("core:policies"), {"format": "xlsx", "key": "test.portal"})
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert values[1][0] == "test.portal"


# --- API keys ---------------------------------------------------------------------------------


def test_api_key_created_shown_once_and_revoked():
    admin = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    client = signed_in(admin)
    response = client.post(reverse("core:api_keys"), {"name": "loan system"})
    assert response.status_code == 200
    body = response.content.decode()
    key = ApiKey.objects.get(organisation=admin.organisation)
    secret = body.split('data-testid="api-secret">')[1].split("<")[0]
    assert secret.startswith(key.prefix + ".")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    listing = client.get(reverse("core:api_keys")).content.decode()
    assert key.prefix in listing
    assert secret not in listing
    assert client.post(reverse("core:api_key_revoke", args=[key.pk])).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    # Revoking again: a message, not an error page.
    assert client.post(reverse("core:api_key_revoke", args=[key.pk])).status_code == 302


def test_api_key_pages_404_for_other_organisations_and_non_admins():
    admin = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    other = make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR)
    key, _secret = services.api_key_create(actor=other, name="theirs")
    client = signed_in(admin)
    assert client.post(reverse("core:api_key_revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert signed_in(make_actor(kind=OrgKind.BANK, role=Role.MEMBER)).get(reverse("core:api_keys")).status_code == 404
    assert signed_in(make_actor(kind=OrgKind.ENTERPRISE, role=Role.ADMINISTRATOR)).get(
        reverse("core:api_keys")).status_code == 404


def test_api_key_name_error_shows_on_form():
    client = signed_in(make_actor(kind=OrgKind.BANK, role=Role.ADMINISTRATOR))
    response = client.post(reverse("core:api_keys"), {"name": "   "})
    assert response.status_code == 200
    assert ApiKey.objects.count() == 0


# --- notifications and jobs -------------------------------------------------------------------


def test_notification_mark_read_with_htmx_and_scoping():
    actor = make_actor()
    stranger = make_actor()
    mine = services.notify(recipient=actor.user, message_id="policy.approved", params={"key": "k", "version": 2})
    theirs = services.notify(recipient=stranger.user, message_id="policy.approved", params={"key": "k", "version": 3})
    client = signed_in(actor, english_client())
    listing = client.get(reverse("core:notifications")).content.decode()
    assert "Policy k version 2 was approved." in listing
    assert "version 3" not in listing
    response = client.post(reverse("core:notification_read", args=[mine.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="notification-{mine.pk}"' in body
    assert 'hx-swap-oob="true"' in body
    assert "<html" not in body
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert client.post(reverse("core:notification_read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    services.notify(recipient=actor.user, message_id="job.finished", params={"kind": "x"})
    client.post(reverse("core:notifications_read_all"))
    assert not Notification.objects.filter(recipient=actor.user, read_at__isnull=True).exists()


def test_job_progress_polls_until_finished_and_is_scoped():
    actor = make_actor()
    job = services.job_create(actor=actor, kind="report.build", total=4)
    services.job_progress(job_id=job.pk, done=1)
    client = signed_in(actor)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    fragment = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert 'value="25"' in fragment
    assert "<html" not in fragment
    services.job_finish(job_id=job.pk, ok=True, result={"rows": 4})
    fragment = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger' not in fragment
    assert 'value="100"' in fragment
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    other = signed_in(make_actor())
    assert other.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("core:job_progress", args=[job.pk])).status_code == 404
    listing = client.get(reverse("core:jobs"), {"status": "succeeded"}).content.decode()
    assert "报告" in listing and "report.build" not in listing  # the kind by its name (issue 21)
    response = client.get(reverse("core:jobs"), {"format": "csv"})
    assert "report.build" in b"".join(response.streaming_content).decode("utf-8-sig")


# --- cross-cutting ----------------------------------------------------------------------------


def test_pages_carry_strict_csp_and_no_inline_scripts():
    actor = department(Role.APPROVER)
    client = signed_in(actor)
    for name in ("core:home", "core:organisations", "core:audit", "core:policies", "core:policy_propose",
                 "core:notifications", "core:jobs", "core:profile"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy
        body = response.content.decode()
        assert " style=" not in body, name
        assert " onclick=" not in body, name
        for chunk in body.split("<script")[1:]:
            assert "nonce=" in chunk.split(">")[0], name


def test_demo_ribbon(settings):
    settings.DEMO_MODE = True
    assert "demo-ribbon" in Client().get(reverse("core:login")).content.decode()
    settings.DEMO_MODE = False
    assert "demo-ribbon" not in Client().get(reverse("core:login")).content.decode()


@pytest.mark.parametrize("kind", sorted(TWO_FACTOR_KINDS))
def test_every_two_factor_kind_is_asked_for_a_code(kind):
    extra = {"jurisdiction": "province", "line": "science"} if kind == OrgKind.DEPARTMENT else {}
    actor = make_actor(kind=kind, **extra)
    response = Client().post(reverse("core:login"), {"username": actor.user.username, "password": PASSWORD})
    assert response.url == reverse("core:login_totp")


def test_uncaught_service_refusal_is_a_page_not_a_500(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from innoreform.core.errors import Conflict
    from innoreform.core.views import portal_view

    @portal_view
    def refusing(request):
        raise Conflict("Already done.", code="already_done")

    actor = make_actor()
    request = rf.get("/")
    request.user, request.actor, request.csp_nonce = actor.user, actor, "n"
    request.session = {}
    request._messages = FallbackStorage(request)
    response = refusing(request)
    assert response.status_code == 409
    assert "Already done." in response.content.decode()
