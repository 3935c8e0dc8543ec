# coding: utf-8
"""Promises that hold under attack: one test (or a few) per promise.

1. a change is never sent twice (the first upload chunk whose answer is lost)
2. one deadline bounds a call, whatever the server does
3. memory is bounded (a maximum answer size, identity encoding)
4. one re-login per session expiry
5. a 200 of the wrong shape is an error
6. no secret in any message
7. invalid options fail at once, as SDK errors
8. helpers validate their arguments
9. the simulator answers every bad request with a 4xx and bounds its resources
10. the simulator enforces roles

Timings here are only deadlines a hang would hit; what is asserted is counted.
"""
import gzip
import io
import json
import logging
import socket
import threading
import time
import uuid

import pytest

from cloudtower import (
    ApiClient,
    ApiException,
    ApiTypeError,
    ApiValueError,
    ClusterApi,
    Configuration,
    LabelApi,
    UploadTaskApi,
    UserApi,
    UserRoleNextApi,
    VmApi,
)
from cloudtower.simulator.seed import BUILTIN_ACCOUNTS
from cloudtower.upload import upload_elf_image
from cloudtower.utils import login, paginate, wait_tasks
from tests.conftest import FakeClock
from tests.loopback import LoopbackServer, raw_exchange

MiB = 1024 * 1024
CANARY = "Canary-7f3a9c-pw"


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def client_for(server, **settings):
    conf = Configuration(host=server.url)
    conf.api_key["Authorization"] = "token"
    conf.retry_backoff = 0.01
    for key, value in settings.items():
        setattr(conf, key, value)
    return ApiClient(conf)


