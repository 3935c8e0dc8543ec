# coding: utf-8
"""A failover in the middle of 1,000 calls over 16 threads, against ``Simulator.pair``.

The roles switch after the 300th call has ended and the active node goes
down (the other taking over) after the 600th, while the calls go on: reads
of several kinds (some with ``async_req=True``) and changes (each creates a
label with its own key, one task). Afterwards the estate is compared with
what the client reported, exactly:

- every read was answered;
- every change reported done made exactly one task and one label;
- every change reported failed (only ``ApiException`` with status 0: the
  connection failed) made nothing;
- nothing else was made.

Nothing is timed: the faults are triggered by counts of finished calls, and
only outcomes and counts are checked.
"""
from __future__ import print_function

import collections
import threading

import pytest

from cloudtower import ApiException, LabelApi, VmApi
from cloudtower.simulator import Simulator
from cloudtower.simulator.server import HEALTH_PATH

CALLS = 1000
THREADS = 16
SWITCH_AFTER = 300
DOWN_AFTER = 600
PREFIX = "failover-"

pytestmark = pytest.mark.slow


def plan(index):
    """What call ``index`` does: ("change", key) or ("read", kind)."""
    if index % 10 in (1, 4, 7):
        return "change", "%s%04d" % (PREFIX, index)
    return "read", ("vms", "labels", "count", "async")[index % 4]


def run(client, index):
    kind, what = plan(index)
    if kind == "change":
        answer = LabelApi(client).create_label([{"key": what, "value": "v"}])
        assert len(answer) == 1 and answer[0].task_id
        return answer[0].task_id
    vm_api = VmApi(client)
    if what == "vms":
        return len(vm_api.get_vms({"first": 5}))
    if what == "labels":
        return len(LabelApi(client).get_labels({"first": 5}))
    if what == "count":
        return vm_api.get_vms_connection({}).aggregate.count
    return len(vm_api.get_vms({"first": 3}, async_req=True).get(120))


def test_a_failover_in_the_middle_of_1000_calls():
    with Simulator.pair(seed=5, task_seconds=0.01) as pair:
        for node in pair.nodes:
            node.requests = collections.deque(maxlen=20000)  # keep every request of the run
        client = pair.client(retry_backoff=0.01, connection_pool_maxsize=THREADS)
        client.pool_threads = 4
        tasks_before = len(pair.store.rows["Task"])

        outcomes = {}
        lock = threading.Condition()
        state = {"next": 0, "done": 0}

        def worker():
            while True:
                with lock:
                    index = state["next"]
                    if index >= CALLS:
                        return
                    state["next"] += 1
                try:
                    outcomes[index] = ("ok", run(client, index))
                except ApiException as error:
                    outcomes[index] = ("failed", error)
                except Exception as error:  # anything else is a bug: recorded, then asserted on
                    outcomes[index] = ("crashed", error)
                with lock:
                    state["done"] += 1
                    lock.notify_all()

        def faults():
            for count, action in ((SWITCH_AFTER, pair.switch), (DOWN_AFTER, lambda: pair.down(1))):
                with lock:
                    while state["done"] < count:
                        lock.wait(1)
                action()

        controller = threading.Thread(target=faults)
        workers = [threading.Thread(target=worker) for _ in range(THREADS)]
        controller.start()
        for thread in workers:
            thread.start()
        for thread in workers + [controller]:
            thread.join(300)
            assert not thread.is_alive(), "a thread is still running"
        client.close()
        assert pair.roles == ["active", "down"]
        pair.settle()

        assert sorted(outcomes) == list(range(CALLS))
        crashed = [(i, o[1]) for i, o in outcomes.items() if o[0] == "crashed"]
        assert not crashed, crashed[:5]
        reads = [i for i in outcomes if plan(i)[0] == "read"]
        changes = [i for i in outcomes if plan(i)[0] == "change"]
        unanswered = [(i, outcomes[i][1]) for i in reads if outcomes[i][0] != "ok"]
        assert not unanswered, unanswered[:5]

        done = set(plan(i)[1] for i in changes if outcomes[i][0] == "ok")
        failed = dict((plan(i)[1], outcomes[i][1]) for i in changes if outcomes[i][0] == "failed")
        # a change reported failed is one whose connection broke: status 0
        assert all(error.status == 0 for error in failed.values()), \
            [str(e) for e in failed.values() if e.status != 0][:3]
        made = collections.Counter(row.get("key") for row in pair.store.rows["Label"].values()
                                   if (row.get("key") or "").startswith(PREFIX))
        assert sorted(made.elements()) == sorted(done), (
            "labels made twice: %s; reported done, not made: %s; reported failed, made: %s" % (
                [k for k, n in made.items() if n > 1], sorted(done - set(made)),
                sorted(set(failed) & set(made))))
        task_ids = [outcomes[i][1] for i in changes if outcomes[i][0] == "ok"]
        assert len(set(task_ids)) == len(done)
        assert len(pair.store.rows["Task"]) - tasks_before == len(done)
        tasks = [pair.store.rows["Task"][task_id] for task_id in task_ids]
        assert all(task["status"] == "SUCCESSED" for task in tasks)

        # both faults happened while calls were under way
        requests = [list(node.requests) for node in pair.nodes]
        redirected = [r for r in requests[0] if r["status"] == 307 and r["path"] != HEALTH_PATH]
        assert redirected, "no call met the switch"
        served = [len([r for r in node if r["status"] == 200 and r["path"] != HEALTH_PATH])
                  for node in requests]
        assert served[0] > SWITCH_AFTER and served[1] > 0
        probes = [len([r for r in node if r["path"] == HEALTH_PATH]) for node in requests]
        print("\nreads %d, all answered; changes %d: %d done, %d failed (connection broken, "
              "nothing made); 307 answers %d; probes per node %s; API answers per node %s"
              % (len(reads), len(changes), len(done), len(failed), len(redirected), probes,
                 served))
