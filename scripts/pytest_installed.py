# coding: utf-8
"""pytest plugin (``-p pytest_installed``): run the suite against the installed SDK.

``tests/`` is a package, so while loading ``tests/conftest.py`` and the test
modules pytest puts the repository root at the front of ``sys.path``, and
``import cloudtower`` would then pick the checkout's copy: a file missing from
the wheel would go unnoticed. ``-p`` plugins are imported before any conftest,
so this module imports the installed ``cloudtower`` first (its submodules then
resolve through that copy's ``__path__``) and stops the run if what it got is
the checkout's copy.
"""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKOUT_PACKAGE = os.path.realpath(os.path.join(ROOT, "cloudtower"))


def _same(a, b):
    return os.path.realpath(a or ".") == os.path.realpath(b)


# the root may be on sys.path already (`python -m pytest`, PYTHONPATH=.)
sys.path[:] = [p for p in sys.path if not _same(p, ROOT)]
import cloudtower  # noqa: E402

INSTALLED_AT = os.path.realpath(os.path.dirname(os.path.abspath(cloudtower.__file__)))


def pytest_configure(config):
    current = sys.modules.get("cloudtower")
    where = os.path.realpath(os.path.dirname(os.path.abspath(getattr(current, "__file__", ""))))
    if INSTALLED_AT == CHECKOUT_PACKAGE or where != INSTALLED_AT:
        raise pytest.UsageError(
            "cloudtower was imported from the checkout (%s), not from an installed copy: "
            "install the package (pip install .) before running with -p pytest_installed" % where)
    os.environ["CLOUDTOWER_INSTALLED_AT"] = INSTALLED_AT
