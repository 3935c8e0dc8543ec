# coding: utf-8
"""The runtime core against a real HTTP server on 127.0.0.1."""
import os
import sys
import threading
import time
from multiprocessing.pool import ApplyResult

import pytest

from cloudtower import (
    ApiClient,
    ApiException,
    ApiTypeError,
    ApiValueError,
    Configuration,
    ElfImageApi,
    GetVmsRequestBody,
    VmApi,
    VmStatus,
    VmWhereInput,
)
from cloudtower.models import VmCreationParams, VmStartParams, VmStartParamsData
from tests.loopback import LoopbackServer

DATA = os.path.join(os.path.dirname(__file__), "data")
VM = {"id": "ckvm000000000000000000001", "name": "web-1", "status": "RUNNING",
      "cluster": {"id": "ckcl000000000000000000001", "name": "c1"},
      "vm_disks": [{"id": "ckdk000000000000000000001"}], "vcpu": 4}


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def make_client(url, token="secret-token", **kwargs):
    conf = Configuration(host=url)
    if token:
        conf.api_key["Authorization"] = token
    return ApiClient(conf, **kwargs)


def test_token_goes_raw_into_authorization_header(server):
    server.reply([VM])
    with make_client(server.url) as client:
        VmApi(client).get_vms({})
    request = server.last
    assert request.method == "POST"
    assert request.path == "/v2/api/get-vms"
    assert request.header("Authorization") == "secret-token"
    assert request.header("Content-Type") == "application/json"


def test_login_is_sent_without_token(server):
    server.reply({"task_id": None, "data": {"token": "new-token"}})
    with make_client(server.url, token=None) as client:
        from cloudtower import UserApi
        result = UserApi(client).login({"username": "root", "password": "pw", "source": "LOCAL"})
    assert result.data.token == "new-token"
    assert server.last.header("Authorization") is None
    assert server.last.json() == {"username": "root", "password": "pw", "source": "LOCAL"}


def test_content_language_per_call_and_as_default_header(server):
    server.reply([], times=3)
    with make_client(server.url) as client:
        api = VmApi(client)
        api.get_vms({}, content_language="zh-CN")
        assert server.last.header("content-language") == "zh-CN"
        client.set_default_header("content_language", "en-US")
        api.get_vms({})
        assert server.last.header("content-language") == "en-US"
        api.get_vms({}, content_language="zh-CN")
        assert server.last.header("content-language") == "zh-CN"


def test_set_default_header_is_sent_with_every_request(server):
    server.reply([], times=2)
    with make_client(server.url, header_name="X-Trace", header_value="abc") as client:
        client.set_default_header("X-Team", "ops")
        VmApi(client).get_vms({})
    assert server.last.header("X-Trace") == "abc"
    assert server.last.header("X-Team") == "ops"
    assert server.last.header("User-Agent").startswith("cloudtower-python-sdk/")


def test_dict_model_and_mixed_bodies_serialize_alike(server):
    server.reply([], times=3)
    expected = {"where": {"id": "x", "AND": [{"name_contains": "web"}], "status": "RUNNING"}, "first": 5}
    with make_client(server.url) as client:
        api = VmApi(client)
        api.get_vms(expected)
        as_dict = server.last.json()
        api.get_vms(GetVmsRequestBody(where=VmWhereInput(
            id="x", _and=[VmWhereInput(name_contains="web")], status=VmStatus.RUNNING), first=5))
        as_model = server.last.json()
        api.get_vms({"where": VmWhereInput(id="x", _and=[{"name_contains": "web"}], status="RUNNING"),
                     "first": 5})
        mixed = server.last.json()
    assert as_dict == as_model == mixed == expected


