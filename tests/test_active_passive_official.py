# coding: utf-8
"""Side by side with the official SDK: ``ActivePassiveApiClient`` of
cloudtower-sdk 2.23.0 and ours, through the same scenarios on the same
simulated CloudTower pair (``Simulator.pair``).

- The official SDK is installed into ``.tox/official-2.23.0`` (a virtualenv of
  this Python, reused while ``pip show cloudtower-sdk`` says 2.23.0) and driven
  there by tests/active_passive_driver.py, one JSON command a line; ours runs
  the same driver code in this process.
- Each scenario starts from the seeded inventory with given roles, then
  alternates changes to the pair (switch roles, a node down, a fault on one
  node) with client steps (make a client, read, change). The same scenario is
  run for each SDK in turn; for every client step the test records the
  outcome (``ok`` or the exception's class name, and its status), which node
  answered the API request, which nodes answered 307, how many health probes
  each node got, which node the client holds as active afterwards, and how
  many tasks (changes) the step made.
- Every step must agree, except the differences listed in KNOWN with their
  reasons; a listed difference that no longer occurs fails too.

Needs PyPI (pip), so it runs in the tox ``wire`` environment only (marker
``official``).
"""
from __future__ import print_function

import json
import os
import subprocess
import sys

import pytest

from tests import official_sdk

pytestmark = pytest.mark.official

if sys.version_info < (3, 6):  # collected by the py27 run too; the marker deselects it there
    pytest.skip("needs Python 3", allow_module_level=True)

from cloudtower.simulator import Simulator  # noqa: E402
from cloudtower.simulator.server import HEALTH_PATH  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DRIVER = os.path.join(HERE, "active_passive_driver.py")
RELEASE = "2.23.0"
USER = {"name": "root", "password": "HC!r0cks", "source": "LOCAL"}

A, P, D = "active", "passive", "down"


def new(**options):
    step = {"do": "new", "user_config": USER}
    step.update(options)
    return step


GET = {"do": "call", "call": "get_vms"}
CREATE = {"do": "call", "call": "create_label"}

# (name, first roles, steps): a step is a client command (a dict) or a change
# to the pair: ("switch",), ("down", node), ("up", node), ("roles", r0, r1),
# ("fault", node, operation, options for Simulator.fail_next).
SCENARIOS = [
    ("discovers node 0 and keeps it", (A, P), [new(), GET, GET]),
    ("discovers node 1", (P, A), [new(), GET]),
    ("auto failover on 307", (A, P), [new(), GET, ("switch",), GET, GET, ("switch",), GET]),
    ("manual failover raises, the next call finds the active node", (A, P),
     [new(strategy="manual_failover"), GET, ("switch",), GET, GET, GET]),
    ("always probe", (A, P),
     [new(strategy="always_probe"), GET, ("switch",), GET,
      ("fault", 1, "get_vms", {"status": 307}), GET, GET]),
    ("the node found active redirects too: retries exhausted", (A, P),
     [new(), GET, ("fault", 0, "get_vms", {"status": 307, "times": 2}), GET, GET]),
    ("no active node", (P, P), [new(), new(user_config=None), GET]),
    ("two active nodes", (A, A), [new(), new(user_config=None), GET]),
    ("no endpoints", (A, P), [new(endpoints=[])]),
    ("the same endpoint twice", (A, P), [new(endpoints=[0, 0]), new(endpoints=["0/"] + [0])]),
    ("an endpoint that does not answer", (A, D), [new(), GET]),
    ("the active node goes down, the other takes over", (A, P),
     [new(), GET, ("down", 0), GET, GET]),
    ("a change whose answer was lost is not sent again", (A, P),
     [new(), ("fault", 0, "create_label", {"drop": True, "after": True}), CREATE, GET]),
    ("a change answered 307 goes to the active node once", (A, P),
     [new(), GET, ("switch",), CREATE, CREATE]),
    ("manual failover: a change answered 307 is not carried out", (A, P),
     [new(strategy="manual_failover"), GET, ("switch",), CREATE, CREATE]),
]

# Differences on purpose: (scenario, client step number) -> ({field: (official, ours)},
# reason). Each must occur as listed.
NODE_DOWN = ("2.23.0 catches only ApiException around a call: a node that refuses the "
             "connection raises urllib3's MaxRetryError and stays the active node, so every later "
             "call fails the same way until the client is made anew. Ours forgets a node it "
             "cannot reach and sends a request that never reached it to the node active now")
LOST_ANSWER = ("both send the change once (one task). 2.23.0 lets urllib3's ProtocolError "
               "through and keeps the node; ours raises ApiException with status 0 saying the "
               "change may have been carried out and is not sent again (as ApiClient does with "
               "one node), and forgets the node, so the next call probes first")
KNOWN = {
    ("the active node goes down, the other takes over", 3): (
        {"outcome": ("MaxRetryError", "ok"), "served": ([], [1]), "probes": ([0, 0], [0, 1]),
         "active": (0, 1)}, NODE_DOWN),
    ("the active node goes down, the other takes over", 4): (
        {"outcome": ("MaxRetryError", "ok"), "served": ([], [1]), "active": (0, 1)}, NODE_DOWN),
    ("a change whose answer was lost is not sent again", 2): (
        {"outcome": ("ProtocolError", "ApiException"), "status": (None, 0), "active": (0, None)},
        LOST_ANSWER),
    ("a change whose answer was lost is not sent again", 3): (
        {"probes": ([0, 0], [1, 1])}, LOST_ANSWER),
}


