# coding: utf-8
"""The simulator's protocol: routing, errors, auth, validation, faults,
start/stop, the seeded inventory and the command line."""
import base64
import json
import os
import socket
import subprocess
import sys
import time

import pytest
import urllib3

from cloudtower import (
    AlertApi,
    ApiClient,
    ApiException,
    ClusterApi,
    Configuration,
    DiskApi,
    HostApi,
    TaskApi,
    UserApi,
    VmApi,
)
from cloudtower.simulator import Simulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _raw(simulator, method, path, body=None, headers=None, token=None):
    """A request outside the SDK: (status, headers, decoded JSON or text)."""
    http = urllib3.PoolManager(retries=False)
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = token
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        all_headers.setdefault("Content-Type", "application/json")
    url = "http://127.0.0.1:%d%s" % (simulator.port, path)
    response = http.request(method, url, body=data, headers=all_headers)
    text = response.data.decode("utf-8")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = text
    http.clear()
    return response.status, response.headers, payload


def _token(api_client):
    return api_client.configuration.api_key["Authorization"]


def test_endpoint_and_a_logged_in_client(simulator):
    assert simulator.endpoint == "http://127.0.0.1:%d/v2/api" % simulator.port
    client = ApiClient(Configuration(host=simulator.endpoint))
    token = simulator.login(client)
    assert token and client.configuration.api_key["Authorization"] == token
    assert VmApi(client).get_vms({"first": 1})
    client.close()


def test_every_answer_carries_a_request_id(simulator, api_client):
    status, headers, _ = _raw(simulator, "POST", "/v2/api/get-vms", {}, token=_token(api_client))
    assert status == 200 and headers.get("x-tower-request-id")
    status, headers, _ = _raw(simulator, "POST", "/v2/api/nothing-here", {})
    assert status == 404 and headers.get("x-tower-request-id")
    ids = set(_raw(simulator, "POST", "/v2/api/get-vms", {}, token=_token(api_client))[1]
              ["x-tower-request-id"] for _ in range(3))
    assert len(ids) == 3


def test_unknown_path_and_wrong_method_answer_404_with_the_error_body(simulator):
    for method, path in (("POST", "/v2/api/get-everything"), ("GET", "/v2/api/get-vms"),
                         ("POST", "/v3/api/get-vms"), ("DELETE", "/v2/api/delete-vm")):
        status, _, body = _raw(simulator, method, path, {} if method == "POST" else None)
        assert status == 404, (method, path)
        assert body["status"] == 404 and body["path"] == path and body["message"]


def test_secured_operations_need_a_valid_token(simulator):
    status, _, body = _raw(simulator, "POST", "/v2/api/get-vms", {})
    assert status == 401 and body["status"] == 401 and "missing" in body["message"]
    status, _, body = _raw(simulator, "POST", "/v2/api/get-vms", {}, token="not-a-token")
    assert status == 401 and "not valid" in body["message"]
    client = ApiClient(Configuration(host=simulator.endpoint))
    with pytest.raises(ApiException) as caught:
        VmApi(client).get_vms({})
    assert caught.value.status == 401 and caught.value.request_id
    client.configuration.api_key["Authorization"] = "wrong"
    with pytest.raises(ApiException) as caught:
        VmApi(client).get_vms({})
    assert caught.value.status == 401
    client.close()


def test_unsecured_operations_need_no_token(simulator):
    status, _, body = _raw(simulator, "GET", "/v2/api/get-version")
    from cloudtower.api.operations import VERSIONS
    assert status == 200 and body == VERSIONS[-1]  # the newest version, unless told otherwise
    client = ApiClient(Configuration(host=simulator.endpoint))
    from cloudtower.api.api_info_api import ApiInfoApi
    assert ApiInfoApi(client).get_api_version() == VERSIONS[-1]
    client.close()


def test_bad_credentials_are_refused(simulator):
    client = ApiClient(Configuration(host=simulator.endpoint))
    api = UserApi(client)
    for params in ({"username": simulator.username, "password": "wrong", "source": "LOCAL"},
                   {"username": "nobody", "password": simulator.password, "source": "LOCAL"},
                   {"username": simulator.username, "password": simulator.password, "source": "LDAP"}):
        with pytest.raises(ApiException) as caught:
            api.login(params)
        assert caught.value.status == 400 and "login failed" in caught.value.message
    answer = api.login({"username": simulator.username, "password": simulator.password})
    assert answer.data.token
    client.close()


