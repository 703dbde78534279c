"""A griffe extension: the names that ``frnn`` exposes lazily (through its module
``__getattr__``, so that ``import frnn`` does not import scikit-learn or matplotlib) are
invisible to static analysis.  This adds each missing name in ``frnn.__all__`` as an alias
of wherever it is defined at run time, so the API pages can say ``frnn.RNNClassifier``
without naming a private module.
"""

from __future__ import annotations

import importlib

from griffe import Alias, Extension


class LazyPublicNames(Extension):
    def on_package(self, *, pkg, loader, **kwargs) -> None:
        if pkg.path != "frnn":
            return
        module = importlib.import_module("frnn")
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
