"""Check the built site as a reader sees it: headless Chromium, screenshots, rendered DOM.

    make docs-check                      # = mkdocs build --strict, then this script
    python docs/check_site.py --out DIR  # on an already built site/

Serves ``site/`` on a local port, opens pages with math (the derivations), with pictures
(the pictures page), the student's path and notebooks (math in markdown cells, figures in
outputs), and for each one

- saves a screenshot (DIR/NAME.png) and checks that it is not blank;
- loads the page in a same-origin frame of a probe page, waits until MathJax has finished
  typesetting, and reads back from the DOM how many formulas MathJax rendered, how many
  failed, how much TeX was left unrendered, and every picture's ``naturalWidth`` and the
  width it is shown at: a notebook's figure must be at least 600 pixels wide and shown at no
  less than 80 % of that, or its labels are too small to read at the page's width.

Then it opens the same pages as a reader does who opens ``site/index.html`` from disk
(``file://``, no server): a screenshot each, and the page's DOM after its scripts ran, which
must hold the rendered formulas.

It needs Chromium (``apt-get install chromium``), so CI does not run it. It uses no network:
MathJax is served from the site itself. Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
from matplotlib.image import imread

ROOT = Path(__file__).resolve().parent.parent
# (name, path in the site, least rendered formulas, least pictures)
PAGES = (
    ("math", "derivations.html", 100, 0),
    ("pictures", "pictures.html", 0, 5),
    ("students", "students.html", 10, 0),
    ("notebook01", "notebooks/01_stable_cross_entropy.html", 10, 1),
    ("notebook03", "notebooks/03_unrolled_graph.html", 5, 4),
    ("notebook06", "notebooks/06_truncated_bptt.html", 10, 1),
    ("notebook08", "notebooks/08_training_a_memory.html", 10, 1),
    ("notebook11", "notebooks/11_character_language_model.html", 10, 1),
)
LEAST_FIGURE_WIDTH = 600  # pixels, a notebook's figure
LEAST_SHOWN_FRACTION = 0.8  # of its width, at the page's width
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,1400",
    "--virtual-time-budget=20000",  # let MathJax finish before the shot and the DOM dump
)
# Loaded in a frame of the probe page, the target reports what it rendered into #report.
PROBE = """<!doctype html><meta charset="utf-8"><title>probe</title>
<iframe id="page" src="@SRC@" width="1280" height="1400"></iframe><pre id="report">pending</pre>
<script>
const frame = document.getElementById("page");
// TeX commands that only survive in the text when MathJax did not typeset them.
const TEX = /\\\\(frac|sigma|partial|mathbb|sum)\\b/g;
const TEX_AROUND = /.{0,40}\\\\(frac|sigma|partial|mathbb|sum)\\b.{0,40}/g;
function report() {
  const d = frame.contentDocument;
  const images = [...d.querySelectorAll("article img, .md-content img")].map(i => ({
    src: i.getAttribute("src").slice(0, 60), complete: i.complete, width: i.naturalWidth,
    shown: Math.round(i.getBoundingClientRect().width)}));
  const text = d.querySelector(".md-content").innerText;
  document.getElementById("report").textContent = JSON.stringify({
    mathjax: !!frame.contentWindow.MathJax && !!frame.contentWindow.MathJax.Hub,
    rendered: d.querySelectorAll(".MathJax, .MathJax_Display, .MathJax_CHTML").length,
    errors: d.querySelectorAll(".MathJax_Error, merror").length,
    error_texts: [...d.querySelectorAll(".MathJax_Error, merror")].slice(0, 5).map(
      e => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 120)),
    unrendered_tex: (text.match(TEX) || []).length,
    unrendered_at: [...text.matchAll(TEX_AROUND)].slice(0, 5).map(m => m[0]),
    images: images});
}
frame.addEventListener("load", () => {
  const w = frame.contentWindow;
  if (w.MathJax && w.MathJax.Hub) { w.MathJax.Hub.Queue(report); }
  else { setTimeout(report, 5000); }
});
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no Chromium found: apt-get update && apt-get install -y chromium")


def _serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the report says what matters
        pass


def _run_chromium(chromium: str, profile: Path, *args: str) -> str:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def _screenshot_stats(path: Path) -> dict:
    pixels = imread(path)[..., :3]  # (H, W, 3) floats in [0, 1]
    grey = pixels.mean(axis=2)
    return {
        "size": list(grey.shape),
        "std": round(float(grey.std()), 4),
        "dark_fraction": round(float(np.mean(grey < 0.5)), 4),
    }


