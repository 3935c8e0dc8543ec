# coding: utf-8
"""Runs calls through the OFFICIAL ``cloudtower-sdk`` for tests/test_official_wire.py.

Runs inside a virtualenv that has the official SDK installed, started as
``python -I official_driver.py ...`` so that ``import cloudtower`` can only
find that SDK (never the checkout's package). Standard library and the
official SDK only.

    python -I official_driver.py describe OUT.json
        the SDK's version and file, and for every method of every API class the
        parameters it takes (its ``all_params``, less the common ``async_req`` ...)

    python -I official_driver.py run PLAN.json OUT.json
        makes every call of the plan against ``PLAN["url"]``; after each call
        (sent, refused or failed) it asks ``PLAN["mark_url"] + "/<index>"``
        directly, so the server can tell which requests each call made.
        Writes ``{"results": [{"index": i, "error": null or "Type: message",
        "stage": "build" or "call"}]}``.

A plan argument is ``{"json": value}`` (passed as it is), ``{"model": type,
"json": value}`` (the official model built from the JSON, keys mapped through
each class's ``attribute_map``) or ``{"file": path}`` (the path, as the
official SDK expects).
"""
import ast
import importlib
import inspect
import json
import os
import pkgutil
import re
import sys
import urllib.request

import cloudtower
import cloudtower.api
import cloudtower.models
from cloudtower import ApiClient, Configuration

_LIST = re.compile(r"^list\[(.*)\]$")
_DICT = re.compile(r"^dict\(([^,]*), (.*)\)$")
_ALL_PARAMS = re.compile(r"all_params = (\[.*?\])", re.S)
COMMON = {"async_req", "_return_http_data_only", "_preload_content", "_request_timeout",
          "_request_auth", "_content_type", "_headers"}


class PlanError(Exception):
    """The plan asks for something the official models cannot express."""


def describe():
    methods = {}
    package = os.path.dirname(cloudtower.api.__file__)
    for _, module_name, _ in pkgutil.iter_modules([package]):
        module = importlib.import_module("cloudtower.api." + module_name)
        for class_name, cls in vars(module).items():
            if not (inspect.isclass(cls) and class_name.endswith("Api")
                    and cls.__module__ == module.__name__):
                continue
            for name in dir(cls):
                if not name.endswith("_with_http_info"):
                    continue
                found = _ALL_PARAMS.search(inspect.getsource(getattr(cls, name)))
                params = ast.literal_eval(found.group(1)) if found else []
                methods["%s.%s" % (class_name, name[:-len("_with_http_info")])] = \
                    [p for p in params if p not in COMMON]
    return {"version": getattr(cloudtower, "__version__", None),
            "file": os.path.abspath(cloudtower.__file__), "prefix": sys.prefix,
            "methods": methods}


def build(type_name, value):
    """The official model objects for JSON ``value`` of ``type_name``."""
    if value is None:
        return None
    inner = _LIST.match(type_name)
    if inner:
        return [build(inner.group(1), item) for item in value]
    pair = _DICT.match(type_name)
    if pair:
        return dict((key, build(pair.group(2), item)) for key, item in value.items())
    cls = getattr(cloudtower.models, type_name, None)
    if not inspect.isclass(cls) or not getattr(cls, "openapi_types", None) \
            or not isinstance(value, dict):
        return value  # a primitive, an enum value, or free-form data
    attrs = dict((key, attr) for attr, key in cls.attribute_map.items())
    kwargs = {}
    for key, item in value.items():
        attr = attrs.get(key)
        if attr is None:
            raise PlanError("%s has no field with the JSON key %r" % (type_name, key))
        kwargs[attr] = build(cls.openapi_types[attr], item)
    return cls(**kwargs)


def argument(spec):
    if "file" in spec:
        return spec["file"]
    if "model" in spec:
        return build(spec["model"], spec["json"])
    return spec["json"]


def run(plan):
    conf = Configuration(host=plan["url"], username=plan.get("username"),
                         password=plan.get("password"))
    conf.api_key["Authorization"] = plan["token"]
    client = ApiClient(conf)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    results = []
    for call in plan["calls"]:
        result = {"index": call["index"], "error": None, "stage": None}
        stage = "build"
        try:
            args = [argument(spec) for spec in call["args"]]
            kwargs = dict((key, argument(spec)) for key, spec in call["kwargs"].items())
            stage = "call"
            module = importlib.import_module(call["module"])
            api = getattr(module, call["class"])(client)
            getattr(api, call["method"])(*args, **kwargs)
        except Exception as error:  # every failure is a result
            result["error"] = "%s: %s" % (type(error).__name__, error)
            result["stage"] = stage
        results.append(result)
        opener.open("%s/%d" % (plan["mark_url"], call["index"]), timeout=30).read()
    return {"results": results}


def main(argv):
    if argv[1:2] == ["describe"] and len(argv) == 3:
        output = describe()
        target = argv[2]
    elif argv[1:2] == ["run"] and len(argv) == 4:
        with open(argv[2]) as handle:
            output = run(json.load(handle))
        target = argv[3]
    else:
        sys.stderr.write(__doc__)
        return 2
    with open(target, "w") as handle:
        json.dump(output, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
