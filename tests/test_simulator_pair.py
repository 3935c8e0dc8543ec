# coding: utf-8
"""The simulator as an active-passive CloudTower pair (``Simulator.pair``), over plain HTTP."""
import json
import os
import subprocess
import sys

import pytest
import urllib3

import cloudtower
from cloudtower.simulator import Simulator
from cloudtower.simulator.server import HEALTH_PATH


@pytest.fixture(scope="module")
def pair_server():
    with Simulator.pair(seed=4, task_seconds=0.02) as pair:
        yield pair


@pytest.fixture
def pair(pair_server):
    pair_server.reset()
    yield pair_server


class _NoRedirects(object):
    """A pool manager that never follows a redirect (urllib3 1.x follows one even
    with ``retries=False``)."""

    def __init__(self):
        self.manager = urllib3.PoolManager(retries=False, timeout=10)

    def request(self, method, url, **kwargs):
        return self.manager.request(method, url, redirect=False, **kwargs)


@pytest.fixture
def http():
    client = _NoRedirects()
    yield client
    client.manager.clear()


def health(http, node):
    return http.request("GET", node.root_url + HEALTH_PATH).status


def login(http, node, password="HC!r0cks"):
    answer = http.request("POST", node.endpoint + "/login", headers={"Content-Type": "application/json"},
                          body=json.dumps({"username": "root", "password": password}).encode())
    return answer.status, (json.loads(answer.data.decode())["data"]["token"]
                           if answer.status == 200 else None)


def vm_count(http, node, token):
    answer = http.request("POST", node.endpoint + "/get-vms", body=b"{}",
                          headers={"Content-Type": "application/json", "Authorization": token})
    return answer.status, (len(json.loads(answer.data.decode())) if answer.status == 200 else None)


def test_a_single_simulator_is_healthy():
    with Simulator(port=0) as sim:
        http = _NoRedirects()
        answer = http.request("GET", sim.root_url + HEALTH_PATH)
        assert (answer.status, json.loads(answer.data.decode())) == (200, {"status": "ok"})
        assert sim.endpoint == sim.root_url + "/v2/api"
        # a fault for every request leaves probes alone; one for the health path does not
        sim.fail_next("*", status=503)
        assert http.request("GET", sim.root_url + HEALTH_PATH).status == 200
        sim.fail_next(HEALTH_PATH, status=503)
        assert http.request("GET", sim.root_url + HEALTH_PATH).status == 503
        sim.clear_faults()


def test_the_active_node_serves_and_the_passive_one_redirects(pair, http):
    active, passive = pair.nodes
    assert pair.roles == ["active", "passive"] and pair.active is active
    assert [health(http, node) for node in pair.nodes] == [200, 307]
    status, token = login(http, active)
    assert status == 200
    assert vm_count(http, active, token)[0] == 200
    answer = http.request("POST", passive.endpoint + "/get-vms?first=1", body=b"{}",
                          headers={"Content-Type": "application/json", "Authorization": token})
    assert answer.status == 307
    assert answer.headers["Location"] == active.endpoint + "/get-vms?first=1"
    body = json.loads(answer.data.decode())
    assert body["status"] == 307 and "passive" in body["message"]
    assert body["path"] == "/v2/api/get-vms"
    assert [r["status"] for r in passive.requests] == [307, 307]


def test_both_nodes_serve_one_estate_and_share_sessions(pair, http):
    first, second = pair.nodes
    assert first.store is second.store is pair.store
    status, token = login(http, first)
    expected = vm_count(http, first, token)
    pair.switch()
    assert pair.roles == ["passive", "active"]
    assert [health(http, node) for node in pair.nodes] == [307, 200]
    # the token from node 0 is good on node 1, and node 1 holds the same VMs
    assert vm_count(http, second, token) == expected
    assert vm_count(http, first, token)[0] == 307


def test_without_shared_sessions_each_node_knows_its_own_logins(http):
    with Simulator.pair(seed=4, shared_sessions=False, active=1) as pair:
        assert pair.roles == ["passive", "active"]
        _, token = login(http, pair.nodes[1])
        pair.switch()
        assert vm_count(http, pair.nodes[0], token)[0] == 401


def test_a_node_goes_down_and_comes_back(pair, http):
    first, second = pair.nodes
    port = first.port
    pair.down(0)
    # the passive node took over in the same step
    assert pair.roles == ["down", "active"] and pair.active is second
    with pytest.raises(urllib3.exceptions.HTTPError):
        http.request("GET", first.root_url + HEALTH_PATH)
    assert health(http, second) == 200
    pair.up(0)
    assert pair.roles == ["passive", "active"] and first.port == port
    assert health(http, first) == 307
    pair.down(1, promote=False)
    assert pair.roles == ["passive", "down"] and pair.active is None
    assert health(http, first) == 307
    pair.set_roles("active", "active")
    assert [health(http, node) for node in pair.nodes] == [200, 200]


def test_roles_are_checked(pair):
    with pytest.raises(ValueError):
        pair.set_roles("active", "standby")
    with pytest.raises(TypeError):
        Simulator.pair(port=1)


def test_faults_apply_to_a_passive_node_too(pair, http):
    passive = pair.nodes[1]
    passive.fail_next(HEALTH_PATH, status=500)
    assert health(http, passive) == 500
    assert health(http, passive) == 307
    passive.fail_next("get_vms", drop=True)
    with pytest.raises(urllib3.exceptions.HTTPError):
        http.request("POST", passive.endpoint + "/get-vms", body=b"{}")


def test_taking_a_node_down_answers_what_it_is_serving(pair, http):
    import threading
    active = pair.nodes[0]
    _, token = login(http, active)
    # a slow request is under way when the node goes down: it is still answered
    active.fail_next("get_vms", status=None, delay=0.5)
    answers = []
    slow = threading.Thread(target=lambda: answers.append(vm_count(http, active, token)))
    slow.start()
    # under way: its fault taken (the login's handler may still be counted as serving)
    for _ in range(1000):
        if active.serving and not active._faults:
            break
        slow.join(0.01)
    pair.down(0)
    slow.join(10)
    assert answers and answers[0][0] == 200


def test_command_line_serves_a_pair(http):
    parent = os.path.dirname(os.path.dirname(os.path.abspath(cloudtower.__file__)))
    env = dict(os.environ, PYTHONPATH=parent + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-m", "cloudtower.simulator", "--pair", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        endpoints = []
        while True:
            line = process.stdout.readline().decode("utf-8")
            assert line, process.stderr.read()
            if line.startswith("endpoint: "):
                endpoints.append(line.split()[1:])
            if line.startswith("password: "):
                break
        assert [role for _, role in endpoints] == ["(active)", "(passive)"]
        roots = [url[:-len("/v2/api")] for url, _ in endpoints]
        assert [http.request("GET", root + HEALTH_PATH).status for root in roots] == [200, 307]
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()
        process.stderr.close()