def test_ldap_and_authn_logins_for_configured_users():
    ldap = {"username": "alice", "password": "ldap-secret", "source": "LDAP", "role": "READ_ONLY"}
    with Simulator(port=0, users=[ldap], task_seconds=0) as sim:
        client = ApiClient(Configuration(host=sim.endpoint))
        api = UserApi(client)
        token = api.login({"username": "alice", "password": "ldap-secret", "source": "LDAP"}).data.token
        client.configuration.api_key["Authorization"] = token
        me = UserApi(client).get_my_info()
        assert (me.username, me.source, me.role) == ("alice", "LDAP", "READ_ONLY")
        # the discovery the official SDK's login helper does, then AUTHN with the strategy id
        status, _, body = _raw(sim, "POST", "/api", {"query": "{authnStrategies{id type}}", "variables": {}})
        assert status == 200
        strategy = [s for s in body["data"]["authnStrategies"] if s["type"] == "LDAP"][0]
        assert api.login({"username": "alice", "password": "ldap-secret", "source": "AUTHN",
                          "auth_config_id": strategy["id"]}).data.token
        with pytest.raises(ApiException) as caught:
            api.login({"username": "alice", "password": "ldap-secret", "source": "AUTHN",
                       "auth_config_id": "wrong"})
        assert caught.value.status == 400
        with pytest.raises(ApiException):
            api.login({"username": "alice", "password": "ldap-secret", "source": "LOCAL"})
        client.close()


def test_basic_auth_operation(simulator):
    status, _, _ = _raw(simulator, "GET", "/v2/api/resource-changes")
    assert status == 401
    good = base64.b64encode(("%s:%s" % (simulator.username, simulator.password)).encode()).decode()
    status, _, body = _raw(simulator, "GET", "/v2/api/resource-changes?limit=5",
                           headers={"Authorization": "Basic " + good})
    assert status == 200 and body["data"] == [] and "currentRevision" in body


def _vm_snapshot(api_client):
    return sorted((vm.id, vm.name, vm.status, vm.memory) for vm in VmApi(api_client).get_vms({}))


VALIDATION = [
    # body, the field path the message must name
    ([{"name": "x"}], "body[0].cluster_id is required"),
    ([{"cluster_id": "c", "name": "x", "ha": "yes", "cpu_cores": 1, "cpu_sockets": 1, "memory": 1,
       "status": "STOPPED", "firmware": "BIOS", "vm_nics": [], "vm_disks": {}}], "body[0].ha must be a boolean"),
    ([{"cluster_id": "c", "name": "x", "ha": True, "cpu_cores": 1.5, "cpu_sockets": 1, "memory": 1,
       "status": "STOPPED", "firmware": "BIOS", "vm_nics": [], "vm_disks": {}}], "body[0].cpu_cores must be an integer"),
    ([{"cluster_id": "c", "name": "x", "ha": True, "cpu_cores": 1, "cpu_sockets": 1, "memory": 1,
       "status": "ASLEEP", "firmware": "BIOS", "vm_nics": [], "vm_disks": {}}], "body[0].status must be one of"),
    ([{"cluster_id": "c", "name": "x", "ha": True, "cpu_cores": 1, "cpu_sockets": 1, "memory": 1,
       "status": "STOPPED", "firmware": "BIOS", "vm_nics": [{"model": "RTL8139"}], "vm_disks": {}}],
     "body[0].vm_nics[0].model must be one of"),
    ([{"cluster_id": "c", "name": "x", "ha": True, "cpu_cores": 1, "cpu_sockets": 1, "memory": 1,
       "status": "STOPPED", "firmware": "BIOS", "vm_nics": [], "vm_disks": {"mount_disks": [{"boot": 0, "bus": "VIRTIO"}]}}],
     "body[0].vm_disks.mount_disks[0].vm_volume_id is required"),
    ({"name": "not a list"}, "body must be an array"),
]


