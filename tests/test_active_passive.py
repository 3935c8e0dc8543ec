# coding: utf-8
"""ActivePassiveApiClient against the simulator's active-passive pair (``Simulator.pair``).

What each node got is read from its request log (``node.requests``), what
was changed from the shared store's tasks; nothing here depends on timing
except where a probe is made slow on purpose, and then only the outcome is
checked, never a duration.
"""
import threading

import pytest

import cloudtower
from cloudtower import ApiException, Configuration, LabelApi, VmApi
from cloudtower.active_passive_client import (
    ActivePassiveApiClient,
    ActivePassiveDuplicateHost,
    ActivePassiveException,
    ActivePassiveFailoverRequired,
    ActivePassiveMultipleActives,
    ActivePassiveNoActiveHost,
    ActivePassiveNoEndpoints,
    ActivePassiveRetryExhausted,
    ActivePassiveUnknownHost,
    FailoverStrategy,
)
from cloudtower.simulator import Simulator
from cloudtower.simulator.server import HEALTH_PATH
from cloudtower.utils import login

ROOT_USER = {"name": "root", "password": "HC!r0cks", "source": "LOCAL"}


@pytest.fixture(scope="module")
def pair_server():
    with Simulator.pair(seed=2, task_seconds=0.02) as pair:
        yield pair


@pytest.fixture
def pair(pair_server):
    pair_server.reset()
    yield pair_server
    for node in pair_server.nodes:
        node.clear_faults()


def probes(node):
    return len([r for r in node.requests if r["path"] == HEALTH_PATH])


def api_requests(node, status=None):
    return [r for r in node.requests if r["path"] != HEALTH_PATH
            and (status is None or r["status"] == status)]


def tasks(pair):
    return len(pair.store.rows["Task"])


def labels(pair, key):
    return [row for row in pair.store.rows["Label"].values() if row.get("key") == key]


def create_label(client, key, **kwargs):
    return LabelApi(client).create_label([{"key": key, "value": "v"}], **kwargs)


# -- names -------------------------------------------------------------------------

def test_the_names_of_2_23_0_resolve():
    import cloudtower.active_passive_client as module
    assert cloudtower.ActivePassiveApiClient is ActivePassiveApiClient
    assert cloudtower.FailoverStrategy is FailoverStrategy
    assert cloudtower.active_passive_client is module
    assert "ActivePassiveApiClient" in cloudtower.__all__ and "FailoverStrategy" in cloudtower.__all__
    assert (FailoverStrategy.AUTO_FAILOVER, FailoverStrategy.MANUAL_FAILOVER,
            FailoverStrategy.ALWAYS_PROBE) == ("auto_failover", "manual_failover", "always_probe")
    for name in ("NoEndpoints", "DuplicateHost", "NoActiveHost", "MultipleActives",
                 "RetryExhausted", "FailoverRequired", "UnknownHost"):
        cls = getattr(module, "ActivePassive" + name)
        assert issubclass(cls, ActivePassiveException) and issubclass(cls, ApiException)
    assert (module.DEFAULT_PROBE_TIMEOUT, module.HTTP_STATUS_TEMPORARY_REDIRECT,
            module.REQUEST_ATTEMPTS) == (5, 307, 2)
    getargs = __import__("inspect")
    spec = getattr(getargs, "getfullargspec", None) or getargs.getargspec
    assert spec(ActivePassiveApiClient.__init__).args == [
        "self", "endpoints", "user_config", "probe_timeout", "failover_strategy", "configuration",
        "header_name", "header_value", "cookie", "pool_threads"]
    assert spec(ActivePassiveException.__init__).args == [
        "self", "status", "reason", "http_resp", "host", "endpoints", "active_hosts", "failures",
        "strategy"]


# -- endpoints ------------------------------------------------------------------------

