"""Check every link of the built site: each page, picture, script and anchor it points to.

    python docs/check_links.py site      # make docs runs it after mkdocs build --strict

``mkdocs build --strict`` checks the links of the Markdown pages as it renders them; it does
not see those inside a rendered notebook, those the theme and the plugins write, nor whether
the site works opened from disk.  This script reads the built HTML instead: for every
``href`` and ``src`` of every page (rendered notebooks included) it checks that the file
exists in the site and, for a ``#fragment``, that the page holds that id.  A link to a folder
is an error too: opened from disk, the browser shows a directory listing there, and so is an
absolute path (/page.html), which from disk leaves the site; only 404.html has them, as it
must (a server shows it at any depth), and there they are resolved from the site's root.
Links to other sites (http:, https:, mailto:) are counted, not fetched (the build has no
network).

Exit status 0 when every link resolves, 1 otherwise (each broken link printed).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

# Attributes that load or link to something, by tag.
_LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src"}


class _Page(HTMLParser):
    """The ids a page defines and the links it makes (tag, URL, line)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("id", "name"):  # <a name="…"> is an anchor too
            if attributes.get(name) and (name == "id" or tag == "a"):
                self.ids.add(attributes[name])
        wanted = _LINKING.get(tag)
        if wanted and attributes.get(wanted) is not None:
            self.links.append((tag, attributes[wanted], self.getpos()[0]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def check_site(site: Path) -> tuple[list[str], Counter]:
    """Every broken link of the site as 'page:line: <tag> url: why', and the counts."""
    pages = {path: _parse(path) for path in sorted(site.rglob("*.html"))}
    broken, counts = [], Counter()
    for path, page in pages.items():
        for tag, url, line in page.links:
            why = _check(site, path, url, pages, counts)
            if why:
                broken.append(f"{path.relative_to(site)}:{line}: <{tag}> {url}: {why}")
    return broken, counts


def _check(site: Path, page: Path, url: str, pages: dict, counts: Counter) -> str | None:
    """Why the link is broken, or None when it resolves."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        counts["external" if parts.scheme in ("http", "https", "") else parts.scheme] += 1
        return None
    counts["internal"] += 1
    if not parts.path:  # "#fragment": this page
        target = page
    else:
        folder = page.relative_to(site).parent
        if parts.path.startswith("/"):
            if page != site / "404.html":
                return "an absolute path: it leaves the site when opened from disk"
            folder = PurePosixPath()
        relative = PurePosixPath(folder, unquote(parts.path).lstrip("/"))
        target = site.joinpath(*_normalise(relative))
        if not target.resolve().is_relative_to(site.resolve()):
            return "points outside the site"
        if parts.path.endswith("/") or target.is_dir():
            return "a folder: from disk the browser shows a directory listing, not a page"
        if not target.is_file():
            return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html":
        counts["anchors"] += 1
        ids = pages[target].ids if target in pages else _parse(target).ids
        if fragment not in ids:
            return f"no id {fragment!r} on {target.relative_to(site)}"
    return None


def _normalise(path: PurePosixPath) -> list[str]:
    """The path's parts with '.' and '..' applied (a '..' above the root is kept)."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        elif part != ".":
            parts.append(part)
    return parts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", default=Path("site"), help="built site")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"no built site in {args.site} (no index.html): run mkdocs build first")
        return 1
    broken, counts = check_site(args.site)
    for line in broken:
        print("BROKEN", line)
    n_pages = sum(1 for _ in args.site.rglob("*.html"))
    print(
        f"links: {n_pages} pages, {counts['internal']} links within the site "
        f"({counts['anchors']} to an anchor), {len(broken)} broken; "
        f"{counts['external']} to other sites, not fetched"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
