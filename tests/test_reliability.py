# coding: utf-8
"""Faults injected by a real loopback server: retries, re-login, hangs, leaks, secrets."""
import gc
import logging
import os
import socket
import threading
import time

import pytest

from cloudtower import ApiClient, ApiException, Configuration, UserApi, VmApi
from cloudtower.utils import login
from tests.loopback import LoopbackServer

VM = {"id": "ckvm000000000000000000001", "name": "web-1", "status": "RUNNING"}
TOKEN = "tok-3c1d2f9e-secret"
PASSWORD = "pw-9a8b7c-secret"


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def client_for(server, token=TOKEN, **settings):
    conf = Configuration(host=server.url)
    if token:
        conf.api_key["Authorization"] = token
    conf.retry_backoff = 0.01
    for key, value in settings.items():
        setattr(conf, key, value)
    return ApiClient(conf)


def test_reads_are_retried_on_502_503_504_then_succeed(server):
    server.reply({"message": "busy"}, status=503)
    server.reply({"message": "gateway"}, status=502)
    server.reply({"message": "timeout"}, status=504)
    server.reply([VM])
    with client_for(server) as client:
        assert VmApi(client).get_vms({})[0].name == "web-1"
    assert len(server.received) == 4


def test_reads_give_up_after_the_configured_retries(server):
    server.reply({"message": "busy"}, status=503, times=10)
    with client_for(server, retries=2) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert info.value.status == 503
    assert len(server.received) == 3


def test_retries_off_when_zero(server):
    server.reply({"message": "busy"}, status=503, times=5)
    with client_for(server, retries=0) as client:
        with pytest.raises(ApiException):
            VmApi(client).get_vms({})
    assert len(server.received) == 1


def test_reads_are_retried_after_a_dropped_connection(server):
    server.drop()
    server.reply([VM])
    with client_for(server) as client:
        assert VmApi(client).get_vms({})[0].id == VM["id"]
    assert len(server.received) == 2


def test_reads_are_retried_after_a_read_timeout(server):
    server.reply([], delay=0.6)
    server.reply([VM])
    with client_for(server, timeout=(2, 0.3)) as client:
        assert VmApi(client).get_vms({})[0].id == VM["id"]


def test_mutations_are_not_retried_once_sent(server):
    server.drop()
    server.reply([{"task_id": "t", "data": VM}])
    with client_for(server) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).create_vm([{"name": "x", "cluster_id": "c"}])
    assert info.value.status == 0
    assert "not retried" in info.value.reason
    assert len(server.received) == 1


def test_mutations_are_not_retried_on_503(server):
    server.reply({"message": "busy"}, status=503, times=3)
    with client_for(server) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).start_vm({"where": {"id": "x"}})
    assert info.value.status == 503
    assert len(server.received) == 1


def test_connection_refused_is_retried_even_for_mutations_and_then_reported():
    # a port nobody listens on: the request never reached a server
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    conf = Configuration(host="http://127.0.0.1:%d/v2/api" % port)
    conf.retry_backoff = 0.01
    with ApiClient(conf) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).create_vm([{"name": "x"}])
    assert info.value.status == 0 and "cannot connect" in info.value.reason
    assert "not retried" not in info.value.reason
    # nothing was sent, so the change could be tried again: every retry was
    assert "(4 attempts" in info.value.reason


def test_expired_token_logs_in_again_once_and_repeats(server):
    tokens = iter(["first-token", "second-token"])
    seen = []

    def answer(request):
        seen.append((request.path, request.header("Authorization")))
        if request.path.endswith("/login"):
            return {"body": {"task_id": None, "data": {"token": next(tokens)}}}
        if request.header("Authorization") != "second-token":
            return {"status": 401, "body": {"message": "token expired", "status": 401,
                                            "path": request.path}}
        return {"body": [VM]}
    server.default = answer
    with client_for(server, token=None) as client:
        login(client, "admin", PASSWORD)
        assert VmApi(client).get_vms({})[0].name == "web-1"
    assert [path for path, _ in seen] == ["/v2/api/login", "/v2/api/get-vms", "/v2/api/login",
                                          "/v2/api/get-vms"]
    assert seen[-1][1] == "second-token"


