# coding: utf-8
"""pytest plugin (``-p pytest_installed``): run the suite against the installed SDK.

``tests/`` is a package, so while collecting pytest puts the repository root
at the front of ``sys.path`` and ``import cloudtower`` would pick the
checkout's copy: a file missing from the wheel would go unnoticed. Loaded
before collection, this plugin imports the installed ``cloudtower`` first (its
submodules then resolve through that copy's ``__path__``) and stops the run if
what it got is the checkout's copy.
"""
import os
import sys

import pytest


def _same(a, b):
    return os.path.realpath(a or ".") == os.path.realpath(b)


def pytest_configure(config):
    root = str(config.rootdir)
    checkout_pkg = os.path.realpath(os.path.join(root, "cloudtower"))
    # the root may be on sys.path already (`python -m pytest`, PYTHONPATH=.)
    sys.path[:] = [p for p in sys.path if not _same(p, root)]
    import cloudtower
    here = os.path.realpath(os.path.dirname(os.path.abspath(cloudtower.__file__)))
    if here == checkout_pkg:
        raise pytest.UsageError(
            "cloudtower was imported from the checkout (%s), not from an installed copy: "
            "install the package (pip install .) before running with -p pytest_installed" % here)
    os.environ["CLOUDTOWER_INSTALLED_AT"] = here