class Records(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self, logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def cloudtower_log():
    handler = Records()
    logger = logging.getLogger("cloudtower")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def http_answer(body, status="200 OK", headers=()):
    lines = ["HTTP/1.1 %s" % status, "Content-Type: application/json"] + list(headers)
    if body is not None:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")


def gzipped(data):
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as handle:
        handle.write(data)
    return buffer.getvalue()


# -- 1. a change is never sent twice ------------------------------------------------

@pytest.fixture
def image_file(tmpdir):
    path = str(tmpdir.join("lost-%s.iso" % uuid.uuid4().hex[:8]))
    with open(path, "wb") as handle:
        for index in range(20):
            handle.write(bytes(bytearray([index]) * MiB))
    return path


def _elf_cluster(client):
    return ClusterApi(client).get_clusters({"where": {"type": "SMTX_OS", "hypervisor": "ELF"},
                                            "orderBy": "name_ASC", "first": 1})[0].id


def _tasks_named(client, name):
    return [t for t in UploadTaskApi(client).get_upload_tasks({"where": {"size": 20 * MiB}})
            if (t.args or {}).get("name") == name]


@pytest.mark.parametrize("fault", [dict(drop=True, after=True), dict(status=503, after=True)],
                         ids=["dropped", "503 after acting"])
def test_a_lost_first_chunk_answer_leaves_exactly_one_upload_task(simulator, api_client,
                                                                    image_file, fault):
    import os
    name = os.path.basename(image_file)
    simulator.fail_next("create_elf_image", times=1, **fault)
    task = upload_elf_image(api_client, image_file, _elf_cluster(api_client), retries=2)
    assert (task.status, task.current_chunk, task.size) == ("SUCCESSED", 3, 20 * MiB)
    tasks = _tasks_named(api_client, name)
    assert [(t.id, t.status) for t in tasks] == [(task.id, "SUCCESSED")]


def test_a_first_chunk_refused_before_acting_is_not_sent_again(simulator, api_client, image_file):
    import os
    name = os.path.basename(image_file)
    since = len(simulator.requests)
    simulator.fail_next("create_elf_image", status=503, times=1)
    with pytest.raises(ApiException) as info:
        upload_elf_image(api_client, image_file, _elf_cluster(api_client), retries=1)
    assert "nothing was left behind" in info.value.reason
    creates = [r for r in list(simulator.requests)[since:] if r["path"] == "/v2/api/upload-elf-image"]
    assert len(creates) == 1
    assert _tasks_named(api_client, name) == []


# -- 2. one deadline bounds a call --------------------------------------------------

@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_drip_server_is_held_to_the_deadline(server, where):
    if where == "headers":
        answer = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 5000 + b"\r\n\r\n[]"
    else:
        body = b"[" + b" " * 5000 + b"]"
        answer = http_answer(body)
    # one byte every 0.05 s: every read is far inside the read timeout
    server.raw(answer, drip=0.05, limit=20)
    with client_for(server, deadline=1.0, timeout=(5, 5)) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert info.value.status == 0
    assert "deadline of 1 s" in info.value.reason
    deadline = time.time() + 10
    while not server.raw_outcomes and time.time() < deadline:
        time.sleep(0.02)
    # the client hung up: the server did not run out its 20 s of dripping
    assert server.raw_outcomes[0][0] == "client closed"


def test_retries_are_logged_and_the_final_error_counts_them(server, cloudtower_log):
    server.reply({"message": "busy"}, status=503, times=10)
    with client_for(server, retries=2) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert len(server.received) == 3
    assert "3 attempts over" in info.value.reason
    warnings = [r.getMessage() for r in cloudtower_log if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "attempt 1 of 3 failed (503 " in warnings[0] and "retrying in" in warnings[0]
    assert "attempt 2 of 3" in warnings[1]


def test_retries_stop_at_the_deadline_on_an_injected_clock(server):
    server.reply({"message": "busy"}, status=503, times=50)
    with client_for(server, retries=40, retry_backoff=1.0) as client:
        clock = FakeClock(1000.0)
        client._clock = clock
        client._sleep = clock.sleep
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({}, _deadline=10)
    # waits of about 1, 2, 4 ... s: at most 5 attempts fit in 10 s
    assert 2 <= len(server.received) <= 5
    assert "attempts over" in info.value.reason
    assert clock.now - 1000.0 < 10


def test_a_timeout_a_moment_before_the_deadline_is_reported_as_the_deadline(server):
    # a socket timer set to the time left may fire a millisecond before the clock
    # reaches the deadline; the error must still name the deadline, not the read timeout
    import urllib3
    with client_for(server, deadline=1.0, timeout=(5, 5)) as client:
        clock = FakeClock(1000.0)
        client._clock = clock

        def early_timeout(*args, **kwargs):
            clock.now += 0.999
            raise urllib3.exceptions.ReadTimeoutError(None, kwargs.get("url"), "timed out")
        client.request = early_timeout
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert "deadline of 1 s" in info.value.reason
    assert "(1 attempt over" in info.value.reason


def test_the_default_deadline_and_its_override():
    conf = Configuration()
    assert conf.deadline == 120.0 and conf.max_response_size == 512 * MiB
    with LoopbackServer() as srv:
        srv.reply([], delay=3)
        with client_for(srv, timeout=(5, 30)) as client:
            with pytest.raises(ApiException) as info:
                VmApi(client).get_vms({}, _deadline=0.5)
        assert "deadline of 0.5 s" in info.value.reason


def test_closing_waits_no_longer_than_the_deadline(server):
    server.default = lambda request: {"status": 200, "body": [], "delay": 30}
    client = client_for(server, deadline=1.0, timeout=(5, 60))
    client.pool_threads = 1
    pending = [VmApi(client).get_vms({}, async_req=True) for _ in range(5)]
    # five calls of 30 s would take 150 s: far past the per-test timeout
    client.close()
    for result in pending:
        with pytest.raises(ApiException):
            result.get(timeout=15)


# -- 3. bounded memory --------------------------------------------------------------

def test_a_gzip_bomb_is_not_expanded_past_the_limit(server):
    bomb = gzipped(b"[" + b" " * (64 * MiB) + b"]")
    assert len(bomb) < MiB
    server.reply(bomb, headers={"Content-Encoding": "gzip"})
    with client_for(server, max_response_size=4 * MiB) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert "larger than the limit" in info.value.reason
    assert server.last.header("Accept-Encoding") == "identity"


def test_a_small_gzip_answer_is_still_read(server):
    server.reply(gzipped(json.dumps([{"id": "v1", "name": "web"}]).encode("utf-8")),
                 headers={"Content-Encoding": "gzip"})
    with client_for(server) as client:
        assert VmApi(client).get_vms({})[0].name == "web"


def test_an_answer_over_the_limit_is_refused_while_reading(server):
    big = b"[" + b" " * (5 * MiB) + b"]"
    server.reply(big)
    # without Content-Length: chunked, so the size is only known while reading
    chunked = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    for start in range(0, len(big), MiB):
        piece = big[start:start + MiB]
        chunked += ("%x\r\n" % len(piece)).encode("ascii") + piece + b"\r\n"
    server.raw(chunked + b"0\r\n\r\n")
    with client_for(server, max_response_size=4 * MiB, retries=0) as client:
        for _ in range(2):
            with pytest.raises(ApiException) as info:
                VmApi(client).get_vms({})
            assert "larger than the limit of %d bytes" % (4 * MiB) in info.value.reason


def test_streaming_answers_are_left_to_the_caller(server):
    server.reply([{"id": "v1"}])
    with client_for(server) as client:
        response = VmApi(client).get_vms({}, _preload_content=False)
        assert json.loads(response.read().decode("utf-8")) == [{"id": "v1"}]


# -- 4. one re-login per session expiry ---------------------------------------------

def test_64_threads_through_one_expiry_make_one_login(simulator):
    client = ApiClient(Configuration(host=simulator.endpoint))
    client.configuration.connection_pool_maxsize = 64
    login(client, simulator.username, simulator.password)
    api = VmApi(client)
    api.get_vms({"first": 1})
    simulator.expire_sessions()
    since = len(simulator.requests)
    barrier = threading.Barrier(64) if hasattr(threading, "Barrier") else None
    errors, results = [], []

    def work():
        try:
            if barrier is not None:
                barrier.wait(30)
            results.append(len(api.get_vms({"first": 1})))
        except Exception as error:  # reported below
            errors.append(error)
    threads = [threading.Thread(target=work) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    client.close()
    assert errors == [] and results == [1] * 64
    logins = [r for r in list(simulator.requests)[since:] if r["path"] == "/v2/api/login"]
    assert len(logins) == 1


# -- 5. a 200 of the wrong shape is an error ----------------------------------------

@pytest.mark.parametrize("body,got", [
    (b'{"message": "maintenance"}', "an object"), (b"42", "a number"), (b"null", "null"),
    (b"", "an empty body"), (b'"text"', "a string")])
def test_a_list_operation_given_another_shape_raises(server, body, got):
    server.reply(body)
    with client_for(server) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    reason = info.value.reason
    assert reason.startswith("get_vms: ") and "a list (list[Vm])" in reason and got in reason
    if body:
        assert body.decode("utf-8")[:10] in reason


def test_object_and_text_operations_check_their_shape_too(server):
    server.reply([])
    server.reply({"version": "4.9.0"})
    with client_for(server) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms_connection({})
        assert "an object (VmConnection)" in info.value.reason
        with pytest.raises(ApiException) as info:
            client.call_api("/get-version", "GET", response_type="str", _return_http_data_only=True)
        assert "a string (str)" in info.value.reason


# -- 6. no secret in any message ----------------------------------------------------

def test_login_with_a_bytes_password_names_the_parameter_not_the_value(server):
    import six
    # bytes are text on Python 2: a bytearray is what cannot be sent there
    secret = CANARY.encode("utf-8") if six.PY3 else bytearray(CANARY.encode("utf-8"))
    kind = type(secret).__name__
    with client_for(server) as client:
        with pytest.raises(ApiTypeError) as info:
            login(client, "root", secret)
        assert "password" in str(info.value) and kind in str(info.value)
        assert CANARY not in str(info.value)
        # the same value inside a body: the field is named, the value is not
        with pytest.raises(ApiTypeError) as info:
            UserApi(client).login({"username": "root", "password": secret})
        assert "['password']" in str(info.value) and CANARY not in str(info.value)
    assert server.received == []


def test_a_password_in_the_host_url_is_never_shown(cloudtower_log):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    conf = Configuration(host="http://admin:%s@127.0.0.1:%d/v2/api" % (CANARY, port))
    conf.retry_backoff = 0.01
    conf.debug = True
    try:
        with ApiClient(conf) as client:
            with pytest.raises(ApiException) as info:
                VmApi(client).get_vms({})
    finally:
        conf.debug = False
    texts = [str(info.value), repr(info.value), info.value.reason, repr(conf),
             conf.to_debug_report()] + [r.getMessage() for r in cloudtower_log]
    assert "admin:***@" in info.value.reason
    for text in texts:
        assert CANARY not in text


# -- 7. invalid options fail at once, as SDK errors ---------------------------------

@pytest.mark.parametrize("options", [
    {"_request_timeout": 0}, {"_request_timeout": -1}, {"_request_timeout": (-1, 5)},
    {"_request_timeout": (1, 2, 3)}, {"_request_timeout": "5"}, {"_deadline": 0},
    {"_deadline": -3}, {"_deadline": "soon"}, {"content_language": "a\r\nX: y"},
    {"content_language": "zh-CN\x00"}])
def test_a_bad_option_is_an_sdk_error_before_anything_is_sent(server, options):
    with client_for(server) as client:
        with pytest.raises((ApiValueError, ApiTypeError)):
            VmApi(client).get_vms({}, **options)
    assert server.received == []


@pytest.mark.parametrize("setting,value", [("timeout", -1), ("deadline", 0), ("retries", -1),
                                           ("retry_backoff", "x"), ("max_response_size", 0)])
def test_a_bad_setting_is_an_sdk_error_before_anything_is_sent(server, setting, value):
    with client_for(server, **{setting: value}) as client:
        with pytest.raises(ApiValueError) as info:
            VmApi(client).get_vms({})
    assert setting in str(info.value)
    assert server.received == []


def test_a_certificate_error_is_not_retried_and_nothing_was_sent(cloudtower_log):
    import os
    data = os.path.join(os.path.dirname(__file__), "data")
    with LoopbackServer(certfile=os.path.join(data, "selfsigned.crt"),
                        keyfile=os.path.join(data, "selfsigned.key")) as srv:
        with client_for(srv, retries=3) as client:  # verify_ssl stays on
            with pytest.raises(ApiException) as info:
                VmApi(client).create_vm([{"name": "x", "cluster_id": "c"}])
    reason = info.value.reason
    assert info.value.status == 0 and "TLS" in reason
    assert "may have carried it out" not in reason and "nothing was sent" in reason
    assert "(1 attempt " in reason
    assert not [r for r in cloudtower_log if "retrying" in r.getMessage()]


# -- 8. helpers validate their arguments --------------------------------------------

def test_helpers_refuse_bad_arguments_with_sdk_errors(server, tmpdir):
    path = str(tmpdir.join("a.iso"))
    with open(path, "wb") as handle:
        handle.write(b"x" * 10)
    with client_for(server) as client:
        get_vms = VmApi(client).get_vms
        cases = [
            (lambda: wait_tasks(None, client), ApiTypeError, "ids"),
            (lambda: wait_tasks("task-1", client), ApiTypeError, "wait_task"),
            (lambda: wait_tasks([5], client), ApiTypeError, "ids[0]"),
            (lambda: wait_tasks(["t"], client, interval="x"), ApiTypeError, "interval"),
            (lambda: wait_tasks(["t"], client, interval=0), ApiValueError, "interval"),
            (lambda: wait_tasks(["t"], None), ApiTypeError, "api_client"),
            (lambda: list(paginate(get_vms, page_size="x")), ApiTypeError, "page_size"),
            (lambda: list(paginate(get_vms, request="str")), ApiTypeError, "request"),
            (lambda: list(paginate("get_vms")), ApiTypeError, "list_method"),
            (lambda: upload_elf_image(client, path, "c", chunk_size="x"), ApiTypeError, "chunk_size"),
            (lambda: upload_elf_image(client, path, "c", chunk_size=0), ApiValueError, "chunk_size"),
            (lambda: upload_elf_image(client, path, "c", retries=None), ApiTypeError, "retries"),
            (lambda: upload_elf_image(client, 5, "c"), ApiTypeError, "path"),
            (lambda: login(client, None, "pw"), ApiTypeError, "username"),
        ]
        for call, kind, word in cases:
            with pytest.raises(kind) as info:
                call()
            assert word in str(info.value)
    assert server.received == []


# -- 9. the simulator answers every bad request with a 4xx --------------------------

@pytest.mark.parametrize("head,status", [
    (b"Content-Length: abc\r\n", b"400"), (b"Content-Length: -1\r\n", b"400"),
    (b"Transfer-Encoding: chunked\r\n", b"400"), (b"", b"411"),
    (b"Content-Length: 999999999999\r\n", b"413")], ids=["abc", "-1", "bad chunk", "none", "huge"])
def test_a_malformed_body_gets_a_4xx_and_the_connection_ends(simulator, head, status):
    request = b"POST /v2/api/get-vms HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n"
    if b"chunked" in head:
        request += b"zz\r\n"
    answer = raw_exchange(simulator.port, request)  # returns: the server closed the connection
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == status
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1].decode("utf-8"))["status"] == int(status)


def test_the_body_size_limit_is_configurable(simulator, api_client):
    simulator.max_body_size = 1000
    try:
        with pytest.raises(ApiException) as info:
            LabelApi(api_client).create_label([{"key": "k" * 2000, "value": "v"}])
        assert info.value.status == 413
    finally:
        del simulator.max_body_size


@pytest.mark.parametrize("depth", [150, 700, 5000, 100000])
@pytest.mark.parametrize("shape", ["where", "array"])
def test_deep_bodies_and_wheres_get_400(simulator, api_client, depth, shape):
    if shape == "where":
        body = '{"where": ' + '{"AND": [' * depth + "{}" + "]}" * depth + "}"
    else:
        body = "[" * depth + "]" * depth
    # sent as text: the SDK itself refuses to build data this deep
    with pytest.raises(ApiException) as info:
        api_client.call_api("/get-vms", "POST", header_params={"Content-Type": "application/json"},
                            body=body, response_type="list[Vm]", auth_settings=["Authorization"])
    assert info.value.status == 400 and "nested" in info.value.message
    # the server still answers
    assert VmApi(api_client).get_vms({"first": 1})


# -- 10. the simulator enforces roles -----------------------------------------------

def _client_as(simulator, username, password):
    client = ApiClient(Configuration(host=simulator.endpoint))
    simulator.login(client, username, password)
    return client


def test_a_read_only_user_reads_but_changes_nothing(simulator, api_client):
    account = [a for a in BUILTIN_ACCOUNTS if a["role"] == "READ_ONLY"][0]
    vms = len(VmApi(api_client).get_vms({}))
    labels = len(LabelApi(api_client).get_labels({}))
    with _client_as(simulator, account["username"], account["password"]) as reader:
        assert len(VmApi(reader).get_vms({})) == vms
        for change in (lambda: LabelApi(reader).create_label([{"key": "k", "value": "v"}]),
                       lambda: VmApi(reader).delete_vm({"where": {}})):
            with pytest.raises(ApiException) as info:
                change()
            assert info.value.status == 403 and info.value.code == "PERMISSION_DENIED"
    simulator.settle()
    assert len(VmApi(api_client).get_vms({})) == vms
    assert len(LabelApi(api_client).get_labels({})) == labels


def test_an_admin_may_change_and_a_custom_role_only_what_its_actions_allow(simulator, api_client,
                                                                           finish):
    admin = [a for a in BUILTIN_ACCOUNTS if a["role"] == "ADMIN"][0]
    with _client_as(simulator, admin["username"], admin["password"]) as client:
        finish([LabelApi(client).create_label([{"key": "by-admin", "value": "v"}])[0].task_id])
    role = UserRoleNextApi(api_client).create_role([{"name": "labelers",
                                                     "actions": ["MANAGE_LABEL"]}])[0]
    finish([role.task_id])
    user = UserApi(api_client).create_user([{"username": "labeler", "password": "Labeler-pw-1",
                                             "name": "labeler", "role_id": role.data.id,
                                             "source": "LOCAL"}])[0]
    finish([user.task_id])
    with _client_as(simulator, "labeler", "Labeler-pw-1") as labeler:
        finish([LabelApi(labeler).create_label([{"key": "by-labeler", "value": "v"}])[0].task_id])
        with pytest.raises(ApiException) as info:
            VmApi(labeler).delete_vm({"where": {"name": "nothing"}})
        assert info.value.status == 403 and "DELETE_VM" in info.value.message


def test_a_proxy_that_refuses_the_tunnel_means_nothing_was_sent(cloudtower_log):
    # a loopback "proxy" that answers CONNECT with 501: no connection to CloudTower
    with LoopbackServer() as proxy:
        conf = Configuration(host="https://127.0.0.1:1/v2/api")
        conf.proxy = "http://127.0.0.1:%d" % proxy.port
        conf.retry_backoff = 0.01
        with ApiClient(conf) as client:
            with pytest.raises(ApiException) as info:
                VmApi(client).create_vm([{"name": "x", "cluster_id": "c"}])
    reason = info.value.reason
    assert info.value.status == 0 and "proxy" in reason
    assert "may have carried it out" not in reason and "nothing was sent" in reason
    assert not [r for r in cloudtower_log if "retrying" in r.getMessage()]