def test_endpoints_in_every_form(pair):
    first, second = pair.root_urls
    forms = [
        [first, second],
        [first + "/", second + "/v2/api"],           # the API address is the same node
        [{"root_url": first}, {"base_url": second}],
        [{"host": pair.endpoints[0]}, {"root_url": second.split("://")[1], "scheme": "http"}],
        [Configuration(host=pair.endpoints[0]), Configuration(root_url=second)],
    ]
    for endpoints in forms:
        client = ActivePassiveApiClient(endpoints, user_config=ROOT_USER)
        with client:
            assert client.endpoints == [first, second]
            assert client.current_active_base_url == first
            assert len(VmApi(client).get_vms({"first": 1})) == 1


def test_wrong_endpoints_are_refused_before_anything_is_sent(pair):
    first = pair.root_urls[0]
    for endpoints in (None, [], ["  "], [{"scheme": "http"}], [42]):
        with pytest.raises(ActivePassiveNoEndpoints) as caught:
            ActivePassiveApiClient(endpoints)
        assert caught.value.status == 0
    with pytest.raises(ActivePassiveDuplicateHost) as caught:
        ActivePassiveApiClient([first, first + "/"])
    assert caught.value.host == first
    with pytest.raises(cloudtower.ApiValueError):
        ActivePassiveApiClient([first], failover_strategy="sometimes")
    assert probes(pair.nodes[0]) == 0


def test_a_single_simulator_answers_its_health_path():
    with Simulator(port=0, seed=2) as sim:
        client = ActivePassiveApiClient([sim.root_url], user_config=ROOT_USER)
        assert client.current_active_base_url == sim.root_url
        assert len(VmApi(client).get_vms({"first": 1})) == 1
        assert [r["status"] for r in sim.requests if r["path"] == HEALTH_PATH] == [200]


# -- discovery and caching ------------------------------------------------------------

def test_discovers_the_active_node_once_and_keeps_it(pair):
    pair.set_roles("passive", "active")
    client = ActivePassiveApiClient(pair.root_urls)
    assert client.current_active_base_url is None
    login(client, pair.username, pair.password)
    assert client.current_active_base_url == pair.root_urls[1]
    assert client.configuration.host == pair.endpoints[1]
    for _ in range(5):
        VmApi(client).get_vms({"first": 1})
    assert [probes(node) for node in pair.nodes] == [1, 1]
    assert len(api_requests(pair.nodes[0])) == 0
    assert len(api_requests(pair.nodes[1], 200)) == 6  # login and five reads


def test_the_passive_node_redirects_to_the_active_one(pair):
    import urllib3
    http = urllib3.PoolManager(retries=False)
    try:
        answer = http.request("POST", pair.endpoints[1] + "/get-vms?x=1", body=b"{}",
                              redirect=False)
        assert answer.status == 307
        assert answer.headers["Location"] == pair.endpoints[0] + "/get-vms?x=1"
        assert b"passive" in answer.data
        assert http.request("GET", pair.root_urls[1] + HEALTH_PATH, redirect=False).status == 307
        assert http.request("GET", pair.root_urls[0] + HEALTH_PATH, redirect=False).status == 200
    finally:
        http.clear()


def test_no_active_node_and_two_active_nodes(pair):
    pair.set_roles("passive", "passive")
    client = ActivePassiveApiClient(pair.root_urls)
    with pytest.raises(ActivePassiveNoActiveHost) as caught:
        client.discover()
    assert caught.value.endpoints == pair.root_urls and caught.value.status == 0
    pair.set_roles("active", "down")
    with pytest.raises(ActivePassiveNoActiveHost) as caught:
        ActivePassiveApiClient([pair.root_urls[1]], user_config=ROOT_USER)
    assert pair.root_urls[1] in caught.value.failures[0]
    pair.set_roles("active", "active")
    with pytest.raises(ActivePassiveMultipleActives) as caught:
        ActivePassiveApiClient(pair.root_urls, user_config=ROOT_USER)
    assert caught.value.active_hosts == pair.root_urls


# -- failover ---------------------------------------------------------------------------

