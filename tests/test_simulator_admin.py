# coding: utf-8
"""The admin interface under /_simulator (cloudtower.simulator.admin): refused
without the admin credentials, and from outside the process able to do what
an in-process test does with the simulator object."""
import base64
import json
import os
import subprocess
import sys
import textwrap

import pytest
import urllib3

from cloudtower import ApiClient, ApiException, Configuration, LabelApi, VmApi
from cloudtower.simulator import Simulator
from cloudtower.simulator.state import FORMAT
from tests.loopback import raw_exchange

TOKEN = "admin-test-token"


@pytest.fixture(scope="module")
def admin_sim():
    with Simulator(port=0, seed=7, task_seconds=0.05, admin_token=TOKEN) as sim:
        yield sim


@pytest.fixture
def sim(admin_sim):
    admin_sim.task_seconds = 0.05
    if admin_sim.store.dirty:
        admin_sim.reset()
    admin_sim.clear_faults()
    yield admin_sim
    admin_sim.clear_faults()


@pytest.fixture(scope="module")
def http():
    pool = urllib3.PoolManager(retries=False)
    yield pool
    pool.clear()


def admin(http, sim, method, path, body=None, headers=None, token=TOKEN):
    """(status, decoded JSON) of an admin request."""
    sent = {"Content-Type": "application/json"}
    if token:
        sent["X-Simulator-Admin"] = token
    sent.update(headers or {})
    data = json.dumps(body).encode("utf-8") if body is not None else None
    response = http.request(method, sim.root_url + "/_simulator" + path, body=data, headers=sent)
    return response.status, json.loads(response.data.decode("utf-8"))


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")}


def test_refused_without_the_admin_credentials(http, sim):
    client = sim.client()
    LabelApi(client).create_label([{"key": "still-here"}])
    sim.settle()
    refused = [
        admin(http, sim, "POST", "/reset", token=None),
        admin(http, sim, "POST", "/reset", token="wrong-token"),
        admin(http, sim, "POST", "/reset", token=TOKEN + "x"),
        admin(http, sim, "POST", "/reset", token=None, headers=basic("root", "wrong")),
        admin(http, sim, "POST", "/reset", token=None,
              headers=basic("readonly", "HC!r0cks-readonly")),
        admin(http, sim, "POST", "/reset", token=None, headers={"Authorization": sim.tokens and
                                                                 list(sim.tokens)[0]}),
        admin(http, sim, "GET", "", token=None),
        admin(http, sim, "GET", "/state", token=None),
    ]
    assert [status for status, _ in refused] == [401] * len(refused)
    assert "X-Simulator-Admin" in refused[0][1]["message"]
    assert LabelApi(client).get_labels({"where": {"key": "still-here"}})  # nothing was reset
    # the token, or Basic credentials of a ROOT user
    assert admin(http, sim, "GET", "")[0] == 200
    assert admin(http, sim, "GET", "", token=None, headers=basic("root", "HC!r0cks"))[0] == 200
    client.close()


