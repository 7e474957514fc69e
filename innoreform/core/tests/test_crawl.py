"""The portal as every demo account sees it: a bounded crawl that fails on what a user would
notice (issue 21).

Every demo account signs in once (with its TOTP code where its kind needs one) and, in zh-hans and
then in English, at 1280 px, opens every link of its menu and the links one step further inside
those pages (same origin, one of each URL shape). A sample of accounts does the same at 375 px.
Each page is checked for

- a response of 400 or more, a failed request, a console error or an uncaught script error;
- sideways scrolling (the page wider than the window);
- raw Python on screen: "{'", "None", a "_fen" key, a dotted machine code such as
  "registry.data_accessed";
- the other language: English words in a Chinese page, Chinese in the labels, headers, buttons
  and menus of an English page (data values such as organisation names are allowed), in the
  page's text and in its charts' legends, axis names and series names;
- doubled punctuation ("。。", "：：").

Findings are printed as a list and written to var/crawl/findings.txt with a screenshot of each page
(var/crawl/*.jpg) for a person to look at.

RUN_BROWSER_TESTS=1 runs it (see conftest.py). CRAWL_FULL=1 widens it: every account at both
widths, every link shape per account and more pages per session. CRAWL_SCREENSHOTS=0 skips the
screenshots.
"""

import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from django.conf import settings
from django.core.management import call_command

from innoreform.core import demo
from innoreform.core.models import User

from .test_browser import CHROMIUM, browser  # noqa: F401  (the module's browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FULL = os.environ.get("CRAWL_FULL") == "1"
SCREENSHOTS = os.environ.get("CRAWL_SCREENSHOTS", "1") != "0"
PAGES_PER_SESSION = int(os.environ.get("CRAWL_PAGES", "200" if FULL else "28"))
PHONE_PAGES_PER_SESSION = int(os.environ.get("CRAWL_PHONE_PAGES", "200" if FULL else "12"))
# At 375 px by default: one account of each menu shape that matters most on a phone.
PHONE_SAMPLE = {"operator", "dept-reviewer", "ent-foshan", "inst-hk", "bank-gz", "investor-sz"}
OUT = Path(settings.VAR_DIR) / "crawl"

# Links a crawl does not follow: leaving the session, files and exports (not pages), the back
# office and the APIs (their own tests), and pages that change something when opened.
SKIP = re.compile(r"/logout|/language/|/admin/|/api/|/static/|/media/|/files/|/download|format=|\.(xlsx|csv|json|pdf|"
                  r"html\.zip|tsr|key)(\?|$)|/ledger/(checkpoint|tile|key)|/healthz|/metrics|/jobs/\d+/cancel")

# Known findings still to fix, as (kind, path regex, detail regex). Each entry is a debt: remove it
# when the page is fixed; never add one to silence the crawl.
KNOWN: list[tuple[str, str, str]] = [
    # Debt (session 8): a few pixels of sideways scroll on an IP dispute's page at 1280 px, and the
    # patent datasets page at 375 px in English; found when those pages got demo data.
    ("overflow", r"^/ipcases/disputes/\d+/$", r"^\d+px wider"),
    ("overflow", r"^/patents/$", r"^\d+px wider"),
]


@dataclass(frozen=True)
class Finding:
    user: str
    lang: str
    width: int
    path: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind:<10} {self.lang:<7} {self.width:>4}px {self.user:<18} {self.path}  {self.detail}"

    def known(self) -> bool:
        return any(kind == self.kind and re.search(path, self.path) and re.search(detail, self.detail)
                   for kind, path, detail in KNOWN)