def test_auto_failover_on_307_sends_a_change_once(pair):
    client = pair.client()
    VmApi(client).get_vms({"first": 1})
    pair.switch()
    before = tasks(pair)
    answers = create_label(client, "ap-307")
    assert len(answers) == 1
    assert client.current_active_base_url == pair.root_urls[1]
    # node 0 answered 307 and did nothing; node 1 did it once
    assert [r["status"] for r in api_requests(pair.nodes[0]) if "label" in r["path"]] == [307]
    assert [r["status"] for r in api_requests(pair.nodes[1]) if "label" in r["path"]] == [200]
    assert tasks(pair) == before + 1
    pair.settle()
    assert len(labels(pair, "ap-307")) == 1


def test_retry_exhausted_when_the_active_node_redirects_too(pair):
    client = pair.client()
    pair.nodes[0].fail_next("get_vms", status=307, times=2)
    with pytest.raises(ActivePassiveRetryExhausted) as caught:
        VmApi(client).get_vms({"first": 1})
    assert (caught.value.status, caught.value.host) == (307, pair.root_urls[0])
    assert caught.value.strategy == FailoverStrategy.AUTO_FAILOVER
    assert len(VmApi(client).get_vms({"first": 1})) == 1


def test_manual_failover_raises_and_the_next_call_finds_the_active_node(pair):
    client = pair.client(failover_strategy=FailoverStrategy.MANUAL_FAILOVER)
    pair.switch()
    before = tasks(pair)
    with pytest.raises(ActivePassiveFailoverRequired) as caught:
        create_label(client, "ap-manual")
    error = caught.value
    assert (error.status, error.host, error.strategy) == (
        307, pair.root_urls[0], FailoverStrategy.MANUAL_FAILOVER)
    assert "passive" in error.message  # the passive node's error body is kept
    assert client.current_active_base_url is None and tasks(pair) == before
    create_label(client, "ap-manual")
    assert client.current_active_base_url == pair.root_urls[1] and tasks(pair) == before + 1


def test_manual_failover_after_the_node_went_down(pair):
    client = pair.client(failover_strategy=FailoverStrategy.MANUAL_FAILOVER, retry_backoff=0.01)
    pair.down(0)
    with pytest.raises(ActivePassiveFailoverRequired) as caught:
        VmApi(client).get_vms({"first": 1})
    assert (caught.value.status, caught.value.host) == (0, pair.root_urls[0])
    assert len(VmApi(client).get_vms({"first": 1})) == 1


def test_failover_by_hand(pair):
    client = pair.client(failover_strategy=FailoverStrategy.MANUAL_FAILOVER)
    pair.switch()
    assert client.failover() == pair.root_urls[1]
    assert client.failover(pair.root_urls[0] + "/") == pair.root_urls[0]
    assert client.current_active_base_url == pair.root_urls[0]
    with pytest.raises(ActivePassiveUnknownHost) as caught:
        client.failover("http://127.0.0.1:1")
    assert caught.value.endpoints == pair.root_urls


def test_always_probe_probes_before_every_request(pair):
    client = pair.client(failover_strategy=FailoverStrategy.ALWAYS_PROBE)
    counted = [probes(node) for node in pair.nodes]
    VmApi(client).get_vms({"first": 1})
    pair.switch()
    VmApi(client).get_vms({"first": 1})
    assert [probes(node) - c for node, c in zip(pair.nodes, counted)] == [2, 2]
    assert len(api_requests(pair.nodes[0], 307)) == 0  # never sent to the passive node
    # a node that turns passive between the probe and the request
    pair.nodes[1].fail_next("get_vms", status=307)
    with pytest.raises(ActivePassiveFailoverRequired):
        VmApi(client).get_vms({"first": 1})


# -- a node that goes down ----------------------------------------------------------------

def test_reads_and_changes_go_to_the_other_node_when_one_goes_down(pair):
    client = pair.client()
    VmApi(client).get_vms({"first": 1})
    pair.down(0)
    assert pair.roles == ["down", "active"]
    before = tasks(pair)
    assert len(VmApi(client).get_vms({"first": 1})) == 1
    assert client.current_active_base_url == pair.root_urls[1]
    pair.up(0)
    pair.switch()
    pair.down(1)
    # the refused connection carried nothing: the change goes to node 0, once
    create_label(client, "ap-down")
    assert tasks(pair) == before + 1
    assert client.current_active_base_url == pair.root_urls[0]


