"""Printing an HTML page to PDF with headless Chromium (Debian's ``chromium``), as
``scripts/render-sheet`` does: the page's own ``@page`` rule sets the A4 size.

Chromium runs in a throwaway profile and folder, on a page file it alone reads; the PDF
comes back as bytes, so the caller writes it by the file rules (`ektp.adapters.files`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ektp.application.kernel.i18n import _
from ektp.adapters.files import write_file
from ektp.application.errors import DocumentPrinterUnavailable

BROWSERS = ("chromium", "chromium-browser")
# A cold Chromium start on a loaded 2-core machine takes a few seconds; a minute means stuck.
TIMEOUT_SECONDS = 120


def find_browser() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """The Chromium executable, or `DocumentPrinterUnavailable` when it is not installed
    (asked before any work whose only use is the PDF)."""
    browser = find_browser()
    if browser is None:
        raise DocumentPrinterUnavailable(
            reason=_("chromium is not installed (apt-get install chromium)"))
    return browser


def html_to_pdf(page: str, browser: str | None = None) -> bytes:
    """`page` (a whole HTML document) printed to PDF by headless Chromium; raises
    `DocumentPrinterUnavailable` when Chromium is missing or fails."""
    browser = browser or require_browser()
    with tempfile.TemporaryDirectory(prefix="ektp-pdf-") as folder:
        source = os.path.join(folder, "page.html")
        target = os.path.join(folder, "page.pdf")
        write_file(source, page.encode("utf-8"))
        # --disable-quic and the other --disable flags: no network at all from a page
        # that is a local file (a machine behind the office's firewall has none).
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", f"--user-data-dir={os.path.join(folder, 'profile')}",
                   "--no-pdf-header-footer", f"--print-to-pdf={target}", f"file://{source}"]
        try:
            subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=TIMEOUT_SECONDS, check=True)
            with open(target, "rb") as pdf:
                data = pdf.read()
        except (OSError, subprocess.SubprocessError) as error:
            raise DocumentPrinterUnavailable(
                reason=_("chromium could not print the page ({error})").format(
                    error=type(error).__name__)) from error
    if not data.startswith(b"%PDF"):
        raise DocumentPrinterUnavailable(reason=_("chromium printed no PDF"))
    return data
