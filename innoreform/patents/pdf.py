"""PDF of the navigation report: the same HTML printed by headless Chromium, with a CJK font.

Both come from Debian packages (`chromium`, `fonts-noto-cjk`); nothing is downloaded at run time.
Where either is missing, `available()` is False and the pages offer the HTML report only.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@lru_cache(maxsize=1)
def browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


@lru_cache(maxsize=1)
def has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20,  # noqa: S603
                         check=False)
    return bool(out.stdout.strip())


def available() -> bool:
    return browser() is not None and has_cjk_font()


def render(html: str, *, timeout: int = 90) -> bytes:
    """Print `html` to PDF; the page's scripts (ECharts) run first within a virtual-time budget."""
    exe = browser()
    if exe is None or not has_cjk_font():
        raise RuntimeError("no headless browser with a CJK font on this machine")
    with tempfile.TemporaryDirectory(prefix="patent-report-") as tmp:
        source = Path(tmp) / "report.html"
        target = Path(tmp) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        subprocess.run(  # noqa: S603  (fixed argument list; the only input is our own HTML file)
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", "--virtual-time-budget=8000", f"--print-to-pdf={target}",
             source.as_uri()],
            capture_output=True, timeout=timeout, check=False,
        )
        if not target.exists() or target.stat().st_size == 0:
            raise RuntimeError("the browser produced no PDF")
        return target.read_bytes()
