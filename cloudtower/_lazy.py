# coding: utf-8
"""Packages whose names are imported on first use.

``cloudtower`` and ``cloudtower.models`` name about 2,000 classes; importing
all their modules up front is what makes an SDK slow to start. Instead each
name maps to the module that defines it, imported when the name is touched.
``dir()``, ``__all__`` and ``from ... import *`` still see every name.
"""
import importlib
import sys
import types


class LazyModule(types.ModuleType):
    """A module whose ``_lazy_tables`` say where a missing name lives.

    Each table maps a name to a module path relative to its prefix: with the
    table ``("cloudtower.models.", {"Vm": "vm"})``, reading ``Vm`` imports
    ``cloudtower.models.vm`` and returns its ``Vm``. A ``None`` attribute
    marker (``_lazy_submodules``) returns the module itself.
    """

    def __getattr__(self, name):
        state = self.__dict__
        if name in state.get("_lazy_submodules", ()):
            value = importlib.import_module(state["__name__"] + "." + name)
        else:
            for prefix, table in state.get("_lazy_tables", ()):
                module = table.get(name)
                if module is not None:
                    value = getattr(importlib.import_module(prefix + module), name)
                    break
            else:
                raise AttributeError("module %r has no attribute %r" % (state["__name__"], name))
        setattr(self, name, value)
        return value

    def __dir__(self):
        names = set(self.__dict__) | set(self.__dict__.get("_lazy_submodules", ()))
        for _, table in self.__dict__.get("_lazy_tables", ()):
            names.update(table)
        return sorted(names)


def install(module_name, tables, submodules=()):
    """Make ``module_name`` resolve missing names through ``tables`` ((prefix, {name: module}), ...)."""
    module = sys.modules[module_name]
    module.__dict__["_lazy_tables"] = tuple(tables)
    module.__dict__["_lazy_submodules"] = frozenset(submodules)
    if sys.version_info[0] >= 3:
        module.__class__ = LazyModule
        return module
    # Python 2 cannot change a module's class: put a lazy twin in its place,
    # keeping the original alive (its globals are cleared when it is freed).
    twin = LazyModule(module_name)
    twin.__dict__.update(module.__dict__)
    twin.__dict__["_replaced_module"] = module
    sys.modules[module_name] = twin
    return twin