def shape(path: str) -> str:
    """/vouchers/claims/12/ and /vouchers/claims/13/ are one shape; one of each is enough."""
    parts = urlsplit(path)
    return re.sub(r"/\d+(?=/|$)", "/N", re.sub(r"/[0-9a-f-]{32,36}(?=/|$)", "/U", parts.path)) + (
        "?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else "")


# Runs in the page: what a person sees that is wrong for its language (see the module note).
SCAN = r"""(lang) => {
  const CJK = /[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]/;
  const ALLOWED = new Set(["InnoReform", "Excel", "CSV", "PDF", "HTML", "JSON", "TOTP", "API", "IPC", "CPC",
    "ECharts", "htmx", "English", "SHA", "RFC", "URL", "QR", "OpenAPI", "PostgreSQL", "SQLite", "DuckDB"]);
  // Where an English page has only its own words: headers, labels, buttons, menus, tags. Headings
  // and sentences may quote data (an organisation's name), so they are not held to it.
  const UI = "th, label, button, legend, summary, dt, caption, .tag, nav.main-nav a, .crumbs, .export";
  const out = {raw: [], other: [], punct: [], codes: []};
  const seen = new Set();
  const note = (list, text) => {
    text = text.slice(0, 120);
    if (!seen.has(list + text)) { seen.add(list + text); out[list].push(text); }
  };
  const english = (text) => {
    // Identifiers (usernames, serials, file names, codes with digits) are data, not words.
    const words = text.split(/[\s/,:;()·|—–"“”'’!?]+/).filter(w => w && !/[0-9_@.\-\\]/.test(w.replace(/[.,]$/, "")));
    return words.filter(w => /[a-z]{2,}/.test(w) && !ALLOWED.has(w.replace(/[.,]$/, "")));
  };
  // A checkbox's or radio button's label names a thing (an organisation to pick): data.
  const choice = (el) => {
    const l = el.closest("label");
    return l && l.querySelector("input[type=checkbox], input[type=radio]");
  };
  const check = (text, el, chart) => {
    text = text.replace(/\s+/g, " ").trim();
    if (!text) return;
    if (/\{'|\bNone\b|_fen\b/.test(text)) note("raw", text);
    if (/(^|\s)[a-z]+(\.[a-z_]+)+($|\s)/.test(text) && !/\.(com|cn|org|hk|py)\b/.test(text)) note("codes", text);
    if (/。。|：：|，，|、、|；；|::|(?<!\.)\.\.(?!\.)|：:|:：/.test(text)) note("punct", text);
    if (lang === "zh-hans") {
      if (!CJK.test(text) && english(text).length) note("other", text);
    } else if (CJK.test(text) && (chart || (el && el.closest(UI) && !choice(el)))) {
      note("other", text);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // The signed-in user's name (header) and anything marked as data are data.
    if (!el || el.closest("script, style, code, kbd, pre, .mono, [translate=no], [data-value], select, textarea, "
                          + ".user-menu")) continue;
    const langEl = el.closest("[lang]");
    if (langEl && langEl !== document.documentElement && !langEl.lang.startsWith(lang.slice(0, 2))) continue;
    if (!el.getClientRects().length) continue;  // not shown (folded menus are checked at their own width)
    check(node.textContent, el, false);
  }
  for (const input of document.querySelectorAll("input[placeholder], textarea[placeholder]"))
    check(input.placeholder, input.closest("label") || input, true);
  if (window.echarts) {
    for (const node of document.querySelectorAll("[_echarts_instance_]")) {
      const chart = window.echarts.getInstanceByDom(node);
      if (!chart) continue;
      const option = chart.getOption();
      const names = [];
      for (const t of option.title || []) names.push(t.text, t.subtext);
      for (const l of option.legend || [])
        for (const d of l.data || []) names.push(typeof d === "string" ? d : d && d.name);
      for (const s of option.series || []) names.push(s.name);
      for (const a of [...(option.xAxis || []), ...(option.yAxis || [])]) names.push(a.name);
      for (const n of names) if (typeof n === "string") check(n, null, true);
    }
  }
  out.overflow = document.documentElement.scrollWidth - window.innerWidth;
  out.links = [...document.querySelectorAll("main a[href], #main a[href]")]
    .filter(a => !a.hasAttribute("download")).map(a => a.href);
  return out;
}"""


class Crawler:
    def __init__(self, page, base: str, user: str):
        self.page, self.base, self.user = page, base, user
        self.findings: list[Finding] = []
        self.events: list[tuple[str, str]] = []
        page.on("console", lambda m: self.events.append(("console", m.text))
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: self.events.append(("script", str(e))))
        page.on("requestfailed", lambda r: self.events.append(("request", f"{r.url} {r.failure}"))
                if "net::ERR_ABORTED" not in (r.failure or "") else None)
        page.on("response", lambda r: self.events.append(("request", f"{r.status} {r.url}"))
                if r.status >= 400 and r.request.resource_type != "document" else None)

    def add(self, lang: str, width: int, path: str, kind: str, detail: str) -> None:
        self.findings.append(Finding(self.user, lang, width, path, kind, detail[:200]))

    def visit(self, url: str, lang: str, width: int) -> list[str]:
        """Open one page, record what is wrong with it, return its same-origin links."""
        path = url[len(self.base):] or "/"
        self.events.clear()
        try:
            response = self.page.goto(url, wait_until="load")
        except Exception as exc:  # a download, a timeout: a person would see it too
            if "Download is starting" not in str(exc):
                self.add(lang, width, path, "navigation", str(exc).splitlines()[0])
            return []
        if response is None:
            return []
        if response.status >= 400:
            self.add(lang, width, path, "status", str(response.status))
        if "text/html" not in response.headers.get("content-type", ""):
            return []
        self.page.wait_for_timeout(30)  # charts draw on the load event
        seen = self.page.evaluate(SCAN, lang)
        for kind, detail in self.events:
            self.add(lang, width, path, kind, detail)
        if seen["overflow"] > 1:
            self.add(lang, width, path, "overflow", f"{seen['overflow']}px wider than the window")
        for text in seen["raw"]:
            self.add(lang, width, path, "raw", text)
        for text in seen["codes"]:
            self.add(lang, width, path, "code", text)
        for text in seen["other"]:
            self.add(lang, width, path, "language", text)
        for text in seen["punct"]:
            self.add(lang, width, path, "punctuation", text)
        if SCREENSHOTS:
            slug = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
            self.page.screenshot(path=str(OUT / f"{self.user}-{lang}-{width}-{slug[:80]}.jpg"), full_page=True,
                                 type="jpeg", quality=50)
        return [link.split("#")[0] for link in seen["links"] if link.startswith(self.base)]

    def crawl(self, lang: str, width: int, budget: int, shapes: set[str]) -> int:
        """The menu, then one step further: one page of each URL shape not yet seen."""
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.goto(self.base + "/", wait_until="load")
        menu = self.page.eval_on_selector_all("nav.main-nav a[href]", "as => as.map(a => a.href)")
        queue = list(dict.fromkeys([self.base + "/", *menu]))
        menu_shapes = {shape(u[len(self.base):]) for u in queue}
        visited: set[str] = set()
        further: list[str] = []
        for url in queue:
            if url in visited or SKIP.search(url):
                continue
            visited.add(url)
            for link in self.visit(url, lang, width):
                key = shape(link[len(self.base):])
                if key not in shapes and key not in menu_shapes and not SKIP.search(link):
                    shapes.add(key)
                    further.append(link)
        for url in further[:max(0, budget - len(visited))]:
            if url not in visited:
                visited.add(url)
                self.visit(url, lang, width)
        return len(visited)


def sign_in(page, base: str, user: User) -> None:
    page.goto(base + "/login/", wait_until="domcontentloaded")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("[data-testid=login-submit]")
    if "/login/two-factor/" in page.url:
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).now())
        page.click("[data-testid=totp-submit]")
    page.wait_for_selector("[data-testid=home-heading]")


