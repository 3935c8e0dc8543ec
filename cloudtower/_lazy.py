# coding: utf-8
"""Packages whose names are imported on first use.

``cloudtower`` and ``cloudtower.models`` name about 2,000 classes; importing
or building all of them up front is what makes an SDK slow to start. Instead
a package lists where each name comes from, and the name is resolved the
first time it is read. ``dir()``, ``__all__`` and ``from ... import *`` still
see every name.
"""
import importlib
import sys
import types


def _warn_if_removed(removed, name):
    """Names the newest CloudTower no longer has still resolve, with one warning each."""
    if removed and name in removed:
        from cloudtower.versions import warn_removed
        warn_removed(name, "%s was removed in CloudTower %s; it still works with older "
                           "CloudTowers" % (name, removed[name]), stacklevel=4)


class FromModules(object):
    """Names defined in submodules: ``{"VmApi": "vm_api"}`` under ``prefix``.

    ``removed`` maps names the newest CloudTower no longer has to the version
    that removed them.
    """

    def __init__(self, prefix, table, removed=None):
        self.prefix = prefix
        self.table = table
        self.removed = removed

    def names(self):
        return self.table.keys()

    def resolve(self, name):
        module = self.table.get(name)
        if module is None:
            raise KeyError(name)
        _warn_if_removed(self.removed, name)
        return getattr(importlib.import_module(self.prefix + module), name)


class Built(object):
    """Names whose values ``build(name)`` makes (``removed`` as for ``FromModules``)."""

    def __init__(self, build, names, removed=None):
        self.build = build
        self.table = names
        self.removed = removed

    def names(self):
        return self.table

    def resolve(self, name):
        if name not in self.table:
            raise KeyError(name)
        _warn_if_removed(self.removed, name)
        return self.build(name)


def from_module(module, names):
    """Names read from one module (``cloudtower.models`` for every model)."""
    return Built(lambda name: getattr(importlib.import_module(module), name), names)


class LazyModule(types.ModuleType):
    """A module that resolves a missing attribute through its ``_lazy_sources``."""

    def __getattr__(self, name):
        state = self.__dict__
        if name in state.get("_lazy_submodules", ()):
            value = importlib.import_module(state["__name__"] + "." + name)
        else:
            for source in state.get("_lazy_sources", ()):
                try:
                    value = source.resolve(name)
                    break
                except KeyError:
                    continue
            else:
                raise AttributeError(_missing(state, name))
        setattr(self, name, value)
        return value

    def __dir__(self):
        names = set(self.__dict__) | set(self.__dict__.get("_lazy_submodules", ()))
        for source in self.__dict__.get("_lazy_sources", ()):
            names.update(source.names())
        return sorted(names)


def _missing(state, name):
    message = "module %r has no attribute %r" % (state["__name__"], name)
    base = name[:-len("Dict")]
    if name.endswith("Dict") and any(base in source.names() for source in state.get("_lazy_sources", ())):
        # the stubs' TypedDicts of request bodies (VmWhereInputDict) exist for
        # type checkers only
        message += ("; names ending in Dict are the stubs' TypedDicts of request bodies, for "
                    "type checkers only: import %s under `if typing.TYPE_CHECKING:` and quote "
                    "it in annotations; at run time a plain dict is the body" % name)
    return message


def install(module_name, sources, submodules=()):
    """Resolve the missing names of ``module_name`` through ``sources``."""
    module = sys.modules[module_name]
    module.__dict__["_lazy_sources"] = tuple(sources)
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