def test_401_surfaces_when_not_logged_in_through_the_helper(server):
    server.reply({"message": "unauthorized", "status": 401, "path": "/v2/api/get-vms"}, status=401)
    with client_for(server) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert info.value.status == 401
    assert len(server.received) == 1


def test_relogin_happens_only_once(server):
    def answer(request):
        if request.path.endswith("/login"):
            return {"body": {"task_id": None, "data": {"token": "always-refused"}}}
        return {"status": 401, "body": {"message": "no", "status": 401, "path": request.path}}
    server.default = answer
    with client_for(server, token=None) as client:
        login(client, "admin", PASSWORD)
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert info.value.status == 401
    assert len(server.received) == 4  # login, call, login again, call again


def test_a_server_that_never_answers_does_not_hang_forever(server):
    server.reply([], delay=3)
    assert Configuration().timeout is not None
    with client_for(server, timeout=(1, 0.5), retries=0) as client:
        # the answer comes after 3 s: an error at all means the read timeout came first
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert info.value.status == 0 and "in time" in info.value.reason


def test_secrets_never_reach_logs_reprs_reports_or_errors(server):
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        def answer(request):
            if request.path.endswith("/login"):
                return {"body": {"task_id": None, "data": {"token": TOKEN}},
                        "headers": {"Set-Cookie": "session=%s" % TOKEN}}
            return {"status": 500, "body": {"message": "boom", "status": 500, "path": request.path},
                    "headers": {"Set-Cookie": "session=%s" % TOKEN}}
        server.default = answer
        conf = Configuration(host=server.url, username="admin", password=PASSWORD)
        conf.debug = True
        conf.retries = 0
        with ApiClient(conf) as client:
            login(client, "admin", PASSWORD)
            with pytest.raises(ApiException) as info:
                VmApi(client).get_vms({})
            texts = [repr(conf), str(conf), conf.to_debug_report(), str(info.value),
                     repr(info.value)] + records
        assert any("get-vms" in text for text in records), "debug logging should show requests"
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        conf.debug = False
    for text in texts:
        assert TOKEN not in text
        assert PASSWORD not in text


def test_1000_async_calls_from_4_threads_share_one_client(server):
    def answer(request):
        return {"body": [dict(VM, name=request.json()["where"]["name"])]}
    server.default = answer
    errors, results = [], {}
    with client_for(server, connection_pool_maxsize=16) as client:
        client.pool_threads = 16
        api = VmApi(client)

        def worker(index):
            try:
                pending = [(n, api.get_vms({"where": {"name": "t%d-%d" % (index, n)}}, async_req=True))
                           for n in range(250)]
                for n, result in pending:
                    results["t%d-%d" % (index, n)] = result.get(timeout=60)[0].name
            except Exception as error:  # reported below
                errors.append(error)
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(results) == 1000
    assert all(key == value for key, value in results.items())


def _open_fds():
    if os.path.isdir("/proc/self/fd"):
        return len(os.listdir("/proc/self/fd"))
    return 0


def test_no_thread_or_descriptor_leaks_over_100_open_close_cycles(server):
    server.default = lambda request: {"body": [VM]}

    def cycle():
        with client_for(server) as client:
            client.pool_threads = 4
            api = VmApi(client)
            api.get_vms({}, async_req=True).get(timeout=10)
            api.get_vms({})
    cycle()
    gc.collect()
    threads, fds = threading.active_count(), _open_fds()
    for _ in range(100):
        cycle()
    gc.collect()
    deadline = time.time() + 5
    while threading.active_count() > threads and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= threads
    assert _open_fds() <= fds + 2  # the server side may still be closing one or two sockets


def test_user_api_login_errors_name_the_problem(server):
    server.reply({"message": "username or password is wrong", "code": "LoginFailed",
                  "status": 400, "path": "/v2/api/login"}, status=400)
    with client_for(server, token=None) as client:
        with pytest.raises(ApiException) as info:
            UserApi(client).login({"username": "admin", "password": PASSWORD})
    assert info.value.message == "username or password is wrong"
    assert PASSWORD not in str(info.value)
