# coding: utf-8
"""Hypothesis settings shared by the property tests.

By default every run draws the same cases (``derandomize``): the test suite
is the landing gate, and a gate should fail only for what a change broke.
``CLOUDTOWER_TEST_EXPLORE=1`` draws new cases on every run instead; a case it
finds belongs in a plain test of its own, so the gate keeps it.
"""
import os

from hypothesis import HealthCheck

EXPLORE = os.environ.get("CLOUDTOWER_TEST_EXPLORE", "") not in ("", "0")

# each case makes real HTTP calls (too slow for hypothesis' liking); the fixtures the
# cases share are module-scoped, and each case clears what it leaves in them
_QUIET = [HealthCheck.too_slow] + (
    [HealthCheck.function_scoped_fixture] if hasattr(HealthCheck, "function_scoped_fixture") else [])

SETTINGS = dict(deadline=None, suppress_health_check=_QUIET, derandomize=not EXPLORE,
                database=None, print_blob=True)
