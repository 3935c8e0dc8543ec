# coding: utf-8
"""An active-passive CloudTower pair: one client for both nodes, and failover.

    python examples/active_passive.py             # the simulator's pair, every scenario
    python examples/active_passive.py node_down   # just one

Without settings it starts the SDK's simulated pair (two nodes on
127.0.0.1 over one estate) and changes the pair's roles as it goes, to show
what the client does. Against a real pair set CLOUDTOWER_ENDPOINTS to the two
nodes' addresses, comma-separated (``https://tower-a.example,https://tower-b.example``),
with CLOUDTOWER_USERNAME and CLOUDTOWER_PASSWORD: it then only connects,
says which node is active and reads, since it cannot change a real pair's
roles.

Python 2.7 and 3.x.
"""
from __future__ import print_function

import os
import sys

from _common import fail
from cloudtower import (
    ActivePassiveApiClient,
    ApiException,
    Configuration,
    FailoverStrategy,
    LabelApi,
    VmApi,
)
from cloudtower.active_passive_client import ActivePassiveFailoverRequired
from cloudtower.utils import login


def connect(endpoints, username, password, **options):
    """A client for the pair, logged in (and logging in again by itself if its
    session expires, on whichever node is active by then)."""
    client = ActivePassiveApiClient(endpoints, configuration=Configuration(), **options)
    login(client, username, password)
    return client


def which(pair, client):
    """Which node the client sends to: "node 0" or "node 1"."""
    return "node %d" % pair.root_urls.index(client.current_active_base_url)


def discover(pair):
    # The client probes both nodes' health path (/api/healthz) at once: 200
    # is the active node, 307 the passive one. It remembers the answer.
    client = connect(pair.root_urls, pair.username, pair.password)
    vms = VmApi(client).get_vms({"first": 3})
    print("active: %s; read %d VMs there" % (which(pair, client), len(vms)))
    client.close()


def failover_on_switch(pair):
    # The nodes swap roles. The old active node answers 307 (it does
    # nothing); the client finds the new active node and sends the request
    # there. A change answered 307 was not carried out, so it is sent once more.
    client = connect(pair.root_urls, pair.username, pair.password)
    VmApi(client).get_vms({"first": 1})
    print("before: %s" % which(pair, client))
    pair.switch()
    created = LabelApi(client).create_label([{"key": "sdk-example-pair", "value": "switch"}])
    assert client.current_active_base_url == pair.root_urls[1] and len(created) == 1
    print("after the switch: %s; the change went there once (%d task)"
          % (which(pair, client), len(created)))
    LabelApi(client).delete_label({"where": {"key": "sdk-example-pair"}})
    pair.switch()
    client.close()


def node_down(pair):
    # The active node stops; the passive one takes over. A request that
    # could not reach the dead node goes to the new active node; a read is
    # repeated. A change whose answer was lost is never repeated: it is
    # reported (ApiException, status 0) since it may have been carried out.
    client = connect(pair.root_urls, pair.username, pair.password)
    VmApi(client).get_vms({"first": 1})
    print("before: %s" % which(pair, client))
    pair.down(0)
    vms = VmApi(client).get_vms({"first": 3})
    assert client.current_active_base_url == pair.root_urls[1]
    print("node 0 is down; %s answered (%d VMs)" % (which(pair, client), len(vms)))
    pair.up(0)
    pair.set_roles("active", "passive")
    client.close()


def manual_failover(pair):
    # With MANUAL_FAILOVER a call does not move to the other node by itself:
    # it raises ActivePassiveFailoverRequired, and the next call finds the
    # active node (or call client.failover() first).
    client = connect(pair.root_urls, pair.username, pair.password,
                     failover_strategy=FailoverStrategy.MANUAL_FAILOVER)
    VmApi(client).get_vms({"first": 1})
    pair.switch()
    try:
        VmApi(client).get_vms({"first": 1})
        fail("the call moved to the other node by itself")
    except ActivePassiveFailoverRequired as error:
        print("failover required: %s answered %d" % (
            "node %d" % pair.root_urls.index(error.host), error.status))
    print("client.failover() -> %s" % ("node %d" % pair.root_urls.index(client.failover())))
    print("then: %d VM read on %s" % (len(VmApi(client).get_vms({"first": 1})),
                                      which(pair, client)))
    pair.switch()
    client.close()


SCENARIOS = [discover, failover_on_switch, node_down, manual_failover]


def against_a_real_pair(endpoints):
    username = os.environ.get("CLOUDTOWER_USERNAME")
    password = os.environ.get("CLOUDTOWER_PASSWORD")
    if not username or password is None:
        fail("CLOUDTOWER_ENDPOINTS is set: set CLOUDTOWER_USERNAME and CLOUDTOWER_PASSWORD too")
    try:
        client = connect(endpoints, username, password)
    except ApiException as error:
        fail("cannot use the pair: %s: %s" % (type(error).__name__, error.reason))
    print("active node: %s" % client.current_active_base_url)
    print("%d VMs" % VmApi(client).get_vms_connection({}).aggregate.count)
    client.close()


def main():
    endpoints = os.environ.get("CLOUDTOWER_ENDPOINTS")
    if endpoints:
        against_a_real_pair([e.strip() for e in endpoints.split(",") if e.strip()])
        return
    chosen = sys.argv[1:]
    names = [scenario.__name__ for scenario in SCENARIOS]
    unknown = [name for name in chosen if name not in names]
    if unknown:
        fail("unknown scenario %s; choose from: %s" % (", ".join(unknown), ", ".join(names)))
    from cloudtower.simulator import Simulator
    with Simulator.pair(seed=1, task_seconds=0.05) as pair:
        sys.stderr.write("(no CLOUDTOWER_ENDPOINTS: using the simulated pair at %s)\n"
                         % ", ".join(pair.root_urls))
        for scenario in SCENARIOS:
            if not chosen or scenario.__name__ in chosen:
                print("== %s" % scenario.__name__)
                scenario(pair)


if __name__ == "__main__":
    main()
