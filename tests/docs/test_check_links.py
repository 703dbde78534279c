"""docs/check_links.py, the link check of the built site (make docs), on small sites made
here: each kind of broken link it must report, and the links it must accept."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_links", ROOT / "docs" / "check_links.py")
check_links = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_links)


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    site = tmp_path / "site"
    for name, body in pages.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return site


GOOD = {
    "index.html": '<a href="notebooks/one.html#part-2">one</a> <img src="pic.png">'
    '<a href="https://example.org/x">away</a> <a href="#top" id="top">top</a>'
    '<script src="assets/a.js?v=1"></script>',
    "notebooks/one.html": '<h2 id="part-2">Part 2</h2><a href="../index.html">home</a>'
    '<a href="../contract.html#names">contract</a>',
    "contract.html": '<a name="names"></a><a href="mailto:someone@example.org">mail</a>',
    "404.html": '<a href="/index.html">home</a> <link href="/assets/a.js">',
    "pic.png": "",
    "assets/a.js": "",
}


def test_a_site_whose_links_all_resolve_passes(tmp_path, capsys):
    site = _site(tmp_path, GOOD)
    broken, counts = check_links.check_site(site)
    assert broken == []
    assert counts["internal"] == 8 and counts["anchors"] == 3
    assert counts["external"] == 1 and counts["mailto"] == 1
    assert check_links.main([str(site)]) == 0
    assert "0 broken" in capsys.readouterr().out


@pytest.mark.parametrize(
    "link, why",
    [
        ('<a href="../contract.md">c</a>', "no such file"),  # a source link left unrewritten
        ('<a href="../contract.html#nowhere">c</a>', "no id 'nowhere'"),
        ('<a href="#part-3">3</a>', "no id 'part-3'"),
        ('<img src="../missing.png">', "no such file"),
        ('<a href="../notebooks/">n</a>', "a folder"),  # a directory URL: a listing from disk
        ('<a href="/contract.html">c</a>', "an absolute path"),
        ('<a href="../../outside.html">o</a>', "outside the site"),
    ],
)
def test_each_kind_of_broken_link_is_reported(tmp_path, capsys, link, why):
    pages = dict(GOOD)
    pages["notebooks/one.html"] += link
    site = _site(tmp_path, pages)
    broken, _ = check_links.check_site(site)
    assert len(broken) == 1 and why in broken[0] and broken[0].startswith("notebooks/one.html:1:")
    assert check_links.main([str(site)]) == 1
    assert "BROKEN notebooks/one.html" in capsys.readouterr().out


def test_no_built_site_is_an_error(tmp_path, capsys):
    assert check_links.main([str(tmp_path / "nothing")]) == 1
    assert "no built site" in capsys.readouterr().out