def test_status_reset_settle_and_settings(http, sim):
    status, info = admin(http, sim, "GET", "")
    assert status == 200
    assert info["endpoint"] == sim.endpoint and info["seed"] == 7 and info["size"] == "small"
    assert info["rows"]["Vm"] == 21 and info["changed"] is False
    assert info["settings"] == {"task_seconds": 0.05, "max_body_size": sim.max_body_size}
    client = sim.client()
    sim.task_seconds = 600
    LabelApi(client).create_label([{"key": "admin-reset"}])
    assert admin(http, sim, "GET", "")[1]["running_tasks"] == 1
    assert admin(http, sim, "POST", "/settle")[1] == {"running_tasks": 0}
    assert LabelApi(client).get_labels({"where": {"key": "admin-reset"}})
    status, info = admin(http, sim, "POST", "/reset")
    assert status == 200 and info["changed"] is False
    assert not LabelApi(client).get_labels({"where": {"key": "admin-reset"}})
    # another seed and size
    status, info = admin(http, sim, "POST", "/reset", {"seed": 8, "size": "40"})
    assert (info["seed"], info["size"], info["rows"]["Vm"]) == (8, "40x5", 40)
    assert VmApi(client).get_vms_connection({}).aggregate.count == 40
    assert admin(http, sim, "POST", "/reset", {"seed": 7, "size": "small"})[1]["rows"]["Vm"] == 21
    # settings
    status, settings = admin(http, sim, "PATCH", "/settings", {"task_seconds": 2})
    assert status == 200 and settings["task_seconds"] == 2.0 and sim.task_seconds == 2.0
    assert admin(http, sim, "GET", "/settings")[1]["task_seconds"] == 2.0
    for wrong in ({"task_seconds": -1}, {"task_seconds": "fast"}, {"task_seconds": True},
                  {"speed": 1}, {"max_body_size": 0}):
        status, error = admin(http, sim, "PATCH", "/settings", wrong)
        assert status == 400, wrong
    assert sim.task_seconds == 2.0
    client.close()


def test_expire_sessions(http, sim):
    client = ApiClient(Configuration(host=sim.endpoint))
    sim.login(client)  # a plain login: no second one on a 401
    assert VmApi(client).get_vms({"first": 1})
    status, answer = admin(http, sim, "POST", "/expire-sessions")
    assert status == 200 and answer["expired"] >= 1
    with pytest.raises(ApiException) as caught:
        VmApi(client).get_vms({"first": 1})
    assert caught.value.status == 401
    client.close()


def test_faults_on_the_next_requests(http, sim):
    client = sim.client()
    labels = LabelApi(client)
    status, faults = admin(http, sim, "POST", "/faults",
                           {"target": "create_label", "status": 503, "times": 2, "code": "BUSY"})
    assert status == 200 and faults["requests"][0]["times"] == 2
    for _ in range(2):
        with pytest.raises(ApiException) as caught:
            labels.create_label([{"key": "faulted"}])
        assert caught.value.status == 503
    assert admin(http, sim, "GET", "/faults")[1] == {"requests": [], "tasks": []}
    labels.create_label([{"key": "faulted"}])  # the third goes through
    # a dropped connection: the client hears nothing (the SDK sends a read again)
    admin(http, sim, "DELETE", "/requests")
    admin(http, sim, "POST", "/faults", {"target": "/get-vms", "drop": True})
    assert VmApi(client).get_vms({"first": 1})
    log = admin(http, sim, "GET", "/requests")[1]["requests"]
    assert [(r["path"], r["status"]) for r in log] == [("/v2/api/get-vms", None),
                                                       ("/v2/api/get-vms", 200)]
    # a delay, then a normal answer (counted, not waited)
    slept = []
    sim._sleep = slept.append
    try:
        admin(http, sim, "POST", "/faults", {"target": "get_vms", "status": None, "delay": 2.5})
        assert VmApi(client).get_vms({"first": 1})
    finally:
        del sim._sleep
    assert slept == [2.5]
    # the next task of an operation fails
    admin(http, sim, "POST", "/task-failures", {"target": "create_label", "error_code": "NOPE",
                                                "error_message": "refused by the test"})
    task = labels.create_label([{"key": "task-fails"}])[0].task_id
    sim.settle()
    from cloudtower.api.task_api import TaskApi
    failed = TaskApi(client).get_tasks({"where": {"id": task}})[0]
    assert (failed.status, failed.error_code) == ("FAILED", "NOPE")
    # pending faults are listed and cleared
    admin(http, sim, "POST", "/faults", {"target": "delete_vm", "status": 500, "times": 3})
    assert admin(http, sim, "GET", "/faults")[1]["requests"][0]["target"] == "delete_vm"
    assert admin(http, sim, "DELETE", "/faults")[1] == {"requests": [], "tasks": []}
    for wrong in ({"status": 99}, {"times": 0}, {"status": None}, {"drop": "yes"},
                  {"target": 5}, {"colour": "red"}):
        assert admin(http, sim, "POST", "/faults", wrong)[0] == 400, wrong
    assert sim._faults == []
    client.close()


