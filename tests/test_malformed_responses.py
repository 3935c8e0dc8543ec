# coding: utf-8
"""Property-based: whatever a server sends back, the SDK either reads it
leniently or raises one of its own exceptions -- never an AttributeError,
KeyError, TypeError or RecursionError from inside the SDK.

Responses go over real HTTP to a loopback server, 1,000+ cases in all.
"""
import json
import random

import pytest
from hypothesis import given, settings, strategies as st

from cloudtower import AlertApi, ApiClient, Configuration, TaskApi, VmApi
from cloudtower.exceptions import OpenApiException
from cloudtower.simulator.fake import Faker
from tests.loopback import LoopbackServer
from tests.property_settings import SETTINGS

VALID_VMS = [Faker(seed=seed, max_depth=2).model("Vm") for seed in range(3)]


@pytest.fixture(scope="module")
def stage():
    with LoopbackServer() as server:
        conf = Configuration(host=server.url)
        conf.api_key["Authorization"] = "t"
        conf.retries = 0
        client = ApiClient(conf)
        yield server, client
        client.close()


def call_with(stage, payload, method="get_vms", status=200, content_type="application/json"):
    server, client = stage
    server.reply(payload, status=status, headers={"Content-Type": content_type})
    api = {"get_vms": VmApi, "get_tasks": TaskApi, "get_alerts": AlertApi}[method](client)
    try:
        result = getattr(api, method)({})
    except OpenApiException:
        return None
    # whatever came back must be usable: printing it cannot fail, converting
    # it fails only with the SDK's own exceptions
    repr(result)
    if isinstance(result, list):
        for item in result:
            if hasattr(item, "to_dict"):
                try:
                    item.to_dict()
                except OpenApiException:
                    pass
    return result


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10 ** 40, max_value=10 ** 40),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20)


def _paths(value, prefix=()):
    """Every (path) inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            for path in _paths(item, prefix + (key,)):
                yield path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for path in _paths(item, prefix + (index,)):
                yield path


def _replace(document, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


@settings(max_examples=400, **SETTINGS)
@given(seed=st.integers(min_value=0, max_value=2 ** 32), replacement=json_values)
def test_wrong_types_nulls_and_unknown_values_at_every_depth(stage, seed, replacement):
    rng = random.Random(seed)
    document = [rng.choice(VALID_VMS)]
    paths = list(_paths(document))
    for _ in range(rng.randint(1, 3)):
        document = _replace(document, rng.choice(paths), replacement)
        paths = list(_paths(document))
    call_with(stage, json.dumps(document))


@settings(max_examples=250, **SETTINGS)
@given(cut=st.integers(min_value=0, max_value=5000), method=st.sampled_from(["get_vms", "get_tasks"]))
def test_truncated_json(stage, cut, method):
    text = json.dumps(VALID_VMS)
    call_with(stage, text[:cut], method=method)


@settings(max_examples=150, **SETTINGS)
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda s: s.encode("utf-8"))),
       status=st.sampled_from([200, 200, 400, 404, 500, 502]),
       content_type=st.sampled_from(["application/json", "text/html", "text/plain"]))
def test_arbitrary_bytes_html_and_empty_bodies(stage, body, status, content_type):
    call_with(stage, body, status=status, content_type=content_type)


@settings(max_examples=150, **SETTINGS)
@given(document=json_values, method=st.sampled_from(["get_vms", "get_tasks", "get_alerts"]))
def test_any_json_document(stage, document, method):
    call_with(stage, json.dumps(document), method=method)


@settings(max_examples=60, **SETTINGS)
@given(depth=st.integers(min_value=1, max_value=50000), where=st.sampled_from(["top", "field"]))
def test_deeply_nested_arrays(stage, depth, where):
    nested = "[" * depth + "]" * depth
    if where == "top":
        payload = nested
    else:
        payload = '[{"id": "x", "name": %s, "vm_disks": %s}]' % (nested, nested)
    call_with(stage, payload)


def test_huge_numbers_unknown_enums_and_fields(stage):
    vm = dict(VALID_VMS[0], vcpu=10 ** 400, memory=-(10 ** 300), status="SOMETHING_NEW",
              brand_new={"nested": [1, 2]}, cluster={"id": 5, "name": None, "extra": True})
    result = call_with(stage, json.dumps([vm]))
    assert result[0].vcpu == 10 ** 400
    assert result[0].status == "SOMETHING_NEW"
    assert result[0]._unknown_fields == {"brand_new": {"nested": [1, 2]}}
    assert result[0].cluster.id == 5


def test_empty_body_on_success_is_an_error(stage):
    server, client = stage
    server.reply(b"")
    from cloudtower import ApiException
    with pytest.raises(ApiException) as info:
        VmApi(client).get_vms({})
    assert "an empty body" in info.value.reason


def test_html_error_page_on_success_status_raises_api_exception(stage):
    server, client = stage
    server.reply(b"<html><body>Login required</body></html>", headers={"Content-Type": "text/html"})
    from cloudtower import ApiException
    with pytest.raises(ApiException) as info:
        VmApi(client).get_vms({})
    assert "not valid JSON" in info.value.reason