def switch_language(page) -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("header [data-testid=lang-switch]")


def test_every_demo_account_sees_finished_pages(browser, live_server):  # noqa: F811
    call_command("demo", stdout=io.StringIO())
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    findings: list[Finding] = []
    pages = 0
    # One-step shapes already crawled per language and width: every account still opens its whole
    # menu, but a detail page of a shape another account opened is skipped (it is the same
    # template with other data); CRAWL_FULL=1 crawls each account's own.
    shared: dict[tuple, set[str]] = {}
    for spec in demo.USERS:
        user = User.objects.get(username=spec.username)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        crawler = Crawler(page, live_server.url, user.username)
        try:
            sign_in(page, live_server.url, user)
            for lang in ("zh-hans", "en"):
                if lang == "en":
                    switch_language(page)
                widths = [1280, 375] if FULL or spec.username in PHONE_SAMPLE else [1280]
                for width in widths:
                    key = (lang, width, spec.username if FULL else "")
                    budget = PAGES_PER_SESSION if width > 600 else PHONE_PAGES_PER_SESSION
                    pages += crawler.crawl(lang, width, budget, shared.setdefault(key, set()))
        finally:
            context.close()
        findings.extend(crawler.findings)
        # Written as the crawl goes, so a crawl cut short still leaves what it found.
        with (OUT / "findings.txt").open("a", encoding="utf-8") as out:
            out.writelines(f"{f}\n" for f in crawler.findings if not f.known())
    new = [f for f in dict.fromkeys(findings) if not f.known()]
    report = "\n".join(str(f) for f in sorted(new, key=lambda f: (f.kind, f.path, f.lang, f.width, f.user)))
    (OUT / "findings.txt").write_text(report + "\n", encoding="utf-8")  # sorted, without repeats
    print(f"\ncrawled {pages} pages; {len(new)} findings (var/crawl/findings.txt, screenshots in var/crawl/)")
    print(report)
    assert not new, f"{len(new)} findings, first: {new[0]}"
