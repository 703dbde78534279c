"""A griffe extension: the names that ``frnn`` exposes lazily (through its module
``__getattr__``, so that ``import frnn`` does not import scikit-learn or matplotlib) are
invisible to static analysis.  This adds each missing name in ``frnn.__all__`` as an alias
of wherever it is defined at run time, so the API pages can say ``frnn.RNNClassifier``
without naming a private module.

It also follows the old flat import paths (``frnn.datasets``, ``frnn.graph``, ...): each is a
small module that replaces itself in ``sys.modules`` by the module that moved into a
sub-package, so ``frnn.datasets.load_dataset`` documents ``frnn.data.datasets.load_dataset``.
"""

from __future__ import annotations

import importlib

from griffe import Alias, Extension


class LazyPublicNames(Extension):
    def on_package(self, *, pkg, loader, **kwargs) -> None:
        if pkg.path != "frnn":
            return
        module = importlib.import_module("frnn")
        for name, member in list(pkg.members.items()):
            if name.startswith("_") or member.is_alias or not member.is_module:
                continue
            moved = importlib.import_module(f"frnn.{name}").__name__
            if moved != f"frnn.{name}":
                pkg.set_member(name, Alias(name, moved, parent=pkg))
        for name in module.__all__:
            if name in pkg.members:
                continue
            where = getattr(module, "_NAMES", {}).get(name)  # the module defining it
            if where is not None:  # works for constants too (a dict has no __module__)
                target = f"frnn{where}.{name}"
            else:
                obj = getattr(module, name)
                target = f"{obj.__module__}.{obj.__qualname__}"
            pkg.set_member(name, Alias(name, target, parent=pkg))
