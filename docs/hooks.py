"""Build hooks for the documentation site (mkdocs.yml: ``hooks: [docs/hooks.py]``).

- The command line page gets the help of every ``frnn`` command, as the installed version
  prints it, in place of the marker ``<!-- frnn-help -->``: the page cannot fall behind.
- MathJax 2.7 is copied into the site from the ``jupyter-server-mathjax`` package, so that
  math renders with no network (a reader offline, the screenshot check, CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

_MARKER = "<!-- frnn-help -->"
_COMMANDS = ((), ("train",), ("evaluate",), ("predict",), ("graph",), ("plot",), ("demo",))
# MathJax's own files that the site uses; localisations other than English are left out.
_MATHJAX_SKIP = ("localization",)


def _help(command: tuple[str, ...]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "frnn", *command, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "78", "PYTHONIOENCODING": "utf-8"},
    )
    title = " ".join(("frnn", *command))
    return f"### `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n"


def on_page_markdown(markdown: str, page, config, files) -> str:
    if _MARKER not in markdown:
        return markdown
    return markdown.replace(_MARKER, "\n".join(_help(c) for c in _COMMANDS))


def on_post_build(config) -> None:
    try:
        import jupyter_server_mathjax
    except ImportError as error:  # a site without math would pass unnoticed: stop here
        raise SystemExit(
            "the docs need jupyter-server-mathjax (pip install -e '.[docs]')"
        ) from error
    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = Path(config["site_dir"]) / "assets" / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*_MATHJAX_SKIP))