@pytest.mark.parametrize("body,message", VALIDATION, ids=[v[1].split(" ")[0] for v in VALIDATION])
def test_validation_errors_name_the_field_and_change_nothing(simulator, api_client, body, message):
    before = _vm_snapshot(api_client)
    tasks_before = len(TaskApi(api_client).get_tasks({}))
    status, _, answer = _raw(simulator, "POST", "/v2/api/create-vm", body, token=_token(api_client))
    assert status == 400, answer
    assert message in answer["message"], answer["message"]
    assert answer["path"] == "/v2/api/create-vm" and answer["status"] == 400
    assert answer["props"]["field"] in answer["message"]
    assert _vm_snapshot(api_client) == before
    assert len(TaskApi(api_client).get_tasks({})) == tasks_before


def test_closed_schemas_refuse_unknown_properties(simulator, api_client):
    status, _, answer = _raw(simulator, "POST", "/v2/api/get-vms", {"where": {"id": "x"}, "limit": 3},
                             token=_token(api_client))
    assert status == 400 and "body.limit is not a property of GetVmsRequestBody" in answer["message"]
    # open schemas (most parameters) accept what they do not declare
    vm = VmApi(api_client).get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False}, "first": 1})[0]
    status, _, answer = _raw(simulator, "POST", "/v2/api/start-vm",
                             {"where": {"id": vm.id}, "extra": 1}, token=_token(api_client))
    assert status == 200 and answer[0]["data"]["id"] == vm.id


def test_malformed_json_and_missing_body(simulator, api_client):
    status, _, answer = _raw(simulator, "POST", "/v2/api/get-vms", b"{not json",
                             token=_token(api_client))
    assert status == 400 and "not valid JSON" in answer["message"]
    status, _, answer = _raw(simulator, "POST", "/v2/api/update-vm-basic-info", None,
                             token=_token(api_client))
    assert status == 400 and "required" in answer["message"]


def test_injected_http_errors(simulator, api_client):
    vm_api = VmApi(api_client)
    api_client.configuration.retries = 0
    simulator.fail_next("get_vms", status=503, times=2, message="maintenance")
    for _ in range(2):
        with pytest.raises(ApiException) as caught:
            vm_api.get_vms({})
        assert caught.value.status == 503 and caught.value.message == "maintenance"
    assert vm_api.get_vms({})
    # a mutation refused by an injected error changes nothing
    vm = vm_api.get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False}, "first": 1})[0]
    simulator.fail_next("/start-vm", status=500)
    with pytest.raises(ApiException):
        vm_api.start_vm({"where": {"id": vm.id}})
    simulator.settle()
    assert vm_api.get_vms({"where": {"id": vm.id}})[0].status == "STOPPED"


def test_injected_drops_before_and_after_the_change(simulator, api_client):
    vm_api = VmApi(api_client)
    api_client.configuration.retries = 0
    count = len(vm_api.get_vms({}))
    cluster = ClusterApi(api_client).get_clusters({"where": {"name": "cluster-elf-a"}})[0]
    params = [{"cluster_id": cluster.id, "name": "dropped", "ha": False, "cpu_cores": 1, "cpu_sockets": 1,
               "memory": 1024 ** 3, "status": "STOPPED", "firmware": "BIOS", "vm_nics": [], "vm_disks": {}}]
    simulator.fail_next("create_vm", drop=True)
    with pytest.raises(ApiException) as caught:
        vm_api.create_vm(params)
    assert caught.value.status == 0
    simulator.settle()
    assert len(vm_api.get_vms({})) == count
    simulator.fail_next("create_vm", drop=True, after=True)
    with pytest.raises(ApiException):
        vm_api.create_vm(params)
    simulator.settle()
    # carried out although the client never heard: exactly one VM
    assert len(vm_api.get_vms({"where": {"name": "dropped"}})) == 1


def test_injected_delay(simulator, api_client, monkeypatch):
    waited = []
    monkeypatch.setattr(simulator, "_sleep", waited.append)  # count the delay, do not spend it
    simulator.fail_next("get_clusters", status=None, delay=0.3)
    assert ClusterApi(api_client).get_clusters({})
    assert waited == [0.3]
    assert [r["status"] for r in simulator.requests if r["path"].endswith("/get-clusters")][-1] == 200


def test_request_log(simulator, api_client):
    VmApi(api_client).get_vms({"where": {"name": "elf-a-web-01"}})
    last = [r for r in simulator.requests if r["path"] == "/v2/api/get-vms"][-1]
    assert last == {"method": "POST", "path": "/v2/api/get-vms", "status": 200,
                    "body": {"where": {"name": "elf-a-web-01"}}}