def test_list_body_of_models_and_dicts(server):
    server.reply([{"task_id": "t1", "data": VM}])
    params = VmCreationParams(cluster_id="c", name="n", ha=True, cpu_cores=1, cpu_sockets=1,
                              memory=1024, vcpu=1, status="STOPPED", firmware="BIOS",
                              vm_nics=[{"connect_vlan_id": "v"}], vm_disks={"mount_cd_roms": []})
    with make_client(server.url) as client:
        result = VmApi(client).create_vm([params])
    assert result[0].task_id == "t1"
    assert result[0].data.name == "web-1"
    sent = server.last.json()
    assert sent[0]["cluster_id"] == "c" and sent[0]["vm_nics"] == [{"connect_vlan_id": "v"}]
    assert "description" not in sent[0]  # unset fields are not sent


def test_nested_responses_are_models(server):
    server.reply([VM])
    with make_client(server.url) as client:
        vms = VmApi(client).get_vms({})
    vm = vms[0]
    assert type(vm).__name__ == "Vm"
    assert type(vm.cluster).__name__ == "NestedCluster" and vm.cluster.name == "c1"
    assert type(vm.vm_disks[0]).__name__ == "NestedVmDisk"
    assert vm.status == VmStatus.RUNNING
    assert vm.host is None
    assert vm.to_dict()["cluster"] == {"id": VM["cluster"]["id"], "name": "c1"}


def test_forward_compatible_with_unknown_enum_values_and_fields(server):
    newer = dict(VM, status="HIBERNATING", brand_new_field={"x": 1},
                 cluster={"id": "c", "name": "n", "zone_label": "z"})
    server.reply([newer])
    with make_client(server.url) as client:
        vm = VmApi(client).get_vms({})[0]
    assert vm.status == "HIBERNATING"
    assert vm._unknown_fields == {"brand_new_field": {"x": 1}}
    assert vm.cluster._unknown_fields == {"zone_label": "z"}
    assert vm.name == "web-1"


def test_with_http_info_returns_status_and_headers(server):
    server.reply([VM], headers={"x-tower-request-id": "abc"})
    with make_client(server.url) as client:
        data, status, headers = VmApi(client).get_vms_with_http_info({})
    assert status == 200
    assert headers["x-tower-request-id"] == "abc"
    assert data[0].id == VM["id"]


def test_preload_content_false_returns_raw_response(server):
    server.reply([VM])
    with make_client(server.url) as client:
        raw = VmApi(client).get_vms({}, _preload_content=False)
    assert raw.status == 200
    assert b"web-1" in raw.data


def test_async_req_100_concurrent_calls_over_8_threads(server):
    def answer(request):
        body = request.json()
        return {"status": 200, "body": [dict(VM, name=body["where"]["name"])], "delay": 0.01}
    server.default = answer
    with make_client(server.url, pool_threads=8) as client:
        api = VmApi(client)
        results = [api.get_vms({"where": {"name": "vm-%d" % i}}, async_req=True) for i in range(100)]
        assert all(isinstance(r, ApplyResult) for r in results)
        names = [r.get(timeout=30)[0].name for r in results]
    assert names == ["vm-%d" % i for i in range(100)]
    assert len(server.received) == 100


def test_request_timeout_number_and_pair(server):
    server.reply([], delay=1.0)
    server.reply([], delay=1.0)
    with make_client(server.url) as client:
        client.configuration.retries = 0
        api = VmApi(client)
        # the server answers after 1 s: an error at all means the timeout came first
        with pytest.raises(ApiException) as info:
            api.get_vms({}, _request_timeout=0.2)
        assert info.value.status == 0 and "in time" in info.value.reason
        with pytest.raises(ApiException) as info:
            api.get_vms({}, _request_timeout=(1, 0.2))
        assert info.value.status == 0 and "in time" in info.value.reason


@pytest.mark.parametrize("status", [400, 401, 404, 500])
def test_error_statuses_raise_api_exception_with_request_id_and_message(server, status):
    server.reply({"message": "VM ckvm1 is not found", "code": "VmNotFound", "status": status,
                  "path": "/v2/api/get-vms"}, status=status, headers={"x-tower-request-id": "rid-77"})
    with make_client(server.url) as client:
        with pytest.raises(ApiException) as info:
            VmApi(client).start_vm({"where": {"id": "ckvm1"}})
    error = info.value
    assert error.status == status
    assert error.request_id == "rid-77"
    assert error.message == "VM ckvm1 is not found"
    assert error.code == "VmNotFound"
    assert error.path == "/v2/api/get-vms"
    text = str(error)
    assert "rid-77" in text and "VM ckvm1 is not found" in text and str(status) in text


