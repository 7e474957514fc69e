"""Screenshots of the portal shell for visual review (not a benchmark of speed).

Starts the server on a throw-away SQLite database with a few organisations, signs in with
Playwright driving Debian's chromium, and saves PNGs of the login page, the TOTP step, three home
pages, the audit log and the policy pages in zh-hans and en at 1280 and 375 px widths.

    .venv/bin/python bench/screenshots.py [OUT_DIR]     # default /work/screens

Prints one JSON object: the files written and how long it took.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Demo-password-2024"  # noqa: S105 - throw-away database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed() -> dict:
    """Runs inside this process with the temporary database; returns the accounts."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import pyotp

    from innoreform.core import services
    from innoreform.core.actor import Actor
    from innoreform.core.models import (
        AuditEvent,
        Job,
        JobStatus,
        OrgKind,
        PolicyStatus,
        PolicyVersion,
        Role,
        User,
    )
    from innoreform.core.regions import Region

    system = Actor.system()
    specs = [
        ("ent", "佛山市禅城区智造科技有限公司", "Foshan Smart Manufacturing Co.", OrgKind.ENTERPRISE, Region.FOSHAN,
         "91440604MA4UJ8XQ0N", {}),
        ("bank", "广州银行（演示）", "Bank of Guangzhou (demo)", OrgKind.BANK, Region.GUANGZHOU, None, {}),
        ("court", "广州知识产权法院（演示）", "Guangzhou Intellectual Property Court (demo)", OrgKind.COURT,
         Region.GUANGZHOU, None, {}),
        ("dept", "广东省科学技术厅（演示）", "Department of Science and Technology of Guangdong (demo)",
         OrgKind.DEPARTMENT, Region.GUANGZHOU, None, {"jurisdiction": "province", "line": "science"}),
    ]
    from innoreform.core.credit_code import make as make_code

    accounts = {}
    for n, (tag, name, name_en, kind, region, code, extra) in enumerate(specs):
        code = code if code and _valid(code) else make_code("91", region, f"{n + 1:08d}")
        org = services.organisation_create(actor=system, name=name, name_en=name_en, kind=kind, region=region,
                                           credit_code=code, is_demo=True, **extra)
        user = services.user_create(actor=system, username=f"demo_{tag}", password=PASSWORD,
                                    display_name=f"{tag} 管理员", is_demo=True)
        services.membership_set(actor=system, organisation=org, user=user, role=Role.ADMINISTRATOR)
        secret = pyotp.random_base32()
        if tag != "court":  # left to enrol, for the enrolment page
            User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=True)
        accounts[tag] = {"username": user.username, "secret": secret}
        services.notify(recipient=user, message_id="policy.approved", params={"key": "books.voucher_share",
                                                                                "version": 2})
        Job.objects.create(kind="patents.import", owner=user, organisation=org, status=JobStatus.RUNNING,
                           total=200, done=130)
    for i in range(3):
        AuditEvent.objects.create(actor_label="demo_ent", action="auth.login_failed", outcome="denied",
                                  changes={"reason": "bad_password", "attempt": i + 1}, request_id=f"req{i}",
                                  ip="203.0.113.7")
    PolicyVersion.objects.create(key="books.voucher_share", version=1, title="科技创新券补助比例",
                                 parameters={"share": "0.5", "cap_fen": 50000000}, effective_from=date(2020, 1, 1),
                                 status=PolicyStatus.APPROVED, source="粤科规范字〔2019〕1号")
    PolicyVersion.objects.create(key="books.voucher_share", version=2, title="科技创新券补助比例（调整）",
                                 parameters={"share": "0.6", "cap_fen": 80000000}, effective_from=date(2027, 1, 1),
                                 status=PolicyStatus.DRAFT, source="draft")
    return accounts


def _valid(code: str) -> bool:
    from innoreform.core import credit_code

    try:
        credit_code.validate(code)
        return True
    except credit_code.CreditCodeError:
        return False


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/screens")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="innoreform-screens-")
    env = {**os.environ, "INNOREFORM_VAR_DIR": tmp, "INNOREFORM_DEMO": "1", "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": "", "INNOREFORM_FAST_HASHER": "1",
           "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    os.environ.update(env)
    # Playwright's sync API runs an event loop; our ORM calls here are plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    sys.path.insert(0, str(ROOT))
    accounts = seed()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    files: list[str] = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        files = shoot(base, accounts, out)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(json.dumps({"screenshots": len(files), "dir": str(out), "seconds": round(time.perf_counter() - started, 1),
                      "files": files}))


def shoot(base: str, accounts: dict, out: Path) -> list[str]:
    import pyotp
    from playwright.sync_api import sync_playwright

    from innoreform.core.models import User

    files = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for lang in ("zh-hans", "en"):
            for width in (1280, 375):
                height = 900 if width > 400 else 812
                context = browser.new_context(viewport={"width": width, "height": height},
                                              locale="zh-CN" if lang == "zh-hans" else "en-GB")
                context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                page = context.new_page()

                def snap(name: str, page=page, lang=lang, width=width) -> None:
                    path = out / f"{name}-{lang}-{width}.png"
                    page.screenshot(path=str(path), full_page=width > 400)
                    files.append(path.name)

                page.goto(base + "/login/")
                snap("login")
                page.fill("input[name=username]", accounts["court"]["username"])
                page.fill("input[name=password]", PASSWORD)
                page.click("[data-testid=login-submit]")
                page.wait_for_selector("[data-testid=totp-qr]")
                snap("totp-enrol")
                for tag in ("ent", "bank", "dept"):
                    page.context.clear_cookies()
                    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
                    page.goto(base + "/login/")
                    page.fill("input[name=username]", accounts[tag]["username"])
                    page.fill("input[name=password]", PASSWORD)
                    page.click("[data-testid=login-submit]")
                    if "/two-factor/" in page.url:
                        if tag == "bank":
                            snap("totp")
                        # Codes are single use; this tool signs the same account in repeatedly.
                        User.objects.filter(username=accounts[tag]["username"]).update(totp_last_counter=0)
                        code = pyotp.TOTP(accounts[tag]["secret"]).now()
                        page.fill("input[name=code]", code)
                        page.click("[data-testid=totp-submit]")
                    page.wait_for_selector("[data-testid=home-heading]")
                    snap(f"home-{tag}")
                page.goto(base + "/audit/")
                if width > 400:
                    page.click("nav.main-nav .nav-menu summary")
                snap("audit")
                page.goto(base + "/policies/")
                snap("policies")
                page.click("text=books.voucher_share >> nth=0")  # the draft: approve / reject
                snap("policy-detail")
                page.goto(base + "/policies/propose/")
                snap("policy-propose")
                page.goto(base + "/jobs/")
                snap("jobs")
                page.goto(base + "/profile/")
                snap("profile")
                page.goto(base + "/organisations/")
                snap("organisations")
                context.close()
        browser.close()
    return files


if __name__ == "__main__":
    main()
