"""The public names' numpydoc: every exported function, class and public method that takes
parameters has a Parameters section, and it names exactly the parameters of the signature
(the API pages render it beside that signature)."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

PACKAGES = (
    "frnn",
    "frnn.reservoir",
    "frnn.training",
    "frnn.data",
    "frnn.viz",
    "frnn.io",
    "frnn.datasets",
    "frnn.graph",
    "frnn.plots",
    "frnn.parallel",
    "frnn.engine",
    "frnn.engine.schemes",  # the modules the API pages render beside the packages
    "frnn.data.synthetic",
    "frnn.training.stream",
)
# Names that may take parameters without a Parameters section, each with its reason.
UNDOCUMENTED: dict[str, str] = {}
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


def _methods():
    """The public methods (plain, class and static) that frnn's own classes define on the
    exported classes, as the class gives them (a classmethod bound, so without cls)."""
    seen = {}
    for name, cls in _public():
        if not inspect.isclass(cls):
            continue
        for owner in cls.__mro__:
            if not owner.__module__.startswith("frnn"):
                continue
            for attribute in vars(owner):
                method = getattr(cls, attribute)
                if attribute.startswith("_") or not callable(method) or inspect.isclass(method):
                    continue
                seen.setdefault(f"{name}.{attribute}", method)
    return sorted(seen.items())


def _parameters(value) -> list[str]:
    """The signature's parameters, without a method's self."""
    names = list(inspect.signature(value).parameters)
    return names[1:] if names[:1] == ["self"] else names


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


NAMES = _public() + _methods()


@pytest.mark.parametrize(("name", "value"), NAMES, ids=[name for name, _ in NAMES])
def test_a_parameters_section_names_the_signatures_parameters(name, value):
    wanted = _parameters(value)  # *args and **options documented as such
    names = documented(inspect.getdoc(value) or "")
    if not wanted or name in UNDOCUMENTED:
        assert names is None or sorted(set(names)) == sorted(wanted), name
        return
    assert names is not None, f"{name} takes {wanted} but its docstring has no Parameters"
    assert sorted(set(names)) == sorted(wanted), f"{name}: documents {names}, takes {wanted}"


def test_the_allow_list_names_only_public_names_that_lack_a_section():
    found = dict(NAMES)
    for name in UNDOCUMENTED:
        assert name in found, f"{name} is not a public name"
        assert documented(inspect.getdoc(found[name]) or "") is None, f"{name} has one now"


def test_methods_are_found_on_the_estimators_and_the_optimisers():
    names = {name for name, _ in _methods()}
    wanted = {"frnn.RNNClassifier.fit", "frnn.RNNRegressor.partial_fit", "frnn.training.Adam.step"}
    assert wanted <= names, wanted - names
    assert "frnn.RNNClassifier.get_params" not in names  # scikit-learn's own, not frnn's