def test_error_without_json_body(server):
    server.reply(b"<html>Bad Gateway</html>", status=502, headers={"Content-Type": "text/html"})
    with make_client(server.url) as client:
        client.configuration.retries = 0
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({})
    assert info.value.status == 502 and info.value.message is None
    assert "Bad Gateway" in str(info.value)


def test_multipart_upload(server, tmp_path):
    image = tmp_path / "tiny.iso"
    image.write_bytes(b"ISO" * 1000)
    server.reply([{"task_id": "t", "data": {"id": "upload1"}}], times=2)
    with make_client(server.url) as client:
        api = ElfImageApi(client)
        api.create_elf_image(str(image), cluster_id="ckcl1", name="tiny", size="3000", size_unit="B")
        first = server.last
        api.create_elf_image(("part.iso", b"x" * 10), upload_task_id="upload1")
        second = server.last
    assert first.path == "/v2/api/upload-elf-image"
    content_type = first.header("Content-Type")
    assert content_type.startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="tiny.iso"' in first.body
    assert b"ISO" * 1000 in first.body
    assert b'name="cluster_id"' in first.body and b"ckcl1" in first.body
    assert b'filename="part.iso"' in second.body and b'name="upload_task_id"' in second.body
    assert first.header("Authorization") == "secret-token"


def test_tls_self_signed_fails_when_verified_and_works_with_its_ca():
    cert = os.path.join(DATA, "selfsigned.crt")
    with LoopbackServer(certfile=cert, keyfile=os.path.join(DATA, "selfsigned.key")) as srv:
        srv.reply([VM], times=3)
        with make_client(srv.url) as client:
            client.configuration.retries = 0
            with pytest.raises(ApiException) as info:
                VmApi(client).get_vms({})
            assert info.value.status == 0 and "TLS" in info.value.reason
        conf = Configuration(host=srv.url)
        conf.ssl_ca_cert = cert
        if sys.version_info[0] == 2:
            # Python 2's ssl cannot match IP addresses in a certificate without
            # the ipaddress backport; check the certificate's DNS name instead.
            conf.assert_hostname = "localhost"
        with ApiClient(conf) as client:
            assert VmApi(client).get_vms({})[0].name == "web-1"


