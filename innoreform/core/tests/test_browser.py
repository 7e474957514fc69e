"""Browser tests: Playwright driving Debian's chromium against the live server.

Every demo account (every organisation kind and role) signs in and sees its home page heading in
Chinese and in English, passing the TOTP step where its kind needs one.
Also: TOTP enrolment in the browser, HTMX notification and job-progress updates, no CSP
violations, and no sideways scrolling on a 375-px phone.

Run with RUN_BROWSER_TESTS=1 (skipped otherwise, see conftest.py).
"""

import os
import shutil

import pyotp
import pytest
from django.utils import translation

from innoreform.core import demo, services
from innoreform.core.actor import Actor
from innoreform.core.models import TWO_FACTOR_KINDS, Jurisdiction, Membership, OrgKind, Role, User
from innoreform.core.testing import make_org, make_user

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's ORM calls are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


class Page:
    """A fresh browser context that fails the test on any CSP violation or page error."""

    def __init__(self, browser, base_url: str, width: int = 1280):
        # A Chinese browser: the portal starts in Chinese; English is chosen with the switch.
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base_url
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(m.text)
                     if m.type == "error" and "Content Security Policy" in m.text else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def __enter__(self):
        return self.page

    def __exit__(self, *exc):
        self.context.close()
        assert not self.problems, self.problems


def make_member(kind: str, lang: str, *, enrolled: bool = True) -> tuple[User, object]:
    extra = {"jurisdiction": Jurisdiction.PROVINCE, "line": "science"} if kind == OrgKind.DEPARTMENT else {}
    org = make_org(kind=kind, name=f"{kind} 测试机构 {lang}", **extra)
    user = make_user(username=f"{kind}_{lang.replace('-', '_')}", preferred_language="zh-hans")
    if kind in TWO_FACTOR_KINDS and enrolled:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed = True
        user.save()
    Membership.objects.create(user=user, organisation=org, role=Role.ADMINISTRATOR)
    return user, org


FAST = "domcontentloaded"  # our pages need no more than the DOM and their deferred scripts


def sign_in(page, base: str, user: User, lang: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login/", wait_until=FAST)
    assert page.locator("#login-heading").inner_text() == "登录"
    if lang == "en":
        with page.expect_navigation(wait_until=FAST):
            page.click("[data-testid=lang-switch]")  # "English" on the Chinese page
        assert page.locator("#login-heading").inner_text() == "Sign in"
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation(wait_until=FAST):
        page.click("[data-testid=login-submit]")
    if "/login/two-factor/" in page.url:
        user.refresh_from_db()
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).now())
        page.click("[data-testid=totp-submit]")
    page.wait_for_selector("[data-testid=home-heading]")


def check_home(page, org, lang: str) -> None:
    heading = page.locator("[data-testid=home-heading]")
    assert heading.inner_text().strip() == org.name
    assert heading.get_attribute("data-kind") == org.kind
    assert page.locator("html").get_attribute("lang") == lang
    with translation.override(lang):
        kind_label = str(OrgKind(org.kind).label)
    assert kind_label in page.locator(".eyebrow").text_content()
    # Home is the brand link; the menu bar holds the measures' groups (at most eight).
    assert page.locator("a.brand").get_attribute("href") == "/"
    assert 1 <= page.locator("nav.main-nav .nav-wide > li").count() <= 8


def test_every_demo_account_reaches_its_home_page_in_both_languages(browser, live_server):
    """Each demo login (every organisation kind, every role) signs in once: half of them choose
    English on the sign-in page and then switch to Chinese in the header, the other half the
    other way round, so every account sees its home page in both languages."""
    orgs = demo.load()
    assert {org.kind for org in orgs.values()} == set(OrgKind.values)
    for index, spec in enumerate(demo.USERS):
        user = User.objects.get(username=spec.username)
        org = orgs[spec.org_key]
        first, second = ("en", "zh-hans") if index % 2 else ("zh-hans", "en")
        with Page(browser, live_server.url) as page:
            sign_in(page, live_server.url, user, first, password=demo.DEMO_PASSWORD)
            check_home(page, org, first)
            with page.expect_navigation(wait_until=FAST):
                page.click("header [data-testid=lang-switch]")
            check_home(page, org, second)
        assert User.objects.get(pk=user.pk).preferred_language == second  # the header switch is saved


def test_totp_enrolment_in_the_browser(browser, live_server):
    user, org = make_member(OrgKind.NOTARY_OFFICE, "en", enrolled=False)
    with Page(browser, live_server.url) as page:
        page.goto(live_server.url + "/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("[data-testid=login-submit]")
        secret = page.locator("[data-testid=totp-secret]").inner_text().strip()
        assert page.locator("[data-testid=totp-uri]").get_attribute("href").startswith("otpauth://totp/")
        # The QR image loads under the CSP (img-src allows data: URIs).
        assert page.eval_on_selector("[data-testid=totp-qr]", "img => img.complete && img.naturalWidth > 0")
        page.fill("input[name=code]", "000000")
        page.click("[data-testid=totp-submit]")
        assert page.locator(".error").count() == 1
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("[data-testid=totp-submit]")
        page.wait_for_selector("[data-testid=home-heading]")
        assert page.locator("[data-testid=home-heading]").inner_text().strip() == org.name
    assert User.objects.get(pk=user.pk).totp_confirmed


def test_htmx_notification_and_job_progress(browser, live_server):
    user, _org = make_member(OrgKind.ENTERPRISE, "zh-hans")
    services.notify(recipient=user, message_id="job.finished", params={"kind": "import"})
    note = services.notify(recipient=user, message_id="job.finished", params={"kind": "report"})
    job = services.job_create(actor=Actor.for_user(user), kind="report.build", total=10)
    services.job_progress(job_id=job.pk, done=5)
    with Page(browser, live_server.url) as page:
        sign_in(page, live_server.url, user, "zh-hans")
        assert page.locator("[data-testid=unread-count]").inner_text() == "2"
        page.goto(live_server.url + "/notifications/")
        page.locator(f"#notification-{note.pk} [data-testid=mark-read]").click()
        page.wait_for_selector(f"#notification-{note.pk}:not(.unread)")
        assert page.locator("[data-testid=unread-count]").inner_text() == "1"
        assert page.url.endswith("/notifications/")  # updated in place, no navigation

        page.goto(live_server.url + f"/jobs/{job.pk}/")
        assert page.locator("[data-testid=job-progress]").get_attribute("data-status") == "running"
        assert page.locator("#job-progress progress").get_attribute("value") == "50"
        services.job_progress(job_id=job.pk, done=8)
        page.wait_for_selector("#job-progress progress[value='80']", timeout=5000)
        services.job_finish(job_id=job.pk, ok=True, result={"rows": 10})
        page.wait_for_selector("[data-testid=job-progress][data-status=succeeded]", timeout=5000)
        assert page.locator("#job-progress").get_attribute("hx-trigger") is None  # polling stopped


def test_phone_width_has_no_sideways_scrolling(browser, live_server):
    user, _org = make_member(OrgKind.DEPARTMENT, "phone")
    with Page(browser, live_server.url, width=375) as page:
        sign_in(page, live_server.url, user, "zh-hans")
        for path in ("/", "/audit/", "/organisations/", "/policies/", "/policies/propose/", "/profile/", "/jobs/"):
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width}px wide on a 375px screen"
        # The folded menu opens and shows the navigation.
        page.click("nav.main-nav .nav-toggle > summary")
        first_group = page.locator("nav.main-nav .nav-section").first
        if first_group.get_attribute("open") is None:
            first_group.locator("summary").click()
        assert first_group.locator("a").first.is_visible()
