# coding: utf-8
"""Reliability against the simulator: a lost answer never doubles a change,
and many concurrent clients leave tasks and inventory in exact agreement."""
import threading
import time
import uuid

import pytest

from cloudtower import ApiException, ClusterApi, LabelApi, TaskApi, VmApi
from cloudtower.utils import paginate


def _wait_until(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def test_create_vm_whose_answer_is_lost_creates_exactly_one_vm(simulator, api_client):
    cluster = ClusterApi(api_client).get_clusters({"where": {"type": "SMTX_OS"}, "first": 1})[0]
    name = "lost-answer-%s" % uuid.uuid4().hex[:8]
    # the server makes the change, then the connection closes before it answers
    simulator.fail_next("create_vm", drop=True, after=True)
    vm_api = VmApi(api_client)
    with pytest.raises(ApiException) as info:
        vm_api.create_vm([{
            "cluster_id": cluster.id, "name": name, "ha": False, "cpu_cores": 1, "cpu_sockets": 1,
            "memory": 1 << 30, "vcpu": 1, "status": "STOPPED", "firmware": "BIOS",
            "vm_nics": [], "vm_disks": {"mount_cd_roms": [{"boot": 0, "index": 0}]},
        }])
    assert info.value.status == 0
    assert "not retried" in info.value.reason and "create-vm" in info.value.reason
    created = _wait_until(lambda: vm_api.get_vms({"where": {"name": name}}))
    assert len(created) == 1
    time.sleep(0.3)  # nothing else arrives later
    assert len(vm_api.get_vms({"where": {"name": name}})) == 1


def test_50_clients_100_mutations_each_tasks_match_inventory(simulator):
    prefix = "load-%s-" % uuid.uuid4().hex[:6]
    clients = [simulator.client() for _ in range(50)]
    task_ids, label_ids, errors = [], [], []
    lock = threading.Lock()

    def work(index, client):
        api = LabelApi(client)
        try:
            for n in range(100):
                result = api.create_label([{"key": "%s%02d-%03d" % (prefix, index, n), "value": "v"}])
                with lock:
                    task_ids.extend(item.task_id for item in result)
                    label_ids.extend(item.data.id for item in result)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    assert errors == []
    assert len(task_ids) == len(set(task_ids)) == 5000
    assert len(label_ids) == len(set(label_ids)) == 5000

    with simulator.client() as client:
        task_api = TaskApi(client)

        def all_done():
            done = [t for t in paginate(task_api.get_tasks, {"where": {"id_in": task_ids}}, page_size=1000)
                    if t.status in ("SUCCESSED", "FAILED")]
            return len(done) == 5000 and done
        tasks = _wait_until(all_done, timeout=60)
        assert tasks, "not every task ended"
        assert set(t.status for t in tasks) == {"SUCCESSED"}
        labels = list(paginate(LabelApi(client).get_labels, {"where": {"key_starts_with": prefix}},
                               page_size=1000))
    # no lost task, no task without its change, no change without its task
    assert sorted(label.id for label in labels) == sorted(label_ids)
    assert sorted(t.resource_id for t in tasks) == sorted(label_ids)
