"""Headless Debian Chromium for the report tests, and for the README screenshot:

    python -m tests.e2e.browser <report.html> docs/report-screenshot.png [height]

renders the page with its scripts (virtual time lets vega-embed finish) and saves a
picture of the top of the page (`height` pixels, default 2200)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=30000",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(html: Path, *extra: str, timeout: float = 180) -> subprocess.CompletedProcess:
    url = html.resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="lodestar-chromium-") as profile:
        return subprocess.run(
            [chromium() or "chromium", *FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def dump_dom(html: Path) -> str:
    """The DOM after the page's scripts ran."""
    return _run(html, "--dump-dom").stdout


def screenshot(html: Path, png: Path, width: int = 1440, height: int = 2200) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(html, f"--screenshot={png.resolve()}", f"--window-size={width},{height}")
    return png


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    height = int(sys.argv[3]) if len(sys.argv) > 3 else 2200
    print(screenshot(source, target, height=height), os.path.getsize(target), "bytes")
