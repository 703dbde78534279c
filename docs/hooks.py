"""Build hooks for the documentation site (mkdocs.yml: ``hooks: [docs/hooks.py]``).

- The command line page gets the help of every ``frnn`` command, as the installed version
  prints it, in place of the marker ``<!-- frnn-help -->``: the page cannot fall behind.
- MathJax 2.7 is copied into the site from the ``jupyter-server-mathjax`` package, so that
  math renders with no network (a reader offline, the screenshot check, CI).
- A notebook links to pages as files (``../contract.md``, ``05_vanishing_exploding.ipynb``),
  which is what works on GitHub and in Jupyter; mkdocs rewrites such links in Markdown pages
  but not in a rendered notebook, so this hook does it there, and stops the build on a link
  to a file the site does not have.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

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


# href="…" of a link to another page's source: relative, ending in .md or .ipynb, maybe #anchor
_SOURCE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#?]+\.(?:md|ipynb))(#[^"]*)?"')
_files = None  # the site's files, kept by on_files for on_post_page


def on_files(files, config):
    global _files
    _files = files
    return files


def on_post_page(output: str, page, config) -> str:
    """In a rendered notebook, a link to a page's source becomes a link to the page."""
    if not page.file.src_uri.endswith(".ipynb"):
        return output

    def to_page(match: re.Match) -> str:
        folder = posixpath.dirname(page.file.src_uri)
        target = posixpath.normpath(posixpath.join(folder, unquote(match.group(1))))
        file = _files.get_file_from_path(target) if _files is not None else None
        if file is None or not file.is_documentation_page():
            raise PluginError(f"{page.file.src_uri} links to {match.group(1)}: no such page")
        return f'href="{get_relative_url(file.url, page.url)}{match.group(2) or ""}"'

    return _SOURCE_LINK.sub(to_page, output)


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
