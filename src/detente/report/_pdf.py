"""Print the HTML report to PDF through headless Chromium (Playwright's ``page.pdf``).

The browser is the system's Chromium (Debian's ``chromium`` package), never one that
Playwright downloads; ``DETENTE_CHROMIUM`` names another executable. Every request the page
makes other than ``file:`` and ``data:`` is refused, so printing is offline too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from detente._optional import import_optional
from detente.errors import DetenteError, MissingDependencyError

__all__ = ["CHROMIUM_ARGS", "PRINT_CHART_MAX_PX", "PRINT_HEIGHT_PX", "PRINT_WIDTH_PX",
           "find_chromium", "require_chromium", "write_pdf"]

#: Flags for a quiet, offline, sandbox-free headless Chromium (containers, CI).
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox", "--disable-gpu", "--disable-quic",
    # Chromium calls update, account and metrics services on its own at start: not here
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-default-apps", "--metrics-recording-only",
)
#: CSS pixels of an A4 landscape page less the report's print margins (297 − 20 mm).
PRINT_WIDTH_PX = 1047
#: CSS pixels of its height less the margins (210 − 22 mm).
PRINT_HEIGHT_PX = 710
#: Tallest a chart prints: with its heading and caption, well under half a page, so a
#: chart that does not fit where a page ends leaves less than half of it empty.
PRINT_CHART_MAX_PX = 250
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium executable: ``$DETENTE_CHROMIUM``, else the first on ``PATH``."""
    env = os.environ.get("DETENTE_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Path of a Chromium executable, or :class:`MissingDependencyError` saying how to get one."""
    exe = find_chromium()
    if exe is None:
        raise MissingDependencyError(
            "printing to PDF needs a Chromium browser, and none was found on PATH. "
            "Install one (Debian/Ubuntu: apt-get install chromium) or set DETENTE_CHROMIUM "
            "to its executable")
    return exe


def write_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout_s: float = 120.0) -> Path:
    """Print an HTML report to PDF (A4 landscape) with every chart rendered.

    Parameters
    ----------
    html_path : str or Path
        The report written by :func:`detente.report.write_report`.
    pdf_path : str or Path
        Where to write the PDF (atomically).
    timeout_s : float
        Longest wait for the page and its charts.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    MissingDependencyError
        Without Playwright (``pip install 'detente[pdf]'``) or a Chromium browser.
    """
    import_optional("playwright", extra="pdf", purpose="Printing the report to PDF")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Route, sync_playwright

    exe = require_chromium()
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path)
    tmp = pdf_path.with_name(f".{pdf_path.name}.part")
    ms = timeout_s * 1000

    def offline(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            route.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, headless=True,
                                        args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 900})
                page.route("**/*", offline)
                page.goto(html_path.as_uri(), wait_until="load", timeout=ms)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.js-plotly-plot')]"
                    ".every(d => d.querySelector('.main-svg'))", timeout=ms)
                page.emulate_media(media="print")
                # a printed page has no clicks: every collapsed section prints open
                page.evaluate("() => document.querySelectorAll('details')"
                              ".forEach(d => { d.open = true; })")
                # lay the charts out again at the printed width, none taller than
                # PRINT_CHART_MAX_PX (a chart cannot split between pages)
                page.evaluate(
                    "(most) => Promise.all([...document.querySelectorAll('.js-plotly-plot')]"
                    ".map(d => (d.layout && d.layout.height > most ? "
                    "(d.style.height = d.parentElement.style.height = most + 'px', "
                    "Plotly.relayout(d, {height: most})) "
                    ": Promise.resolve())"
                    ".then(() => Plotly.Plots.resize(d))))", PRINT_CHART_MAX_PX)
                page.pdf(path=str(tmp), prefer_css_page_size=True, print_background=True)
            finally:
                browser.close()
        tmp.replace(pdf_path)
    except PlaywrightError as exc:
        tmp.unlink(missing_ok=True)
        raise DetenteError(f"Chromium could not print {html_path} to PDF: "
                           f"{str(exc).splitlines()[0]}") from exc
    return pdf_path
