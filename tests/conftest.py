# coding: utf-8
"""Shared fixtures: a CloudTower simulator on 127.0.0.1 and SDK clients for it.

- ``simulator``: one :class:`~cloudtower.simulator.Simulator` for the whole
  session (``task_seconds`` = 0.05), put back to its seeded inventory before
  a test whenever an earlier test changed it, with no faults left over.
- ``api_client``: an ``ApiClient`` logged in to it as root (closed after the test).
- ``finish``: ``finish(task_ids)`` polls ``get_tasks`` until every task has
  ended and returns the ``Task`` models in the order of the ids (through
  ``api_client``, or the ``client=`` given, e.g. one per thread).
"""
import time

import pytest

from cloudtower.simulator import Simulator

TASK_SECONDS = 0.05


@pytest.fixture(scope="session")
def simulator_server():
    sim = Simulator(port=0, seed=1, task_seconds=TASK_SECONDS)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def simulator(simulator_server):
    sim = simulator_server
    sim.task_seconds = TASK_SECONDS
    if sim.store.dirty:
        sim.reset()
    sim.clear_faults()
    yield sim
    sim.clear_faults()
    sim.task_seconds = TASK_SECONDS


@pytest.fixture
def api_client(simulator):
    client = simulator.client()
    yield client
    client.close()


def wait_for_tasks(api_client, task_ids, timeout=10.0):
    """Poll until the tasks have ended; the ``Task`` models in the order of ``task_ids``."""
    from cloudtower.api.task_api import TaskApi
    api = TaskApi(api_client)
    deadline = time.time() + timeout
    while True:
        tasks = dict((t.id, t) for t in api.get_tasks({"where": {"id_in": list(task_ids)}}))
        missing = [i for i in task_ids if i not in tasks]
        assert not missing, "the server does not know tasks %s" % missing
        if all(t.status in ("SUCCESSED", "FAILED") for t in tasks.values()):
            return [tasks[i] for i in task_ids]
        assert time.time() < deadline, "tasks did not end in %.0f s: %s" % (
            timeout, [(t.id, t.status) for t in tasks.values()])
        time.sleep(0.02)


@pytest.fixture
def finish(api_client):
    def finish(task_ids, timeout=10.0, client=None):
        return wait_for_tasks(client or api_client, task_ids, timeout)
    return finish


GIB = 1024 ** 3


def one(models):
    """The only item of ``models``; fails the test if there are none or several."""
    assert len(models) == 1, models
    return models[0]


def a_vm(api_client, **where):
    """A VM outside the recycle bin that matches ``where`` (the first one listed)."""
    from cloudtower.api.vm_api import VmApi
    where.setdefault("in_recycle_bin", False)
    return VmApi(api_client).get_vms({"where": where, "first": 1})[0]


def vm_by_id(api_client, vm_id):
    """The VM ``vm_id``, or None once it is gone."""
    from cloudtower.api.vm_api import VmApi
    found = VmApi(api_client).get_vms({"where": {"id": vm_id}})
    return found[0] if found else None


class FakeClock(object):
    """Time that moves only when waited on: the simulator's tasks and the
    helpers' pauses share it, so a test counts seconds without spending them."""

    def __init__(self, start):
        self.now = float(start)
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += max(seconds, 0)


@pytest.fixture
def fake_clock(simulator, monkeypatch):
    """A ``FakeClock`` driving the simulator's tasks and ``wait_tasks``'s pauses."""
    import cloudtower.utils
    clock = FakeClock(time.time())
    real = simulator.store.clock
    simulator.store.clock = clock
    monkeypatch.setattr(cloudtower.utils, "_clock", clock)
    monkeypatch.setattr(cloudtower.utils, "_sleep", clock.sleep)
    yield clock
    simulator.store.clock = real