def test_tls_verification_off_warns_once():
    import warnings

    from cloudtower import rest
    cert = os.path.join(DATA, "selfsigned.crt")
    del rest._insecure_warned[:]
    with LoopbackServer(certfile=cert, keyfile=os.path.join(DATA, "selfsigned.key")) as srv:
        srv.reply([VM], times=4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(2):
                conf = Configuration(host=srv.url)
                conf.verify_ssl = False
                with ApiClient(conf) as client:
                    VmApi(client).get_vms({})
                    VmApi(client).get_vms({})
        ours = [w for w in caught if "verify_ssl=False" in str(w.message)]
        assert len(ours) == 1
        assert not [w for w in caught if "InsecureRequestWarning" in type(w.message).__name__]


def test_user_input_errors_name_the_parameter(server):
    with make_client(server.url) as client:
        api = VmApi(client)
        with pytest.raises(ApiTypeError) as info:
            api.get_vms({}, wrong_name=1)
        assert "wrong_name" in str(info.value)
        with pytest.raises(ApiValueError) as info:
            api.get_vms(None)
        assert "get_vms_request_body" in str(info.value)
        with pytest.raises(ApiTypeError) as info:
            api.create_vm({"name": "not a list"})
        assert "vm_creation_params" in str(info.value)
        with pytest.raises(ApiTypeError) as info:
            api.get_vms("where id = 1")
        assert "get_vms_request_body" in str(info.value)
        with pytest.raises(TypeError):  # Python's own message names the method
            api.get_vms({}, {})
    assert server.received == []


def test_model_validation_names_the_field():
    # a required field left out is not refused (CloudTower decides); None given for it is
    VmStartParams(data=VmStartParamsData(host_id="h"))
    with pytest.raises(ApiValueError) as info:
        VmStartParams(where=None, data=VmStartParamsData(host_id="h"))
    assert "`where`" in str(info.value)
    with pytest.raises(ApiValueError) as info:
        VmWhereInput(status="SLEEPING")
    assert "status" in str(info.value) and "SLEEPING" in str(info.value)
    with pytest.raises(ApiTypeError) as info:
        VmWhereInput(colour="red")
    assert "colour" in str(info.value)
    conf = Configuration()
    conf.client_side_validation = False
    assert VmWhereInput(status="SLEEPING", local_vars_configuration=conf).status == "SLEEPING"


def test_model_equality_repr_and_to_dict():
    first = VmWhereInput(id="a", name_in=["x", "y"])
    second = VmWhereInput(name_in=["x", "y"], id="a")
    assert first == second and not first != second
    assert first != VmWhereInput(id="b")
    assert first.to_dict()["name_in"] == ["x", "y"]
    assert first.to_dict(serialize=True)["entityAsyncStatus"] is None
    assert "'name_in': ['x', 'y']" in repr(first)


def test_close_ends_pool_threads_and_client_is_reusable(server):
    server.reply([], times=10)
    before = threading.active_count()
    client = make_client(server.url, pool_threads=4)
    api = VmApi(client)
    api.get_vms({}, async_req=True).get(timeout=10)
    assert threading.active_count() > before
    client.close()
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before
    assert api.get_vms({}) == []
    client.close()


def test_configuration_copy_is_cheap_and_independent():
    conf = Configuration(host="http://127.0.0.1:1/v2/api")
    conf.api_key["Authorization"] = "a"
    Configuration.set_default(conf)
    try:
        copy = Configuration.get_default_copy()
        copy.api_key["Authorization"] = "b"
        assert Configuration.get_default_copy().api_key["Authorization"] == "a"
        assert ApiClient().configuration.host == "http://127.0.0.1:1/v2/api"
    finally:
        Configuration.set_default(None)
    assert conf.auth_settings()["Authorization"]["value"] == "a"
    assert "Python SDK Debug Report" in conf.to_debug_report()


def test_the_debug_report_takes_a_host_with_non_ascii_characters():
    # Python 2: a unicode host must not be encoded as ASCII on the way into the report
    host = u"https://t\u00f4wer.example/v2/api"
    conf = Configuration(host=host)
    conf.password = "Secret-1"
    report = conf.to_debug_report()
    assert (u"Host: " + host) in report
    assert "Secret-1" not in report


def test_configuration_has_the_endpoint_fields_of_2_23_0():
    conf = Configuration(host="https://tower.example:8443/v2/api/")
    assert (conf.root_url, conf.base_url, conf.scheme, conf.api_path, conf.probe_path) == (
        "https://tower.example:8443", "https://tower.example:8443", "https", "/v2/api",
        "/api/healthz")
    assert conf.host == "https://tower.example:8443/v2/api"
    assert conf.probe_url == "https://tower.example:8443/api/healthz"
    conf = Configuration(root_url="tower.example", scheme="https", probe_path="health/")
    assert (conf.host, conf.probe_url) == ("https://tower.example/v2/api",
                                           "https://tower.example/health")
    conf = Configuration(base_url="http://proxy.example", root_url="/tower", api_path="api")
    assert conf.host == "http://proxy.example/tower/api"
    # each part can be set; host follows
    conf.scheme = "https"
    conf.api_path = None
    assert conf.host == "https://proxy.example/tower/v2/api"
    conf.root_url = "other.example:81"
    assert conf.host == "https://other.example:81/v2/api"
    conf.host = "http://third.example/custom/"
    assert (conf.root_url, conf.api_path, conf.probe_url) == (
        "http://third.example", "/custom", "http://third.example/api/healthz")
    assert Configuration().host == "http://localhost/v2/api"
