# coding: utf-8
"""Every public name of every official release (cloudtower-sdk 1.9.0 to 2.23.0) resolves here.

The fixture tests/data/official-surfaces.json.gz lists, once each, the names
of all 31 releases with the releases that have them (scripts/build-surface-fixture.py
makes it from each release's surface listing): API classes with their modules,
methods with their positional parameters, models and enums with their modules,
model attributes with their JSON keys, enum constants with their values, and
the package's top-level names. Each release is checked as a user upgrading
from it would: every name it had must work here. Deliberate exceptions are
listed below with their reasons.
"""
import gzip
import importlib
import inspect
import json
import os
import warnings

import pytest

import cloudtower
from cloudtower.api.operations import OPERATIONS
from cloudtower.model import is_enum

HERE = os.path.dirname(os.path.abspath(__file__))

with gzip.open(os.path.join(HERE, "data", "official-surfaces.json.gz"), "rb") as _handle:
    SURFACE = json.loads(_handle.read().decode("utf-8"))
RELEASES = SURFACE["releases"]

# Releases whose methods listed the optional content_language header before
# the body; every other release has the body first, as we do. content_language
# is still accepted, by keyword, and the parameters after it keep their order.
HEADER_FIRST_RELEASES = {
    "2.15.0": "content_language came first in some methods' signatures",
    "2.15.1": "content_language came first in some methods' signatures",
}
# Top-level names that are an artefact of how a release was built, not API.
TOP_LEVEL_EXCEPTIONS = {
    "absolute_import": "the `from __future__ import absolute_import` of the official __init__.py",
}


def releases_of(spans):
    """"0-2,5" -> the release names at those indexes."""
    found = []
    for part in spans.split(","):
        first, _, last = part.partition("-")
        found.extend(RELEASES[int(first):int(last or first) + 1])
    return found


def in_release(spans, release):
    return release in releases_of(spans)


def _args(function):
    getargs = getattr(inspect, "getfullargspec", None) or inspect.getargspec
    return getargs(function).args[1:]


def check_release(release):
    """The names of ``release`` that do not resolve here, as readable lines."""
    bad = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # removed names warn once
        for name, api in SURFACE["apis"].items():
            if not in_release(api["in"], release):
                continue
            try:
                cls = getattr(importlib.import_module(api["module"]), name)
            except (ImportError, AttributeError):
                bad.append("API class %s (%s)" % (name, api["module"]))
                continue
            if getattr(cloudtower, name, None) is not cls:
                bad.append("cloudtower.%s" % name)
            for method, variants in api["methods"].items():
                for params, spans in variants:
                    if in_release(spans, release):
                        bad.extend(_method_problems(release, name, cls, method, params))
        for name, model in SURFACE["models"].items():
            if not in_release(model["in"], release):
                continue
            try:
                cls = getattr(importlib.import_module(model["module"]), name)
            except (ImportError, AttributeError):
                bad.append("model %s (%s)" % (name, model["module"]))
                continue
            if getattr(cloudtower, name, None) is not cls or getattr(cloudtower.models, name) is not cls:
                bad.append("cloudtower.%s / cloudtower.models.%s" % (name, name))
            for attr, keys in model["fields"].items():
                for key, spans in keys:
                    if in_release(spans, release) and cls.attribute_map.get(attr) != key:
                        bad.append("%s.%s -> %r (here %r)" % (name, attr, key, cls.attribute_map.get(attr)))
            if model["enum"] and not is_enum(cls):
                bad.append("%s is not an enum" % name)
            for const, values in model["enum"].items():
                for value, spans in values:
                    if in_release(spans, release) and getattr(cls, const, None) != value:
                        bad.append("%s.%s == %r" % (name, const, value))
        names = set(dir(cloudtower))
        for name, spans in SURFACE["top_level"].items():
            if in_release(spans, release) and name not in TOP_LEVEL_EXCEPTIONS:
                if name not in names or getattr(cloudtower, name, None) is None:
                    bad.append("top-level %s" % name)
    return bad


def _method_problems(release, cls_name, cls, method, params):
    function = getattr(cls, method, None)
    where = "%s.%s" % (cls_name, method)
    if function is None or not hasattr(cls, method + "_with_http_info"):
        return ["%s missing" % where]
    ours = _args(function)
    if _args(getattr(cls, method + "_with_http_info")) != ours:
        return ["%s_with_http_info takes other parameters than %s" % (where, method)]
    op = _operation_of(cls, method)
    aliases = dict(op.aliases)
    accepted = set(op.accepted) | set(aliases)
    problems = []
    if release in HEADER_FIRST_RELEASES and params[:1] == ["content_language"]:
        params = params[1:]  # accepted by keyword, like every method's content_language
    for position, param in enumerate(params):
        if param not in accepted:
            problems.append("%s: %s is not a parameter here" % (where, param))
            continue
        same_place = position < len(ours) and (ours[position] == param or aliases.get(param) == ours[position])
        if not same_place:
            problems.append("%s: parameter %d is %s there, %s here" % (
                where, position, param, ours[position] if position < len(ours) else "nothing"))
    return problems


def _operation_of(cls, method):
    return OPERATIONS[method]  # every method is named after its operation


@pytest.mark.parametrize("release", RELEASES)
def test_every_name_of_the_release_resolves(release):
    bad = check_release(release)
    assert not bad, "%s: %d names do not resolve, e.g. %s" % (release, len(bad), bad[:10])


def test_all_releases_resolve():
    good = [release for release in RELEASES if not check_release(release)]
    print("%d/%d releases whose every name resolves" % (len(good), len(RELEASES)))
    assert len(good) == len(RELEASES) == 31


def test_the_fixture_is_the_whole_history():
    assert RELEASES[0] == "1.9.0" and RELEASES[-1] == "2.23.0"
    assert len(SURFACE["apis"]) >= 130 and len(SURFACE["models"]) >= 2000


def test_renamed_names_reach_their_successors():
    from cloudtower.api.vm_api import VmApi
    assert OPERATIONS["mig_rate_vm"].successor == "migrate_vm"
    assert OPERATIONS["mig_rate_vm"].path == OPERATIONS["migrate_vm"].path
    assert OPERATIONS["force_shut_down_vm"].successor == "poweroff_vm"
    assert _args(VmApi.delete_vm) == ["vm_delete_params"]
    assert ("vm_operate_params", "vm_delete_params") in OPERATIONS["delete_vm"].aliases


def test_shortened_enum_names_keep_their_full_form():
    assert cloudtower.VmVolumeElfStoragePolicyType._2_THIN_PROVISION == "REPLICA_2_THIN_PROVISION"
    assert cloudtower.VmVolumeElfStoragePolicyType.REPLICA_2_THIN_PROVISION == "REPLICA_2_THIN_PROVISION"