# -- the official SDK's environment ------------------------------------------------

def official_python():
    """The Python of ``.tox/official-2.23.0`` (the environment tests/test_official_wire.py uses too)."""
    return official_sdk.official_python(RELEASE)


class OfficialDriver(object):
    """tests/active_passive_driver.py in the official environment, one command a line."""

    def __init__(self, python, workdir):
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PYTHON"))
        self.process = subprocess.Popen([python, "-I", DRIVER], cwd=workdir, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        universal_newlines=True)
        hello = json.loads(self.process.stdout.readline() or "null")
        assert hello and hello["ready"] == RELEASE, hello
        self.file = hello["file"]

    def execute(self, command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the official driver ended (exit %s)" % self.process.poll()
        return json.loads(line)

    def close(self):
        try:
            self.process.stdin.write(json.dumps({"do": "quit"}) + "\n")
            self.process.stdin.flush()
            self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


class OurDriver(object):
    """The same driver code, in this process, with our cloudtower."""

    def __init__(self):
        from tests import active_passive_driver
        self.driver = active_passive_driver
        import cloudtower
        self.file = cloudtower.__file__

    def execute(self, command):
        return self.driver.execute(command)

    def close(self):
        for name in list(self.driver.CLIENTS):
            self.driver.execute({"do": "close", "client": name})


# -- running a scenario ---------------------------------------------------------------

def _apply(pair, change):
    kind = change[0]
    if kind == "switch":
        pair.switch()
    elif kind == "down":
        pair.down(change[1])
    elif kind == "up":
        pair.up(change[1])
    elif kind == "roles":
        pair.set_roles(change[1], change[2])
    elif kind == "fault":
        pair.nodes[change[1]].fail_next(change[2], **change[3])
    else:
        raise ValueError(change)


def _endpoint(pair, value):
    """An endpoint of the plan: a node number, or "N/" (the node's root URL with a slash)."""
    if isinstance(value, int):
        return pair.root_urls[value]
    return pair.root_urls[int(value.rstrip("/"))] + "/"


def run_scenario(pair, driver, name, roles, steps):
    """Every client step's observations, in order."""
    pair.reset()
    pair.set_roles(*roles)
    key = "ap-%s" % abs(hash(name))
    observed = []
    for step in steps:
        if not isinstance(step, dict):
            _apply(pair, step)
            continue
        command = dict(step, client="c", key=key)
        if command["do"] == "new":
            command["endpoints"] = [_endpoint(pair, e) for e in command.get("endpoints", (0, 1))]
        seen = [len(node.requests) for node in pair.nodes]
        tasks = len(pair.store.rows["Task"])
        answer = driver.execute(command)
        requests = [list(node.requests)[count:] for node, count in zip(pair.nodes, seen)]
        api = [[r for r in node if r["path"] != HEALTH_PATH] for node in requests]
        roots = pair.root_urls
        observed.append({
            "step": "%d %s" % (len(observed) + 1, command.get("call") or command["do"]),
            "outcome": answer["outcome"],
            "status": answer["status"],
            "served": [i for i in (0, 1) if any(r["status"] and r["status"] < 300 for r in api[i])],
            "redirected": [i for i in (0, 1) if any(r["status"] == 307 for r in api[i])],
            "probes": [len(node) - len(calls) for node, calls in zip(requests, api)],
            "active": roots.index(answer["active"].rstrip("/")) if answer["active"] else None,
            "tasks": len(pair.store.rows["Task"]) - tasks,
        })
    driver.execute({"do": "close", "client": "c"})
    return observed


@pytest.fixture(scope="module")
def pair():
    with Simulator.pair(seed=3, task_seconds=0.02) as pair:
        yield pair


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    driver = OfficialDriver(official_python(), str(tmp_path_factory.mktemp("official-ap")))
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def ours():
    driver = OurDriver()
    yield driver
    driver.close()


def test_the_drivers_run_each_sdk(official, ours):
    assert os.path.join(".tox", "official-" + RELEASE) in official.file
    assert ".tox" not in ours.file or "official-" not in ours.file


@pytest.mark.parametrize("name, roles, steps", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_same_behaviour_as_the_official_client(pair, official, ours, name, roles, steps):
    theirs = run_scenario(pair, official, name, roles, steps)
    mine = run_scenario(pair, ours, name, roles, steps)
    print("\n%s" % name)
    differences = []
    for number, (a, b) in enumerate(zip(theirs, mine), 1):
        print("  %-14s official %s" % (a["step"], json.dumps(dict((k, v) for k, v in a.items()
                                                                   if k != "step"))))
        known = KNOWN.get((name, number), ({}, None))[0]
        for field in sorted(a):
            if field in known:
                if (a[field], b[field]) != known[field]:
                    differences.append(
                        "step %s, %s: the known difference (official %r, ours %r) is now official "
                        "%r, ours %r" % (a["step"], field, known[field][0], known[field][1],
                                         a[field], b[field]))
                print("  %-14s ours differs on purpose: %s %r" % ("", field, b[field]))
            elif a[field] != b[field]:
                differences.append("step %s, %s: official %r, ours %r"
                                   % (a["step"], field, a[field], b[field]))
    assert len(theirs) == len(mine)
    assert not differences, "%s:\n  %s\nofficial: %s\nours:     %s" % (
        name, "\n  ".join(differences), json.dumps(theirs), json.dumps(mine))


def test_every_known_difference_names_a_scenario():
    names = set(s[0] for s in SCENARIOS)
    assert set(key[0] for key in KNOWN) <= names
