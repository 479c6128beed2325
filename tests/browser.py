"""A real browser for the report's pages: Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``),
headless, on a ``file://`` page, with the flags this machine's closed network needs.

:func:`render` loads a copy of the page with one probe script appended (the page itself has no script), which,
once the page has loaded, writes into the DOM what the browser made of every ``<img>``: whether it finished
loading, and its decoded width and height (0 x 0 for an image the browser could not decode). The DOM is read back
with ``--dump-dom``; a screenshot of the same page is taken too. Both are the browser's own verdicts, not ours.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

#: Chromium's flags: headless, no sandbox (CI runs as root), and nothing that reaches for the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

_PROBE = """<script>
window.addEventListener("load", function () {
  var out = [];
  for (var i = 0; i < document.images.length; i++) {
    var im = document.images[i];
    out.push((im.complete ? "1" : "0") + ":" + im.naturalWidth + "x" + im.naturalHeight);
  }
  var p = document.createElement("pre");
  p.id = "rlvr-probe";
  p.textContent = "images=" + out.join(",") + ";title=" + document.title;
  document.body.appendChild(p);
});
</script>"""

#: Skips where Chromium is not installed, except in CI (``CI=true``), where ``.ci/run`` installs it: there a
#: missing browser fails the test instead of hiding it.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="Debian's chromium (/usr/bin/chromium) is not installed (.ci/run installs it): the headless render "
    "check runs where it is",
)


@dataclass(frozen=True)
class Rendered:
    """What Chromium made of a page: each image's (loaded, width, height), the title, and a PNG screenshot."""

    images: list[tuple[bool, int, int]]
    title: str
    screenshot: bytes


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def render(page: Path, workdir: Path, window: str = "1280,2400") -> Rendered:
    """Load ``page`` in headless Chromium (see the module docstring); ``workdir`` holds the probe copy, the
    browser profiles and the screenshot."""
    text = page.read_text(encoding="utf-8")
    assert "</body>" in text, f"{page}: no </body>"
    probe = workdir / f"probe-{page.name}"
    probe.write_text(text.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
    dom = _chromium(["--virtual-time-budget=10000", "--dump-dom", probe.as_uri()], workdir / "profile-dom")
    found = re.search(r'<pre id="rlvr-probe">images=([^;<]*);title=([^<]*)</pre>', dom.stdout)
    assert found, f"the probe did not run: {dom.stderr[-2000:]}"
    images = []
    for item in filter(None, found.group(1).split(",")):
        loaded, size = item.split(":")
        width, height = size.split("x")
        images.append((loaded == "1", int(width), int(height)))
    shot = workdir / f"shot-{page.stem}.png"
    proc = _chromium([f"--screenshot={shot}", f"--window-size={window}", page.as_uri()], workdir / "profile-shot")
    assert shot.exists(), proc.stderr[-2000:]
    return Rendered(images, found.group(2), shot.read_bytes())


def assert_renders(page: Path, workdir: Path, min_images: int) -> Rendered:
    """``page`` renders in Chromium: every one of its (at least ``min_images``) images loaded and decoded to a
    picture of some size, and the screenshot is dark text and figures on a light page, not one flat colour."""
    import io

    import numpy as np
    from PIL import Image

    seen = render(page, workdir)
    assert len(seen.images) >= min_images, seen.images
    undecoded = [k for k, (loaded, w, h) in enumerate(seen.images) if not (loaded and w > 50 and h > 50)]
    assert not undecoded, f"images the browser could not show: {undecoded} of {seen.images}"
    assert seen.screenshot.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(seen.screenshot)) as image:
        gray = np.asarray(image.convert("L"))
    assert gray.shape[0] >= 1000 and gray.shape[1] >= 1000
    assert gray.min() < 100 < 200 < gray.max()  # dark text on a light page
    assert (gray < 200).mean() > 0.01  # and a good deal of it (text, tables, figures)
    return seen
