# coding: utf-8
"""wait_for (the tasks of an answer) and wait_until (a query's rows in a
state), against the simulator and, for the timing rules, against a scripted
list operation on an injected clock (polls are counted, nothing is timed)."""
import logging

import pytest

import cloudtower
from cloudtower import ApiException, ApiTypeError, ApiValueError, VmApi, waiters
from cloudtower.models import Vm, WithTaskVm
from cloudtower.waiters import WaiterError, wait_for, wait_until


class FakeTime(object):
    """The waiters' clock and sleep: sleeping moves the clock."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(waiters, "_clock", fake.clock)
    monkeypatch.setattr(waiters, "_sleep", fake.sleep)
    return fake


class Script(object):
    """A list operation answering a scripted list of answers (the last one repeats);
    an exception in the script is raised instead."""

    __name__ = "get_vms"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, request):
        self.calls.append(request)
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


def vms(*states):
    return [Vm(id="vm-%d" % i, name="web-%d" % i, status=s) for i, s in enumerate(states)]


def test_it_returns_the_rows_once_every_row_is_in_the_state(fake_time):
    script = Script(vms("STOPPED", "STOPPED"), vms("RUNNING", "STOPPED"), vms("RUNNING", "RUNNING"))
    request = {"where": {"id_in": ["vm-0", "vm-1"]}}
    rows = wait_until(script, request, {"status": "RUNNING"}, interval=5)
    assert [vm.status for vm in rows] == ["RUNNING", "RUNNING"]
    assert len(script.calls) == 3
    assert script.calls == [request] * 3 and request == {"where": {"id_in": ["vm-0", "vm-1"]}}
    # the polls of wait_tasks: quickly first, growing towards `interval`
    assert fake_time.sleeps == [0.1, 0.15000000000000002]


def test_no_rows_is_not_every_row_but_count_0_waits_for_none(fake_time):
    script = Script([], [], vms("RUNNING"))
    assert len(wait_until(script, {}, {"status": "RUNNING"})) == 1
    assert len(script.calls) == 3
    gone = Script(vms("STOPPED"), [])
    assert wait_until(gone, {}, count=0) == []
    assert len(gone.calls) == 2


def test_count_wants_that_many_rows(fake_time):
    script = Script(vms("RUNNING"), vms("RUNNING", "RUNNING"), vms("RUNNING", "RUNNING", "RUNNING"))
    assert len(wait_until(script, {}, {"status": "RUNNING"}, count=3)) == 3
    assert len(script.calls) == 3


def test_conditions_as_functions_and_lists_of_values(fake_time):
    script = Script(vms("STOPPED", "SUSPENDED"), vms("RUNNING", "SUSPENDED"))
    assert len(wait_until(script, {}, {"status": ["RUNNING", "SUSPENDED"]})) == 2
    assert len(script.calls) == 2
    script = Script(vms("STOPPED", "RUNNING"), vms("RUNNING", "RUNNING"))

    def running(vm):
        return vm.status == "RUNNING"
    assert len(wait_until(script, {}, running)) == 2


def test_a_failure_state_ends_the_wait_at_once(fake_time):
    script = Script(vms("STOPPED", "STOPPED"), vms("UNKNOWN", "RUNNING"), vms("RUNNING", "RUNNING"))
    with pytest.raises(WaiterError) as info:
        wait_until(script, {}, {"status": "RUNNING"}, fail_if={"status": "UNKNOWN"})
    assert info.value.status == 500 and isinstance(info.value, ApiException)
    assert "web-0 (status UNKNOWN) reached a failure state (status UNKNOWN)" in info.value.reason
    assert len(script.calls) == 2 and [vm.status for vm in info.value.rows] == ["UNKNOWN", "RUNNING"]


def test_a_timeout_says_how_far_it_got(fake_time):
    script = Script(vms("RUNNING", "STOPPED", "STOPPED"))
    with pytest.raises(WaiterError) as info:
        wait_until(script, {"where": {}}, {"status": "RUNNING"}, timeout=60, interval=10)
    assert info.value.status == 408
    assert info.value.reason == (
        "timed out after 60s waiting until every row of get_vms has status RUNNING: 1 of 3 "
        "row(s) as wanted; not yet: web-1 (status STOPPED), web-2 (status STOPPED)")
    # polled until the deadline and once at it, not past it
    assert fake_time.now == 60
    assert len(script.calls) == len(fake_time.sleeps) + 1
    # quick polls first (0.1 s, x1.5 each), then one every `interval`: 17 in 60 s
    assert max(fake_time.sleeps) == 10 and len(script.calls) == 17


def test_failed_polls_are_retried_until_the_timeout_but_not_a_400(fake_time, caplog):
    caplog.set_level(logging.WARNING, logger="cloudtower")
    script = Script(ApiException(status=503, reason="Service Unavailable"),
                    ApiException(status=0, reason="connection refused"), vms("RUNNING"))
    assert len(wait_until(script, {}, {"status": "RUNNING"})) == 1
    assert len(script.calls) == 3
    assert sum("polling" in r.getMessage() for r in caplog.records) == 2
    script = Script(ApiException(status=503, reason="Service Unavailable"))
    with pytest.raises(WaiterError) as info:
        wait_until(script, {}, {"status": "RUNNING"}, timeout=1)
    assert "no answer yet (last poll failed: Service Unavailable)" in info.value.reason
    assert info.value.rows is None
    script = Script(ApiException(status=400, reason="Bad Request"))
    with pytest.raises(ApiException) as info:
        wait_until(script, {}, {"status": "RUNNING"})
    assert info.value.status == 400 and len(script.calls) == 1


def test_progress_is_reported_after_each_poll(fake_time, caplog):
    caplog.set_level(logging.INFO, logger="cloudtower")
    script = Script(vms("STOPPED", "STOPPED"), vms("RUNNING", "STOPPED"), vms("RUNNING", "STOPPED"),
                    vms("RUNNING", "RUNNING"))
    seen = []
    wait_until(script, {}, {"status": "RUNNING"}, show_progress=True, what="the VMs run",
               progress=lambda done, total, rows: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (1, 2), (2, 2)]
    # no terminal under pytest: one INFO line per change
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "waiting until the VMs run: 0 of 2 row(s) as wanted",
        "waiting until the VMs run: 1 of 2 row(s) as wanted",
        "waiting until the VMs run: 2 of 2 row(s) as wanted"]


@pytest.mark.parametrize("kwargs,error", [
    (dict(list_method="get_vms"), ApiTypeError),
    (dict(condition="RUNNING"), ApiTypeError),
    (dict(condition={}), ApiTypeError),
    (dict(fail_if=["UNKNOWN"]), ApiTypeError),
    (dict(interval=0), ApiValueError),
    (dict(timeout=-1), ApiValueError),
    (dict(count=-1), ApiValueError),
    (dict(count=1.5), ApiTypeError),
    (dict(progress="yes"), ApiTypeError),
])
def test_wrong_arguments_are_refused_before_polling(kwargs, error):
    script = Script(vms("RUNNING"))
    arguments = dict(list_method=script, request={}, condition={"status": "RUNNING"})
    arguments.update(kwargs)
    with pytest.raises(error):
        wait_until(**arguments)
    assert script.calls == []


def test_the_names_are_on_the_top_level_and_load_lazily():
    assert cloudtower.wait_for is wait_for and cloudtower.wait_until is wait_until
    assert cloudtower.WaiterError is WaiterError


# -- against the simulator --------------------------------------------------------

def stopped_vms(api_client, count):
    return VmApi(api_client).get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False},
                                      "orderBy": "name_ASC", "first": count})


def test_start_vms_and_wait_until_they_run(simulator, api_client):
    vm_api = VmApi(api_client)
    ids = [vm.id for vm in stopped_vms(api_client, 3)]
    vm_api.start_vm({"where": {"id_in": ids}})     # not waiting for the tasks
    rows = wait_until(vm_api.get_vms, {"where": {"id_in": ids}}, {"status": "RUNNING"},
                      interval=0.1, timeout=30)
    assert sorted(vm.id for vm in rows) == sorted(ids)
    assert all(vm.status == "RUNNING" for vm in rows)


def test_wait_for_an_answer_returns_it(simulator, api_client):
    vm_api = VmApi(api_client)
    ids = [vm.id for vm in stopped_vms(api_client, 2)]
    answer = vm_api.start_vm({"where": {"id_in": ids}})
    assert wait_for(answer, api_client, interval=0.1) is answer
    assert all(vm.status == "RUNNING" for vm in vm_api.get_vms({"where": {"id_in": ids}}))


def test_wait_for_skips_items_without_a_task(simulator, api_client):
    since = len(simulator.requests)
    answer = [WithTaskVm(task_id=None, data=Vm(id="x"))]
    assert wait_for(answer, api_client) is answer
    assert wait_for([], api_client) == []
    assert len(simulator.requests) == since   # nothing to poll, nothing sent
    vm_api = VmApi(api_client)
    started = vm_api.start_vm({"where": {"id_in": [stopped_vms(api_client, 1)[0].id]}})
    mixed = started + [WithTaskVm(task_id=None, data=Vm(id="x"))]
    assert wait_for(mixed, api_client, interval=0.1) is mixed
    # one item, not in a list
    one = vm_api.poweroff_vm({"where": {"id": started[0].data.id}})[0]
    assert wait_for(one, api_client, interval=0.1) is one


def test_wait_for_raises_as_wait_tasks_does(simulator, api_client):
    vm_api = VmApi(api_client)
    running = vm_api.get_vms({"where": {"status": "RUNNING"}, "first": 1})[0]
    with pytest.raises(ApiException) as info:
        wait_for(vm_api.start_vm({"where": {"id": running.id}}), api_client, interval=0.1)
    assert info.value.status == 500 and "failed" in info.value.reason


@pytest.mark.parametrize("answer", ["task-1", [1, 2], [{"id": "x"}], 42])
def test_wait_for_refuses_what_is_not_an_answer(api_client, answer):
    with pytest.raises(ApiTypeError) as info:
        wait_for(answer, api_client)
    assert "an operation's answer" in str(info.value)
