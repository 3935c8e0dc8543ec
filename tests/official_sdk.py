# coding: utf-8
"""The official cloudtower-sdk in a virtualenv of its own, for the side-by-side tests.

``.tox/official-<release>`` (git-ignored) holds one release from PyPI; it is
reused while it still has that release. Our package is never installed there,
and nothing of the official one is imported into the test process: the tests
run their own driver scripts with that environment's Python.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def official_python(release):
    """The Python of ``.tox/official-<release>``, with cloudtower-sdk==release in it."""
    venv = os.path.join(ROOT, ".tox", "official-" + release)
    python = os.path.join(venv, "bin", "python")
    if installed_version(python) == release:
        return python
    if os.path.exists(venv):
        shutil.rmtree(venv)
    steps = [[sys.executable, "-m", "venv", venv],
             [python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
              "cloudtower-sdk==%s" % release]]
    for step in steps:
        done = subprocess.run(step, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=900)
        if done.returncode != 0:
            pytest.fail("cannot install the official cloudtower-sdk %s into %s (this test needs "
                        "PyPI): `%s` exited %d:\n%s" % (release, venv, " ".join(step),
                                                        done.returncode, done.stdout[-3000:]),
                        pytrace=False)
    version = installed_version(python)
    if version != release:
        pytest.fail("%s has cloudtower-sdk %r after installing %s" % (venv, version, release),
                    pytrace=False)
    return python


def installed_version(python):
    """The cloudtower-sdk version in the environment of ``python``, or None."""
    if not os.path.exists(python):
        return None
    done = subprocess.run([python, "-m", "pip", "show", "--disable-pip-version-check",
                           "cloudtower-sdk"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          universal_newlines=True)
    found = re.search(r"^Version: (\S+)", done.stdout, re.M)
    return found.group(1) if done.returncode == 0 and found else None