def test_reset_restores_the_seeded_inventory(simulator, api_client, finish):
    vm_api = VmApi(api_client)
    before = _vm_snapshot(api_client)
    vm = vm_api.get_vms({"where": {"status": "RUNNING"}, "first": 1})[0]
    finish([vm_api.poweroff_vm({"where": {"id": vm.id}})[0].task_id])
    assert simulator.store.dirty and _vm_snapshot(api_client) != before
    simulator.reset()
    assert not simulator.store.dirty
    assert _vm_snapshot(api_client) == before
    # sessions survive a reset
    assert vm_api.get_vms({"first": 1})


def test_the_same_seed_gives_the_same_inventory():
    def inventory(seed):
        sim = Simulator(seed=seed)
        store = sim.store
        return dict((table, sorted((row["id"], json.dumps(store.render(table, row), sort_keys=True))
                                   for row in store.rows[table].values()))
                    for table in ("Vm", "Host", "Disk", "Cluster", "Alert", "VmVolume", "VmNic"))
    assert inventory(3) == inventory(3)
    assert inventory(3) != inventory(4)


def test_seeded_inventory_covers_every_kind_of_resource(api_client):
    vms = VmApi(api_client).get_vms({})
    assert set(["RUNNING", "STOPPED", "SUSPENDED", "UNKNOWN", "DELETED"]) <= set(vm.status for vm in vms)
    assert any(vm.in_recycle_bin for vm in vms)
    assert all(vm.vm_disks and vm.vm_nics for vm in vms if vm.status != "DELETED")
    clusters = ClusterApi(api_client).get_clusters({})
    kinds = set((c.type, c.hypervisor) for c in clusters)
    assert ("SMTX_OS", "ELF") in kinds and ("SMTX_ZBS", None) in kinds
    from cloudtower.api.vlan_api import VlanApi
    for cluster in clusters:
        if cluster.hypervisor == "ELF":
            default = VlanApi(api_client).get_vlans({"where": {"name": "default", "vds": {
                "cluster": {"id": cluster.id}, "internal": False}}})
            assert len(default) == 1
    disks = DiskApi(api_client).get_disks({})
    from cloudtower.models import DiskHealthStatus, DiskType, DiskUsageStatus, SeverityEnum
    assert set(d.type for d in disks) == set(DiskType.allowable_values)
    assert set(d.health_status for d in disks) == set(DiskHealthStatus.allowable_values)
    assert set(d.usage_status for d in disks) == set(DiskUsageStatus.allowable_values)
    alerts = AlertApi(api_client).get_alerts({})
    assert set(a.severity for a in alerts) == set(SeverityEnum.allowable_values)
    assert set(a.ended for a in alerts) == set([True, False])
    for api, method in (("VmTemplateApi", "get_vm_templates"),
                        ("ContentLibraryVmTemplateApi", "get_content_library_vm_templates"),
                        ("ElfImageApi", "get_elf_images"), ("VmFolderApi", "get_vm_folders"),
                        ("VmPlacementGroupApi", "get_vm_placement_groups"), ("LabelApi", "get_labels"),
                        ("VmSnapshotApi", "get_vm_snapshots"), ("IscsiTargetApi", "get_iscsi_targets"),
                        ("IscsiLunApi", "get_iscsi_luns"), ("IscsiLunSnapshotApi", "get_iscsi_lun_snapshots"),
                        ("NfsExportApi", "get_nfs_exports"), ("UserApi", "get_users"),
                        ("UserRoleNextApi", "get_user_role_nexts"), ("TaskApi", "get_tasks"),
                        ("DatacenterApi", "get_datacenters"), ("VdsApi", "get_vdses")):
        import cloudtower
        assert getattr(getattr(cloudtower, api)(api_client), method)({}), method


