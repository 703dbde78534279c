"""The public names' numpydoc: where a docstring has a Parameters section, it names exactly
the parameters of the signature (the API pages render it beside that signature)."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

PACKAGES = ("frnn", "frnn.reservoir", "frnn.training", "frnn.data", "frnn.viz", "frnn.io")
_SECTION = re.compile(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", re.M | re.S)
_ENTRY = re.compile(r"^([*\w][\w, *]*?)\s*(?::|$)", re.M)  # "name : type", "a, b : type"


def _public():
    seen = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if (
                callable(value)
                and not inspect.isclass(value)
                or (inspect.isclass(value) and not issubclass(value, BaseException))
            ):
                seen.setdefault(id(value), (f"{package}.{name}", value))
    return sorted(seen.values(), key=lambda pair: pair[0])


def documented(doc: str) -> list[str] | None:
    """The names a numpydoc Parameters section lists, in order; None without one."""
    section = _SECTION.search(doc)
    if section is None:
        return None
    text = re.sub(r",\n", ", ", section.group(1))  # a list of names may go on a second line
    lines = [line for line in text.splitlines() if line and not line[0].isspace()]
    names = []
    for line in lines:
        match = _ENTRY.match(line)
        names += [n.strip().lstrip("*") for n in match.group(1).split(",")] if match else []
    return names


def test_the_parser_reads_single_and_grouped_entries():
    doc = "Sum.\n\nParameters\n----------\nD, I,\nK : int\n    Sizes.\n**options\n    More.\n"
    assert documented(doc + "\nReturns\n-------\nx : int\n") == ["D", "I", "K", "options"]
    assert documented("No section.") is None


@pytest.mark.parametrize(("name", "value"), _public(), ids=[name for name, _ in _public()])
def test_a_parameters_section_names_the_signatures_parameters(name, value):
    names = documented(inspect.getdoc(value) or "")
    if names is None:
        pytest.skip("no Parameters section")
    signature = inspect.signature(value)
    wanted = list(signature.parameters)  # *args and **options documented as such
    assert sorted(set(names)) == sorted(wanted), f"{name}: documents {names}, takes {wanted}"