def test_the_request_log(http, sim):
    client = sim.client()
    assert admin(http, sim, "DELETE", "/requests")[0] == 200
    VmApi(client).get_vms({"first": 2})
    LabelApi(client).get_labels({})
    VmApi(client).get_vms({"where": {"name": "elf-a-web-01"}})
    status, log = admin(http, sim, "GET", "/requests")
    assert status == 200
    assert [(r["method"], r["path"], r["status"]) for r in log["requests"]] == [
        ("POST", "/v2/api/get-vms", 200), ("POST", "/v2/api/get-labels", 200),
        ("POST", "/v2/api/get-vms", 200)]  # admin requests are not in it
    log = admin(http, sim, "GET", "/requests?path=/v2/api/get-vms&limit=1")[1]
    assert log["count"] == 1 and log["requests"][0]["body"] == {"where": {"name": "elf-a-web-01"}}
    assert admin(http, sim, "DELETE", "/requests")[1] == {"cleared": 3}
    assert admin(http, sim, "GET", "/requests")[1]["requests"] == []
    client.close()


def test_state_over_the_admin_interface(http, sim, tmp_path):
    client = sim.client()
    status, saved = admin(http, sim, "GET", "/state")
    assert status == 200 and saved["format"] == FORMAT
    LabelApi(client).create_label([{"key": "after-export"}])
    sim.settle()
    status, summary = admin(http, sim, "PUT", "/state", saved)
    assert status == 200 and summary["interrupted_tasks"] == []
    assert not LabelApi(client).get_labels({"where": {"key": "after-export"}})
    assert sim.export_state()["tables"] == saved["tables"]
    path = str(tmp_path / "admin.json")
    assert admin(http, sim, "POST", "/state/save", {"path": path}) == (200, {"path": path})
    LabelApi(client).create_label([{"key": "after-save"}])
    sim.settle()
    status, summary = admin(http, sim, "POST", "/state/load", {"path": path})
    assert status == 200 and summary["rows"] > 250
    assert not LabelApi(client).get_labels({"where": {"key": "after-save"}})
    assert admin(http, sim, "POST", "/state/save")[0] == 409  # no --state file
    assert admin(http, sim, "PUT", "/state", {"format": "nope"})[0] == 400
    assert admin(http, sim, "POST", "/state/load", {"path": str(tmp_path / "none")})[0] == 400
    client.close()


def test_unknown_resources_methods_and_bodies(http, sim):
    assert admin(http, sim, "GET", "/nothing")[0] == 404
    assert admin(http, sim, "GET", "/reset")[0] == 405
    response = http.request("POST", sim.root_url + "/_simulator/reset", body=b"{not json",
                            headers={"X-Simulator-Admin": TOKEN})
    assert response.status == 400
    assert admin(http, sim, "POST", "/reset", {"seed": "one"})[0] == 400
    assert admin(http, sim, "POST", "/reset", {"size": "huge"})[0] == 400
    assert admin(http, sim, "POST", "/settle", {"now": True})[0] == 400


def test_a_post_without_a_body_is_an_empty_body(sim):
    # curl -X POST sends neither Content-Length nor a body: the API answers 411, the admin 200
    answers = []
    for path in ("/_simulator/settle", "/v2/api/get-vms"):
        data = raw_exchange(sim.port, ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Simulator-Admin: %s\r\n"
                                       "Connection: close\r\n\r\n" % (path, TOKEN)).encode("ascii"),
                            timeout=30)
        answers.append(int(data.split(b" ", 2)[1]))
    assert answers == [200, 411]


# -- from another process, with nothing but the standard library -------------------