def test_dashboard_figures_are_consistent(api_client):
    clusters = ClusterApi(api_client).get_clusters({"where": None})
    ids = [c.id for c in clusters]
    hosts = HostApi(api_client).get_hosts({"where": {"cluster": {"id_in": ids}}})
    vms = VmApi(api_client).get_vms({})
    for cluster in clusters:
        mine = [h for h in hosts if h.cluster.id == cluster.id]
        assert cluster.total_cpu_hz == sum(h.total_cpu_hz for h in mine) > 0
        assert 0 < cluster.used_cpu_hz < cluster.total_cpu_hz
        assert cluster.total_data_capacity > cluster.used_data_space > 0
        assert cluster.failure_data_space is not None
        assert cluster.running_vm_num == len([v for v in vms if v.cluster.id == cluster.id
                                              and v.status == "RUNNING"])
    for host in hosts:
        active = [v for v in vms if v.host and v.host.id == host.id and v.status in ("RUNNING", "SUSPENDED")]
        assert host.running_pause_vm_memory_bytes == sum(v.memory for v in active)
        assert host.total_memory_bytes > host.os_memory_bytes > 0
    assert sum(h.running_pause_vm_memory_bytes for h in hosts) > 0
    assert any(c.failure_data_space for c in clusters)
    unended = AlertApi(api_client).get_alerts({"where": {"ended": False, "cluster": {"id_in": ids}}})
    assert len(set(a.severity for a in unended)) >= 3


def test_stop_closes_connections_and_restarts():
    sim = Simulator(port=0, task_seconds=0)
    sim.start()
    client = sim.client()
    assert VmApi(client).get_vms({"first": 1})
    port = sim.port
    server, serving = sim._server, sim._thread
    assert len(server._open) == 1  # the client's keep-alive connection
    sim.stop()
    deadline = time.time() + 5
    while server._open and time.time() < deadline:
        time.sleep(0.05)
    # the serving thread has ended and so has the handler of the idle connection
    assert not serving.is_alive() and not server._open
    probe = socket.socket()
    try:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    finally:
        probe.close()
    client.configuration.retries = 0
    with pytest.raises(ApiException):
        VmApi(client).get_vms({})
    client.close()
    sim.port = 0
    with sim:
        fresh = sim.client()
        assert VmApi(fresh).get_vms({"first": 1})
        fresh.close()


def test_listens_on_loopback_only_by_default():
    with Simulator(port=0) as sim:
        assert sim._server.server_address[0] == "127.0.0.1"


def test_command_line_prints_endpoint_and_serves():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudtower.simulator", "--port", "0", "--password", "cli-secret",
         "--seed", "2", "--task-seconds", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env)
    try:
        lines = {}
        while "password" not in lines:
            line = process.stdout.readline().decode("utf-8")
            assert line, process.stderr.read()
            if ": " in line:
                key, _, value = line.strip().partition(": ")
                lines[key] = value
        assert lines["endpoint"].startswith("http://127.0.0.1:")
        assert lines["username"] == "root" and lines["password"] == "cli-secret"
        client = ApiClient(Configuration(host=lines["endpoint"]))
        token = UserApi(client).login({"username": "root", "password": "cli-secret"}).data.token
        client.configuration.api_key["Authorization"] = token
        assert VmApi(client).get_vms({"first": 1})
        client.close()
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def test_command_line_refuses_bad_arguments():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-m", "cloudtower.simulator", "--task-seconds", "-1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, err = process.communicate()
    assert process.returncode == 2 and b"--task-seconds" in err


def test_expired_sessions_answer_401_until_a_new_login(simulator):
    # a plain login (sim.login), as a script that never logs in again
    client = ApiClient(Configuration(host=simulator.endpoint))
    simulator.login(client)
    vm_api = VmApi(client)
    assert vm_api.get_vms({"first": 1})
    simulator.expire_sessions()
    with pytest.raises(ApiException) as caught:
        vm_api.get_vms({"first": 1})
    assert caught.value.status == 401
    simulator.login(client)
    assert vm_api.get_vms({"first": 1})
    client.close()


def test_a_client_of_the_simulator_logs_in_again_after_sessions_expire(simulator, api_client):
    # sim.client() logs in as cloudtower.utils.login does: once more on a 401
    vm_api = VmApi(api_client)
    first = api_client.configuration.api_key["Authorization"]
    assert vm_api.get_vms({"first": 1})
    simulator.expire_sessions()
    since = len(simulator.requests)
    assert vm_api.get_vms({"first": 1})
    assert [(r["path"], r["status"]) for r in list(simulator.requests)[since:]] == [
        ("/v2/api/get-vms", 401), ("/v2/api/login", 200), ("/v2/api/get-vms", 200)]
    assert api_client.configuration.api_key["Authorization"] != first