def test_a_change_whose_answer_was_lost_is_not_sent_again(pair):
    client = pair.client()
    pair.nodes[0].fail_next("create_label", drop=True, after=True)
    before = tasks(pair)
    with pytest.raises(ApiException) as caught:
        create_label(client, "ap-lost")
    assert caught.value.status == 0 and "may have carried it out" in caught.value.reason
    assert tasks(pair) == before + 1
    assert api_requests(pair.nodes[1]) == []  # not to the other node either
    # a read whose answer was lost is sent again
    pair.nodes[0].fail_next("get_vms", drop=True, after=True)
    assert len(VmApi(client).get_vms({"first": 1})) == 1


# -- what ApiClient does works through it --------------------------------------------------

def test_logging_in_again_after_failover_to_a_node_without_the_session():
    with Simulator.pair(seed=2, task_seconds=0.02, shared_sessions=False) as pair:
        client = ActivePassiveApiClient(pair.root_urls, user_config=ROOT_USER)
        token = client.configuration.api_key["Authorization"]
        pair.switch()
        assert len(VmApi(client).get_vms({"first": 1})) == 1
        assert client.configuration.api_key["Authorization"] != token
        assert [(r["path"].rsplit("/", 1)[1], r["status"]) for r in api_requests(pair.nodes[1])
                if "version" not in r["path"]] == [("get-vms", 401), ("login", 200), ("get-vms", 200)]


def test_version_awareness_and_retries(pair):
    client = pair.client()
    assert client.cloudtower_version() == pair.nodes[0].api_version
    pair.switch()
    pair.nodes[1].fail_next("get_vms", status=503)
    assert len(VmApi(client).get_vms({"first": 1})) == 1
    assert [r["status"] for r in api_requests(pair.nodes[1]) if "vms" in r["path"]] == [503, 200]
    pinned = pair.client(api_version="4.3.0")
    assert pinned.cloudtower_version_index()[1] == "4.3.0"


def test_async_requests_across_a_failover(pair):
    client = pair.client()
    client.pool_threads = 4
    first = [VmApi(client).get_vms({"first": 1}, async_req=True) for _ in range(8)]
    assert all(len(result.get(30)) == 1 for result in first)
    pair.switch()
    second = [VmApi(client).get_vms({"first": 1}, async_req=True) for _ in range(8)]
    assert all(len(result.get(30)) == 1 for result in second)
    assert client.current_active_base_url == pair.root_urls[1]
    client.close()


def test_threads_share_one_round_of_probes_after_a_switch(pair):
    client = pair.client()
    VmApi(client).get_vms({"first": 1})
    counted = [probes(node) for node in pair.nodes]
    pair.switch()
    results, start = [], threading.Event()

    def read():
        start.wait(10)
        results.append(len(VmApi(client).get_vms({"first": 1})))

    threads = [threading.Thread(target=read) for _ in range(12)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(60)
    assert results == [1] * 12
    # every thread met the 307; far fewer rounds of probes than threads
    assert 1 <= probes(pair.nodes[1]) - counted[1] < 12


def test_a_slow_probe_does_not_hold_the_call(pair):
    pair.set_roles("passive", "active")
    # node 0's health path answers only after 5 s; a probe may take 0.5 s
    pair.nodes[0].fail_next(HEALTH_PATH, status=None, delay=5)
    client = ActivePassiveApiClient(pair.root_urls, user_config=ROOT_USER, probe_timeout=0.5)
    assert client.current_active_base_url == pair.root_urls[1]
    assert len(VmApi(client).get_vms({"first": 1})) == 1
    # node 0 is still working on the slow probe: nobody waited for it
    assert pair.nodes[0].serving == 1
    assert pair.nodes[0].wait_idle(10)