DRIVER = textwrap.dedent('''
    import json
    import sys
    try:
        from urllib.request import Request, urlopen
        from urllib.error import HTTPError
    except ImportError:  # Python 2
        from urllib2 import HTTPError, Request, urlopen

    ROOT, TOKEN = sys.argv[1], sys.argv[2]
    results = {}

    def call(method, path, body=None, token=None, admin=False):
        headers = {"Content-Type": "application/json"}
        if admin:
            headers["X-Simulator-Admin"] = TOKEN
        if token:
            headers["Authorization"] = token
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = Request(ROOT + path, data=data, headers=headers)
        request.get_method = lambda: method
        try:
            response = urlopen(request, timeout=30)
            return response.getcode(), json.loads(response.read().decode("utf-8"))
        except HTTPError as error:
            return error.code, json.loads(error.read().decode("utf-8"))

    def api(path, body, token):
        return call("POST", "/v2/api" + path, body, token=token)

    results["refused"] = call("POST", "/_simulator/reset")[0]
    results["reset"] = call("POST", "/_simulator/reset", {}, admin=True)[0]
    token = api("/login", {"username": "root", "password": "HC!r0cks", "source": "LOCAL"},
                None)[1]["data"]["token"]
    results["vms"] = len(api("/get-vms", {}, token)[1])
    # a 503 on the next two get-vms, then a normal answer
    call("POST", "/_simulator/faults", {"target": "get_vms", "status": 503, "times": 2},
         admin=True)
    results["faulted"] = [api("/get-vms", {"first": 1}, token)[0] for _ in range(3)]
    # the next create_label task fails; tasks end at once after a settle
    call("PATCH", "/_simulator/settings", {"task_seconds": 600}, admin=True)
    call("POST", "/_simulator/task-failures", {"target": "create_label", "error_code": "NOPE"},
         admin=True)
    tasks = [api("/create-label", [{"key": "from-outside-%d" % i}], token)[1][0]["task_id"]
             for i in range(2)]
    results["running"] = call("GET", "/_simulator", admin=True)[1]["running_tasks"]
    call("POST", "/_simulator/settle", admin=True)
    ended = api("/get-tasks", {"where": {"id_in": tasks}}, token)[1]
    results["tasks"] = sorted((t["status"], t["error_code"]) for t in ended)
    results["labels"] = len(api("/get-labels", {"where": {"key_starts_with": "from-outside"}},
                                token)[1])
    # the request log, then sessions expired
    log = call("GET", "/_simulator/requests?path=/v2/api/get-vms", admin=True)[1]
    results["log"] = [r["status"] for r in log["requests"]]
    call("POST", "/_simulator/expire-sessions", admin=True)
    results["expired"] = api("/get-vms", {"first": 1}, token)[0]
    # back to the seed
    call("POST", "/_simulator/reset", admin=True)
    token = api("/login", {"username": "root", "password": "HC!r0cks", "source": "LOCAL"},
                None)[1]["data"]["token"]
    results["after_reset"] = len(api("/get-labels", {"where": {"key_starts_with": "from-outside"}},
                                     token)[1])
    results["modules"] = sorted(m for m in sys.modules if m.split(".")[0] == "cloudtower")
    print(json.dumps(results))
''')


def test_a_separate_process_drives_the_admin_interface_with_urllib_only(sim, tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(DRIVER if isinstance(DRIVER, type(u"")) else DRIVER.decode("utf-8"))
    # -E -s: no PYTHONPATH, no user site; run from an empty folder (no checkout on the path)
    process = subprocess.Popen([sys.executable, "-E", "-s", str(script), sim.root_url, TOKEN],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(tmp_path),
                               env={"PATH": os.environ.get("PATH", "")})
    out, err = process.communicate()
    assert process.returncode == 0, err.decode("utf-8")
    results = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    assert results == {
        "refused": 401, "reset": 200, "vms": 21, "faulted": [503, 503, 200], "running": 2,
        "tasks": [["FAILED", "NOPE"], ["SUCCESSED", None]], "labels": 1,
        "log": [200, 503, 503, 200], "expired": 401, "after_reset": 0, "modules": []}
    assert sim.task_seconds == 600  # changed from outside
