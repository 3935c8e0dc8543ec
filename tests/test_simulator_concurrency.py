# coding: utf-8
"""Concurrent clients against one simulator: every task accounted for."""
import threading

from cloudtower import ClusterApi, TaskApi, VlanApi, VmApi

CLIENTS = 20
ROUNDS = 3


def test_concurrent_clients_create_and_delete_vms_without_losing_a_task(simulator, finish):
    setup = simulator.client()
    cluster = ClusterApi(setup).get_clusters({"where": {"name": "cluster-elf-a"}})[0]
    vlan = VlanApi(setup).get_vlans({"where": {"name": "default", "vds": {"cluster": {"id": cluster.id}}}})[0]
    vms_before = set(vm.id for vm in VmApi(setup).get_vms({}))
    tasks_before = set(t.id for t in TaskApi(setup).get_tasks({}))
    results = [None] * CLIENTS
    errors = []
    start = threading.Event()

    def worker(number):
        client = simulator.client()
        try:
            api = VmApi(client)
            start.wait()
            mine = {"created": [], "tasks": []}
            for round_ in range(ROUNDS):
                answer = api.create_vm([{
                    "cluster_id": cluster.id, "name": "load-%02d-%d" % (number, round_), "ha": False,
                    "cpu_cores": 1, "cpu_sockets": 1, "memory": 1024 ** 3, "status": "STOPPED",
                    "firmware": "BIOS", "vm_nics": [{"connect_vlan_id": vlan.id}],
                    "vm_disks": {"mount_new_create_disks": [{"boot": 0, "bus": "VIRTIO", "vm_volume": {
                        "elf_storage_policy": "REPLICA_2_THIN_PROVISION", "size": 1024 ** 3,
                        "name": "load-%02d-%d" % (number, round_)}}]}}])[0]
                created = finish([answer.task_id], 30, client)[0]
                assert created.status == "SUCCESSED", created.error_message
                mine["created"].append(answer.data.id)
                mine["tasks"].append(answer.task_id)
                if round_ % 2 == 0:
                    deleted = api.delete_vm({"where": {"id": answer.data.id}})[0]
                    assert deleted.data.id == answer.data.id
                    done = finish([deleted.task_id], 30, client)[0]
                    assert done.status == "SUCCESSED", done.error_message
                    mine["tasks"].append(deleted.task_id)
            results[number] = mine
        except Exception as error:  # reported by the main thread
            errors.append((number, repr(error)))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert all(r is not None for r in results)

    created = [vm_id for r in results for vm_id in r["created"]]
    task_ids = [t for r in results for t in r["tasks"]]
    kept = [r["created"][i] for r in results for i in range(ROUNDS) if i % 2 == 1]
    assert len(set(created)) == CLIENTS * ROUNDS
    assert len(set(task_ids)) == len(task_ids)
    # every task the clients got exists once, succeeded, and nothing else was started
    all_tasks = TaskApi(setup).get_tasks({})
    new_tasks = [t for t in all_tasks if t.id not in tasks_before]
    assert sorted(t.id for t in new_tasks) == sorted(task_ids)
    assert all(t.status == "SUCCESSED" for t in new_tasks)
    # and the inventory matches the tasks: exactly the VMs not deleted remain
    vms_after = VmApi(setup).get_vms({})
    assert set(vm.id for vm in vms_after) - vms_before == set(kept)
    assert len(vms_after) == len(vms_before) + len(kept)
    names = [vm.name for vm in vms_after if vm.name.startswith("load-")]
    assert len(names) == len(set(names)) == len(kept)
    setup.close()


def test_concurrent_reads_see_whole_changes(simulator):
    # a reader never sees a VM half-created (without its disk or NIC)
    setup = simulator.client()
    cluster = ClusterApi(setup).get_clusters({"where": {"name": "cluster-elf-b"}})[0]
    vlan = VlanApi(setup).get_vlans({"where": {"name": "default", "vds": {"cluster": {"id": cluster.id}}}})[0]
    simulator.task_seconds = 0
    stop = threading.Event()
    problems = []

    def reader():
        client = simulator.client()
        try:
            while not stop.is_set():
                for vm in VmApi(client).get_vms({"where": {"name_starts_with": "whole-"}}):
                    if len(vm.vm_disks) != 2 or len(vm.vm_nics) != 1:
                        problems.append(vm.name)
        finally:
            client.close()
    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    api = VmApi(setup)
    for index in range(15):
        api.create_vm([{"cluster_id": cluster.id, "name": "whole-%d" % index, "ha": False,
                        "cpu_cores": 1, "cpu_sockets": 1, "memory": 1024 ** 3, "status": "STOPPED",
                        "firmware": "BIOS", "vm_nics": [{"connect_vlan_id": vlan.id}],
                        "vm_disks": {"mount_cd_roms": [{"boot": 1}], "mount_new_create_disks": [
                            {"boot": 0, "bus": "VIRTIO", "vm_volume": {
                                "elf_storage_policy": "REPLICA_2_THIN_PROVISION", "size": 1024,
                                "name": "whole-%d" % index}}]}}])
    stop.set()
    for thread in readers:
        thread.join(30)
    assert len(api.get_vms({"where": {"name_starts_with": "whole-"}})) == 15
    assert problems == []
    setup.close()
