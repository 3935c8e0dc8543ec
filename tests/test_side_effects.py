# coding: utf-8
"""The SDK changes nothing of the process it runs in beyond its own objects:
not the garbage collector, not the warnings filters, not urllib3's logger."""
import gc
import logging
import os
import warnings

import pytest

from cloudtower import ApiClient, Configuration, VmApi
from tests.loopback import LoopbackServer

DATA = os.path.join(os.path.dirname(__file__), "data")


def _vms(count):
    from cloudtower.simulator.fake import Faker
    faker = Faker(6)
    return [faker.model("Vm", full=True) for _ in range(count)]


def _gc_state():
    state = {"enabled": gc.isenabled(), "threshold": gc.get_threshold()}
    if hasattr(gc, "get_freeze_count"):  # 3.7+
        state["frozen"] = gc.get_freeze_count()
    return state


def test_deserializing_a_large_answer_leaves_the_collector_alone(monkeypatch):
    calls = []

    def recording(name, real):
        def call(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)
        return call
    for name in ("disable", "enable", "freeze", "unfreeze", "set_threshold"):
        if hasattr(gc, name):
            monkeypatch.setattr(gc, name, recording(name, getattr(gc, name)))
    before = _gc_state()
    with LoopbackServer() as server:
        server.reply(_vms(500))
        with ApiClient(Configuration(host=server.url)) as client:
            vms = VmApi(client).get_vms({})
    assert len(vms) == 500
    assert calls == []
    assert _gc_state() == before


@pytest.mark.skipif(not hasattr(gc, "callbacks"), reason="gc.callbacks is Python 3.3+")
def test_the_collector_keeps_running_while_models_are_built():
    data = _vms(500)
    collections = []

    def callback(phase, info):
        if phase == "start":
            collections.append(info["generation"])
    client = ApiClient(Configuration(host="http://127.0.0.1:9/v2/api"))
    try:
        gc.collect()
        gc.callbacks.append(callback)
        try:
            vms = client.deserialize_data(data, "list[Vm]")
        finally:
            gc.callbacks.remove(callback)
    finally:
        client.close()
    assert len(vms) == 500
    # ~11,000 model objects: the collector, left on, runs young collections meanwhile
    assert collections, "no collection while 500 VMs were built: the collector was paused"


def _insecure_client(server):
    conf = Configuration(host=server.url)
    conf.verify_ssl = False
    return ApiClient(conf)


def test_an_insecure_request_changes_no_warnings_filter(recwarn):
    # recwarn records every warning of the test and puts the filters back after it
    warnings.simplefilter("always")
    filters = list(warnings.filters)
    cert = os.path.join(DATA, "selfsigned.crt")
    with LoopbackServer(certfile=cert, keyfile=os.path.join(DATA, "selfsigned.key")) as server:
        server.reply([], times=2)
        with _insecure_client(server) as client:
            assert VmApi(client).get_vms({}) == []
            assert VmApi(client).get_vms({}) == []
    assert list(warnings.filters) == filters
    # and urllib3's per-request warning was not emitted for the SDK's requests
    assert not [w for w in recwarn.list if type(w.message).__name__ == "InsecureRequestWarning"]


def test_the_programs_own_unverified_requests_still_warn(recwarn):
    import urllib3
    warnings.simplefilter("always")
    cert = os.path.join(DATA, "selfsigned.crt")
    with LoopbackServer(certfile=cert, keyfile=os.path.join(DATA, "selfsigned.key")) as server:
        server.reply([], times=2)
        with _insecure_client(server) as client:
            VmApi(client).get_vms({})
        del recwarn.list[:]
        pool = urllib3.PoolManager(cert_reqs="CERT_NONE")
        pool.request("POST", server.url + "/get-vms", body=b"{}",
                     headers={"Content-Type": "application/json"})
        pool.clear()
    assert [w for w in recwarn.list if isinstance(w.message, urllib3.exceptions.InsecureRequestWarning)]


def test_debug_and_logger_file_configure_only_the_cloudtower_logger(tmpdir):
    urllib3_logger = logging.getLogger("urllib3")
    ours = logging.getLogger("cloudtower")
    before = (urllib3_logger.level, list(urllib3_logger.handlers))
    ours_before = (ours.level, list(ours.handlers))
    conf = Configuration()
    try:
        conf.debug = True
        assert ours.getEffectiveLevel() == logging.DEBUG
        conf.logger_file = str(tmpdir.join("sdk.log"))
        assert conf.logger_file_handler in ours.handlers
        assert (urllib3_logger.level, list(urllib3_logger.handlers)) == before
        conf.debug = False
        assert (urllib3_logger.level, list(urllib3_logger.handlers)) == before
    finally:
        ours.removeHandler(conf.logger_file_handler)
        conf.logger_file_handler.close()
        ours.setLevel(ours_before[0])
    assert (ours.level, list(ours.handlers)) == ours_before