def check_page(chromium, base, site, out, name, path, least_math, least_images) -> list[str]:
    """Screenshot and probe one page; returns the failures (empty when it passes)."""
    with tempfile.TemporaryDirectory() as profile:
        shot = out / f"{name}.png"
        _run_chromium(chromium, Path(profile), f"--screenshot={shot}", base + path)
    probe = site / f"_probe_{name}.html"
    probe.write_text(PROBE.replace("@SRC@", "/" + path), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as profile:
            dom = _run_chromium(chromium, Path(profile), "--dump-dom", f"{base}_probe_{name}.html")
    finally:
        probe.unlink()
    (out / f"{name}.dom.html").write_text(dom, encoding="utf-8")
    match = re.search(r'<pre id="report">(.*?)</pre>', dom, re.S)
    report = json.loads(match.group(1)) if match and match.group(1) != "pending" else None
    stats = _screenshot_stats(shot)
    print(f"{name}: {base + path}\n  screenshot {shot}: {stats}\n  DOM: {report}")
    failures = []
    if stats["std"] < 0.02 or stats["dark_fraction"] < 0.002:
        failures.append(f"{name}: the screenshot looks blank ({stats})")
    if report is None:
        return [*failures, f"{name}: the probe page reported nothing"]
    if least_math and not report["mathjax"]:
        failures.append(f"{name}: MathJax did not load")
    if report["rendered"] < least_math:
        failures.append(f"{name}: {report['rendered']} formulas rendered, expected ≥ {least_math}")
    if report["errors"] or report["unrendered_tex"]:
        failures.append(f"{name}: {report['errors']} MathJax errors, raw TeX left: {report}")
    broken = [image for image in report["images"] if not image["width"]]
    if len(report["images"]) < least_images or broken:
        failures.append(f"{name}: pictures {report['images']}, expected ≥ {least_images} drawn")
    if path.startswith("notebooks/"):
        small = [
            image
            for image in report["images"]
            if image["width"] < LEAST_FIGURE_WIDTH
            or image["shown"] < LEAST_SHOWN_FRACTION * image["width"]
        ]
        if small:
            failures.append(f"{name}: figures too small to read at the page's width: {small}")
    return failures


def check_from_disk(chromium, site, out, name, path, least_math) -> list[str]:
    """Open the page from disk (file://) as a reader without a server does: a screenshot,
    and the DOM after the page's scripts ran, which must hold its rendered formulas."""
    url = (site / path).resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile:
        shot = out / f"{name}.disk.png"
        _run_chromium(chromium, Path(profile), f"--screenshot={shot}", url)
    with tempfile.TemporaryDirectory() as profile:
        dom = _run_chromium(chromium, Path(profile), "--dump-dom", url)
    rendered = len(re.findall(r'class="(?:MathJax|MathJax_Display|MathJax_CHTML)"', dom))
    stats = _screenshot_stats(shot)
    print(f"{name} from disk: {url}\n  screenshot {shot}: {stats}; {rendered} formulas rendered")
    failures = []
    if stats["std"] < 0.02 or stats["dark_fraction"] < 0.002:
        failures.append(f"{name} from disk: the screenshot looks blank ({stats})")
    if rendered < least_math:
        failures.append(f"{name} from disk: {rendered} formulas rendered, expected ≥ {least_math}")
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site")
    parser.add_argument("--out", type=Path, default=ROOT / "site-check", help="screenshots")
    parser.add_argument("--build", action="store_true", help="run mkdocs build --strict first")
    args = parser.parse_args(argv)
    if args.build:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict"]
        subprocess.run([*mkdocs, "--site-dir", str(args.site)], cwd=ROOT, check=True, env=env)
    if not (args.site / "index.html").exists():
        raise SystemExit(f"no built site in {args.site}: run `make docs` first")
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = _chromium()
    server, port = _serve(args.site)
    try:
        failures = []
        for name, path, least_math, least_images in PAGES:
            failures += check_page(
                chromium, f"http://127.0.0.1:{port}/", args.site, args.out, name, path,
                least_math, least_images,
            )  # fmt: skip
    finally:
        server.shutdown()
    for name, path, least_math, _ in PAGES:
        failures += check_from_disk(chromium, args.site, args.out, name, path, least_math)
    for failure in failures:
        print("FAIL", failure)
    print("site check:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
