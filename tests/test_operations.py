# coding: utf-8
"""Every operation of the API, called through its generated method against a
loopback server: the request matches the operation table, and a response built
from the schemas deserializes into the declared types."""
import importlib
import inspect
import json
import warnings

import pytest

from cloudtower import ApiClient, Configuration
from cloudtower.api import API_MODULES
from cloudtower.api.operations import OPERATIONS
from cloudtower.model import LIST_TYPE, Model, is_enum, model_class
from cloudtower.simulator.fake import Faker
from tests.loopback import LoopbackServer

_LIST = LIST_TYPE


def api_methods():
    """(api class name, method name, operation) for every method of every API class."""
    found = []
    for class_name, module in sorted(API_MODULES.items()):
        cls = getattr(importlib.import_module("cloudtower.api." + module), class_name)
        for name in sorted(vars(cls)):
            if name.startswith("_") or name.endswith("_with_http_info"):
                continue
            method = getattr(cls, name)
            found.append((class_name, name, method))
    return found


def assert_type(value, type_name, where):
    """Check a deserialized value against an openapi type string, recursively."""
    if value is None:
        return
    inner = _LIST.match(type_name)
    if inner:
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            assert_type(item, inner.group(1), "%s[%d]" % (where, index))
        return
    if type_name in ("str", "int", "float", "bool", "object", "datetime", "date", "file") \
            or type_name.startswith("dict("):
        return
    cls = model_class(type_name)
    assert cls is not None, "unknown type %s at %s" % (type_name, where)
    if is_enum(cls):
        assert value in cls.allowable_values, where
        return
    assert isinstance(value, cls), "%s is %r, expected %s" % (where, type(value), type_name)
    for attr, attr_type in cls.openapi_types.items():
        assert_type(getattr(value, attr), attr_type, "%s.%s" % (where, attr))


@pytest.fixture(scope="module")
def server():
    faker = Faker(seed=7, max_depth=2)
    by_path = dict((op.path, op) for op in OPERATIONS.values())

    def answer(request):
        op = by_path[request.path.split("?")[0][len("/v2/api"):]]
        if op.name == "get_api_version" and request.header("Authorization") is None:
            # the client asking which CloudTower this is: "no idea", so that
            # nothing is refused for its version (tests/test_versions.py covers that)
            return {"status": 200, "body": json.dumps("unknown")}
        body = faker.value(op.return_type) if op.return_type else None
        return {"status": 200, "body": json.dumps(body)}
    with LoopbackServer() as srv:
        srv.default = answer
        yield srv


class _Recorder(object):
    """Stands in for an ApiClient: keeps the operation a method hands over."""

    def call_operation(self, operation, args, kwargs, with_http_info=False):
        return operation, args, with_http_info


def operation_of(class_name, name):
    """The operation the generated method ``class_name.name`` calls, found by calling it."""
    cls = getattr(importlib.import_module("cloudtower.api." + API_MODULES[class_name]), class_name)
    method = getattr(cls(_Recorder()), name)
    getargs = getattr(inspect, "getfullargspec", None) or inspect.getargspec
    spec = getargs(method)
    required = len(spec.args) - 1 - len(spec.defaults or ())
    operation, args, twin = method(*([None] * required))
    assert not twin and len(args) == len(operation.positional)
    assert getattr(cls(_Recorder()), name + "_with_http_info")(*([None] * required))[0] is operation
    return operation


def test_every_operation_has_a_method_named_after_it():
    covered = set()
    for class_name, name, _ in api_methods():
        operation = operation_of(class_name, name)
        assert operation.name == name, (class_name, name)
        covered.add(operation.name)
    assert covered == set(OPERATIONS)
    # every method name of every official release, 1.9.0 to 2.23.0, is an operation
    assert len(OPERATIONS) >= 586


def test_all_operations_round_trip(server):
    conf = Configuration(host=server.url)
    conf.api_key["Authorization"] = "token-1"
    client = ApiClient(conf)
    asked = len(server.received)
    assert client.cloudtower_version() is None and len(server.received) == asked + 1
    faker = Faker(seed=3, max_depth=1)
    calls = 0
    for index, (class_name, name, _) in enumerate(api_methods()):
        api = getattr(importlib.import_module("cloudtower.api." + API_MODULES[class_name]), class_name)(client)
        op = OPERATIONS[name]
        args, kwargs, expected_body = [], {}, None
        if op.body is not None:
            param, type_name, _ = op.body
            expected_body = faker.value(type_name)
            args.append(_as_models(expected_body, type_name) if index % 2 else expected_body)
        for param, wire, type_name, required in op.form + op.query:
            value = ("upload.bin", b"payload-bytes") if type_name == "file" else faker.value(type_name, wire)
            if required:
                args.append(value)
            else:
                kwargs[param] = value
        before = len(server.received)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # removed and renamed names
            result = getattr(api, name)(*args, content_language="en-US", **kwargs)
        calls += 1
        assert len(server.received) == before + 1
        request = server.last
        where = "%s.%s" % (class_name, name)
        assert request.method == op.http_method, where
        assert request.path.split("?")[0] == "/v2/api" + op.path, where
        assert request.header("content-language") == "en-US"
        if "Authorization" in op.auth:
            assert request.header("Authorization") == "token-1", where
        elif "Basic" not in op.auth:
            assert request.header("Authorization") is None, where
        if op.body is not None:
            assert request.json() == expected_body, where
        if op.form:
            assert request.header("Content-Type").startswith("multipart/form-data"), where
            assert b"payload-bytes" in request.body
        for param, wire, _, _ in op.query:
            value = kwargs.get(param)
            if value is not None:
                assert ("%s=" % wire) in request.path, where
        if op.return_type:
            assert_type(result, op.return_type, where)
    client.close()
    assert calls >= 556


def _as_models(data, type_name):
    """Wire JSON -> model objects, to check models serialize back to the same JSON."""
    inner = _LIST.match(type_name)
    if inner:
        return [_as_models(item, inner.group(1)) for item in data]
    cls = model_class(type_name)
    if cls is None or is_enum(cls) or not isinstance(data, dict):
        return data
    return cls.from_json(data)


def test_models_serialize_to_the_json_they_were_read_from():
    faker = Faker(seed=11, max_depth=2)
    from cloudtower.models import MODEL_MODULES
    for name in sorted(MODEL_MODULES):
        cls = model_class(name)
        if is_enum(cls):
            continue
        data = faker.model(name)
        obj = cls.from_json(data)
        assert isinstance(obj, Model)
        assert ApiClient().sanitize_for_serialization(obj) == _drop_nones(data), name


def _drop_nones(value):
    """JSON as the SDK sends it: no nulls."""
    if isinstance(value, dict):
        return dict((k, _drop_nones(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return [_drop_nones(v) for v in value]
    return value
