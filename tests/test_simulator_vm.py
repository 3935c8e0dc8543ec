# coding: utf-8
"""The VM life cycle on the simulator, driven through the SDK: creation in
every form, edits, disks, CD-ROMs, NICs, power operations, migration,
recycle bin, deletion, snapshots and templates, with the refused cases."""
import time

import pytest

from cloudtower import (
    ClusterApi,
    ContentLibraryVmTemplateApi,
    ElfImageApi,
    HostApi,
    IscsiLunSnapshotApi,
    TaskApi,
    VlanApi,
    VmApi,
    VmSnapshotApi,
    VmTemplateApi,
    VmVolumeApi,
)
from tests.conftest import GIB, a_vm, one, vm_by_id


def _cluster(api_client, name="cluster-elf-a"):
    return one(ClusterApi(api_client).get_clusters({"where": {"name": name}}))


def _vlan(api_client, cluster, name="default"):
    return one(VlanApi(api_client).get_vlans({"where": {"name": name, "vds": {"cluster": {"id": cluster.id}}}}))


def _blank(cluster, vlan, name="sim-test-vm", **extra):
    params = {"cluster_id": cluster.id, "name": name, "ha": True, "cpu_cores": 2, "cpu_sockets": 2,
              "memory": 4 * GIB, "vcpu": 4, "status": "STOPPED", "firmware": "BIOS",
              "vm_nics": [{"connect_vlan_id": vlan.id}], "vm_disks": {"mount_cd_roms": [{"boot": 0, "index": 0}]}}
    params.update(extra)
    return params


def test_task_moves_pending_executing_successed_and_the_change_lands_at_the_end(api_client, simulator):
    simulator.task_seconds = 0.6
    vm_api = VmApi(api_client)
    stopped = a_vm(api_client, status="STOPPED")
    with_task = one(vm_api.start_vm({"where": {"id": stopped.id}}))
    assert with_task.data.id == stopped.id
    task_api = TaskApi(api_client)
    seen = []
    deadline = time.time() + 5
    while time.time() < deadline:
        task = one(task_api.get_tasks({"where": {"id": with_task.task_id}}))
        if not seen or seen[-1][0] != task.status:
            seen.append((task.status, vm_by_id(api_client, stopped.id).status, task.progress))
        if task.status == "SUCCESSED":
            break
        time.sleep(0.03)
    statuses = [s[0] for s in seen]
    assert statuses == ["PENDING", "EXECUTING", "SUCCESSED"]
    # the VM changes only when the task has succeeded
    assert [s[1] for s in seen] == ["STOPPED", "STOPPED", "RUNNING"]
    assert seen[0][2] == 0 and seen[-1][2] == 1.0
    assert task.started_at and task.finished_at and task.finished_at >= task.started_at
    assert task.resource_id == stopped.id and task.resource_type == "Vm"
    assert task.user.name == simulator.username


def test_create_blank_vm_with_each_disk_and_nic_variant(api_client, finish):
    vm_api = VmApi(api_client)
    cluster = _cluster(api_client)
    vlan = _vlan(api_client, cluster)
    vlan_100 = _vlan(api_client, cluster, "vlan-100")
    image = ElfImageApi(api_client).get_elf_images({"where": {"cluster": {"id": cluster.id}}})[0]
    volume = one(VmVolumeApi(api_client).get_vm_volumes({"where": {"cluster": {"id": cluster.id},
                                                                    "mounting": False, "sharing": False}}))
    params = _blank(cluster, vlan, name="sim-full", vm_nics=[
        {"connect_vlan_id": vlan.id},
        {"connect_vlan_id": vlan_100.id, "mirror": True, "model": "E1000", "enabled": False}],
        vm_disks={"mount_cd_roms": [{"index": 0, "boot": 2, "elf_image_id": image.id}],
                  "mount_disks": [{"index": 1, "boot": 1, "bus": "SCSI", "vm_volume_id": volume.id}],
                  "mount_new_create_disks": [{"boot": 0, "bus": "VIRTIO", "vm_volume": {
                      "elf_storage_policy": "REPLICA_2_THIN_PROVISION", "size": 10, "size_unit": "GB",
                      "name": "sim-full-new"}}]})
    with_task = one(vm_api.create_vm([params]))
    assert with_task.data.name == "sim-full" and with_task.data.id
    assert vm_by_id(api_client, with_task.data.id) is None  # not there until the task ends
    task = one(finish([with_task.task_id]))
    assert task.status == "SUCCESSED", task.error_message
    vm = vm_by_id(api_client, with_task.data.id)
    assert vm.cluster.id == cluster.id and vm.status == "STOPPED" and vm.vcpu == 4
    assert vm.cpu.cores == 2 and vm.cpu.sockets == 2 and vm.memory == 4 * GIB
    from cloudtower.api.vm_disk_api import VmDiskApi
    from cloudtower.api.vm_nic_api import VmNicApi
    disks = VmDiskApi(api_client).get_vm_disks({"where": {"vm": {"id": vm.id}}})
    kinds = sorted((d.type, d.bus) for d in disks)
    assert kinds == [("CD_ROM", "IDE"), ("DISK", "SCSI"), ("DISK", "VIRTIO")]
    cd_rom = [d for d in disks if d.type == "CD_ROM"][0]
    assert cd_rom.elf_image.id == image.id
    mounted = [d for d in disks if d.bus == "SCSI"][0]
    assert mounted.vm_volume.id == volume.id
    new_volume = one(VmVolumeApi(api_client).get_vm_volumes({"where": {"name": "sim-full-new"}}))
    assert new_volume.size == 10 * GIB and new_volume.mounting and new_volume.cluster.id == cluster.id
    assert one(VmVolumeApi(api_client).get_vm_volumes({"where": {"id": volume.id}})).mounting
    nics = VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm.id}}, "orderBy": "order_ASC"})
    assert [(n.vlan.id, n.model, n.mirror, n.enabled) for n in nics] == [
        (vlan.id, "VIRTIO", False, True), (vlan_100.id, "E1000", True, False)]
    assert vm.size == 10 * GIB + volume.size


def test_create_vm_refusals_end_failed_and_change_nothing(api_client, finish, simulator):
    vm_api = VmApi(api_client)
    cluster = _cluster(api_client)
    other = _cluster(api_client, "cluster-elf-b")
    vlan = _vlan(api_client, cluster)
    foreign_host = HostApi(api_client).get_hosts({"where": {"cluster": {"id": other.id}}})[0]
    zbs = _cluster(api_client, "cluster-zbs")
    before = len(vm_api.get_vms({}))
    volumes_before = len(VmVolumeApi(api_client).get_vm_volumes({}))
    cases = [
        (_blank(cluster, vlan, cluster_id="cnosuchcluster000000000000"), "CLUSTER_NOT_FOUND"),
        (_blank(cluster, vlan, host_id=foreign_host.id), "HOST_NOT_IN_CLUSTER"),
        (_blank(cluster, _vlan(api_client, other)), "VLAN_NOT_IN_CLUSTER"),
        (_blank(zbs, vlan), "CLUSTER_NOT_ELF"),
        # refused after its new volume was made: that volume must not stay behind
        (_blank(cluster, vlan, vm_disks={"mount_new_create_disks": [{"boot": 0, "bus": "VIRTIO", "vm_volume": {
            "elf_storage_policy": "REPLICA_2_THIN_PROVISION", "size": 1, "name": "x"}}],
            "mount_disks": [{"boot": 1, "bus": "VIRTIO", "vm_volume_id": "cnosuchvolume0000000000000"}]}),
         "VM_VOLUME_NOT_FOUND"),
    ]
    answers = vm_api.create_vm([case[0] for case in cases])
    tasks = finish([a.task_id for a in answers])
    for task, (_, code) in zip(tasks, cases):
        assert task.status == "FAILED" and task.error_code == code, (task.error_code, task.error_message)
        assert task.error_message
    assert len(vm_api.get_vms({})) == before
    assert len(VmVolumeApi(api_client).get_vm_volumes({})) == volumes_before


def test_create_from_template_ids_only_and_with_nic_override(api_client, finish):
    vm_api = VmApi(api_client)
    cluster = _cluster(api_client)
    template = VmTemplateApi(api_client).get_vm_templates({"where": {"cluster": {"id": cluster.id}}})[0]
    vlan_200 = _vlan(api_client, cluster, "vlan-200")
    answers = vm_api.create_vm_from_template([
        {"template_id": template.id, "cluster_id": cluster.id, "name": "from-tpl-1", "is_full_copy": False},
        {"template_id": template.id, "cluster_id": cluster.id, "name": "from-tpl-2", "is_full_copy": False,
         "vm_nics": [{"connect_vlan_id": vlan_200.id, "enabled": True, "model": "E1000"}]},
        {"template_id": template.id, "cluster_id": _cluster(api_client, "cluster-elf-b").id,
         "name": "from-tpl-3", "is_full_copy": False},
    ])
    tasks = finish([a.task_id for a in answers])
    assert [t.status for t in tasks] == ["SUCCESSED", "SUCCESSED", "FAILED"]
    assert tasks[2].error_code == "VM_TEMPLATE_NOT_IN_CLUSTER"
    created = vm_api.get_vms({"where": {"id_in": [a.data.id for a in answers]}, "orderBy": "name_ASC"})
    assert [vm.name for vm in created] == ["from-tpl-1", "from-tpl-2"]
    first, second = created
    assert first.vcpu == template.vcpu and first.memory == template.memory
    assert len([d for d in first.vm_disks]) == len(template.vm_disks)
    from cloudtower.api.vm_nic_api import VmNicApi
    nic_vlans = [n.vlan.name for n in VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": first.id}}})]
    assert nic_vlans == [n.vlan.name for n in template.vm_nics]
    second_nics = VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": second.id}}})
    assert [(n.vlan.id, n.model) for n in second_nics] == [(vlan_200.id, "E1000")]


def test_create_from_content_library_template_and_clone(api_client, finish):
    vm_api = VmApi(api_client)
    library = ContentLibraryVmTemplateApi(api_client).get_content_library_vm_templates({})[0]
    zbs = _cluster(api_client, "cluster-zbs")
    source = a_vm(api_client, name="elf-a-db-01")
    answers = vm_api.create_vm_from_content_library_template([
        {"template_id": library.id, "cluster_id": library.clusters[1].id, "name": "from-cl",
         "is_full_copy": True},
        {"template_id": library.id, "cluster_id": zbs.id, "name": "from-cl-bad", "is_full_copy": True}])
    answers += vm_api.clone_vm([{"src_vm_id": source.id, "name": "db-clone"},
                                {"src_vm_id": "cnosuchvm00000000000000000", "name": "nothing"}])
    tasks = finish([a.task_id for a in answers])
    assert [t.status for t in tasks] == ["SUCCESSED", "FAILED", "SUCCESSED", "FAILED"]
    assert tasks[1].error_code == "CONTENT_LIBRARY_VM_TEMPLATE_NOT_IN_CLUSTER"
    assert tasks[3].error_code == "VM_NOT_FOUND"
    from_cl = vm_by_id(api_client, answers[0].data.id)
    assert from_cl.cluster.id == library.clusters[1].id
    clone = vm_by_id(api_client, answers[2].data.id)
    assert clone.cluster.id == source.cluster.id and clone.vcpu == source.vcpu
    assert len(clone.vm_disks) == len(source.vm_disks)
    assert not set(d.id for d in clone.vm_disks) & set(d.id for d in source.vm_disks)
    assert clone.status == "STOPPED"


def test_update_vm_keeps_the_ids_of_disks_and_nics(api_client, finish):
    vm_api = VmApi(api_client)
    vm = a_vm(api_client, name="elf-a-db-02")
    with_task = one(vm_api.update_vm({"where": {"id": vm.id}, "data": {
        "name": "renamed", "description": "new description", "ha": False, "vcpu": 4,
        "cpu_cores": 2, "cpu_sockets": 2, "memory": 1 * GIB}}))
    assert one(finish([with_task.task_id])).status == "SUCCESSED"
    after = vm_by_id(api_client, vm.id)
    assert (after.name, after.description, after.ha, after.vcpu, after.memory) == (
        "renamed", "new description", False, 4, GIB)
    assert (after.cpu.cores, after.cpu.sockets) == (2, 2)
    assert [d.id for d in after.vm_disks] == [d.id for d in vm.vm_disks]
    assert [n.id for n in after.vm_nics] == [n.id for n in vm.vm_nics]


def test_cd_rom_add_and_remove(api_client, finish):
    vm_api = VmApi(api_client)
    vm = a_vm(api_client, name="elf-a-batch-01")
    image = ElfImageApi(api_client).get_elf_images({"where": {"cluster": {"id": vm.cluster.id}}})[0]
    from cloudtower.api.vm_disk_api import VmDiskApi
    disk_api = VmDiskApi(api_client)

    def cd_roms():
        return disk_api.get_vm_disks({"where": {"vm": {"id": vm.id}, "type": "CD_ROM"}})
    before = cd_roms()
    task = one(vm_api.add_vm_cd_rom({"where": {"id": vm.id}, "data": {"vm_cd_roms": [
        {"elf_image_id": image.id, "boot": 0, "index": 0}, {"boot": 1, "index": 1}]}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    added = cd_roms()
    assert len(added) == len(before) + 2
    assert image.id in [d.elf_image.id for d in added if d.elf_image]
    remove = [d.id for d in added][:2]
    task = one(vm_api.remove_vm_cd_rom({"where": {"id": vm.id}, "data": {"cd_rom_ids": remove}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert len(cd_roms()) == len(added) - 2
    # ids from before the edit are stale: refused, nothing removed
    task = one(vm_api.remove_vm_cd_rom({"where": {"id": vm.id}, "data": {"cd_rom_ids": remove}})).task_id
    failed = one(finish([task]))
    assert failed.status == "FAILED" and failed.error_code == "VM_CD_ROM_NOT_FOUND"
    assert len(cd_roms()) == len(added) - 2


def test_disk_add_new_mount_existing_update_and_unmount(api_client, finish):
    vm_api = VmApi(api_client)
    vm = a_vm(api_client, name="elf-a-test-01")
    volume = VmVolumeApi(api_client).get_vm_volumes({"where": {"cluster": {"id": vm.cluster.id},
                                                               "mounting": False}})[0]
    task = one(vm_api.add_vm_disk({"where": {"id": vm.id}, "data": {"vm_disks": {
        "mount_new_create_disks": [{"vm_volume": {"elf_storage_policy": "REPLICA_2_THIN_PROVISION",
                                                  "size": 5 * GIB, "name": "added-volume"},
                                    "boot": 1, "bus": "VIRTIO"}],
        "mount_disks": [{"index": 0, "vm_volume_id": volume.id, "boot": 2, "bus": "VIRTIO"}]}}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    after = vm_by_id(api_client, vm.id)
    assert len(after.vm_disks) == len(vm.vm_disks) + 2
    from cloudtower.api.vm_disk_api import VmDiskApi
    disks = VmDiskApi(api_client).get_vm_disks({"where": {"vm": {"id": vm.id}, "type": "DISK"}})
    assert volume.id in [d.vm_volume.id for d in disks]
    assert one(VmVolumeApi(api_client).get_vm_volumes({"where": {"id": volume.id}})).mounting
    # the same volume again: it is in use now
    task = one(vm_api.add_vm_disk({"where": {"id": vm.id}, "data": {"vm_disks": {
        "mount_disks": [{"vm_volume_id": volume.id, "boot": 3, "bus": "VIRTIO"}]}}})).task_id
    assert one(finish([task])).error_code == "VM_VOLUME_IN_USE"
    mounted = [d for d in disks if d.vm_volume.id == volume.id][0]
    task = one(vm_api.update_vm_disk({"where": {"id": vm.id}, "data": {"vm_disk_id": mounted.id,
                                                                       "bus": "SCSI"}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    disks = VmDiskApi(api_client).get_vm_disks({"where": {"vm": {"id": vm.id}, "type": "DISK"}})
    mounted = [d for d in disks if d.vm_volume.id == volume.id][0]
    assert mounted.bus == "SCSI"
    task = one(vm_api.remove_vm_disk({"where": {"id": vm.id}, "data": {"disk_ids": [mounted.id]}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert len(vm_by_id(api_client, vm.id).vm_disks) == len(vm.vm_disks) + 1
    # unmounted, not deleted
    assert not one(VmVolumeApi(api_client).get_vm_volumes({"where": {"id": volume.id}})).mounting
    task = one(vm_api.remove_vm_disk({"where": {"id": vm.id}, "data": {"disk_ids": ["cnosuchdisk00000000000000"]}})).task_id
    assert one(finish([task])).error_code == "VM_DISK_NOT_FOUND"


def test_nic_add_update_remove(api_client, finish):
    vm_api = VmApi(api_client)
    vm = a_vm(api_client, name="elf-b-batch-01")
    vlan = _vlan(api_client, _cluster(api_client, "cluster-elf-b"))
    vlan_100 = _vlan(api_client, _cluster(api_client, "cluster-elf-b"), "vlan-100")
    from cloudtower.api.vm_nic_api import VmNicApi

    def nics():
        return VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm.id}}, "orderBy": "order_ASC"})
    start = len(nics())
    task = one(vm_api.add_vm_nic({"where": {"id": vm.id}, "data": {"vm_nics": [
        {"connect_vlan_id": vlan.id, "enabled": False, "model": "VIRTIO"},
        {"connect_vlan_id": vlan_100.id, "enabled": True, "mirror": True, "model": "VIRTIO"}]}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    current = nics()
    assert len(current) == start + 2
    assert [(n.enabled, n.mirror) for n in current[-2:]] == [(False, False), (True, True)]
    task = one(vm_api.update_vm_nic({"where": {"id": vm.id}, "data": {
        "nic_index": 0, "enabled": False, "mirror": True, "connect_vlan_id": vlan_100.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    first = nics()[0]
    assert (first.enabled, first.mirror, first.vlan.id) == (False, True, vlan_100.id)
    task = one(vm_api.remove_vm_nic({"where": {"id": vm.id}, "data": {"nic_index": [0, 1]}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert len(nics()) == start
    task = one(vm_api.update_vm_nic({"where": {"id": vm.id}, "data": {"nic_index": 9}})).task_id
    assert one(finish([task])).error_code == "VM_NIC_NOT_FOUND"


POWER = [
    # operation, from status, to status (None: refused with the code)
    ("start_vm", "STOPPED", "RUNNING", None),
    ("start_vm", "RUNNING", None, "VM_ALREADY_RUNNING"),
    ("shut_down_vm", "RUNNING", "STOPPED", None),
    ("shut_down_vm", "STOPPED", None, "VM_NOT_RUNNING"),
    ("poweroff_vm", "RUNNING", "STOPPED", None),
    ("poweroff_vm", "SUSPENDED", "STOPPED", None),
    ("poweroff_vm", "STOPPED", None, "VM_NOT_RUNNING"),
    ("restart_vm", "RUNNING", "RUNNING", None),
    ("restart_vm", "STOPPED", None, "VM_NOT_RUNNING"),
    ("force_restart_vm", "RUNNING", "RUNNING", None),
    ("force_restart_vm", "STOPPED", None, "VM_NOT_RUNNING"),
    ("suspend_vm", "RUNNING", "SUSPENDED", None),
    ("suspend_vm", "STOPPED", None, "VM_NOT_RUNNING"),
    ("resume_vm", "SUSPENDED", "RUNNING", None),
    ("resume_vm", "RUNNING", None, "VM_NOT_SUSPENDED"),
]


@pytest.mark.parametrize("operation,start,end,code", POWER,
                         ids=["%s-from-%s" % (p[0], p[1]) for p in POWER])
def test_power_operation_single(api_client, finish, operation, start, end, code):
    vm = a_vm(api_client, status=start)
    with_task = one(getattr(VmApi(api_client), operation)({"where": {"id": vm.id}}))
    task = one(finish([with_task.task_id]))
    after = vm_by_id(api_client, vm.id)
    if code is None:
        assert task.status == "SUCCESSED", task.error_message
        assert after.status == end
        if end in ("RUNNING", "SUSPENDED"):
            assert after.host is not None
    else:
        assert task.status == "FAILED" and task.error_code == code
        assert after.status == start


def test_power_operations_in_batch(api_client, finish):
    vm_api = VmApi(api_client)
    stopped = vm_api.get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False}})
    assert len(stopped) >= 3
    ids = [vm.id for vm in stopped]
    answers = vm_api.start_vm({"where": {"id_in": ids}})
    assert sorted(a.data.id for a in answers) == sorted(ids)
    assert all(t.status == "SUCCESSED" for t in finish([a.task_id for a in answers]))
    assert set(vm.status for vm in vm_api.get_vms({"where": {"id_in": ids}})) == set(["RUNNING"])
    for operation, status in (("suspend_vm", "SUSPENDED"), ("resume_vm", "RUNNING"),
                              ("restart_vm", "RUNNING"), ("force_restart_vm", "RUNNING"),
                              ("shut_down_vm", "STOPPED"), ("start_vm", "RUNNING"),
                              ("poweroff_vm", "STOPPED")):
        answers = getattr(vm_api, operation)({"where": {"id_in": ids}})
        assert len(answers) == len(ids)
        assert all(t.status == "SUCCESSED" for t in finish([a.task_id for a in answers])), operation
        assert set(vm.status for vm in vm_api.get_vms({"where": {"id_in": ids}})) == set([status])


def test_start_on_a_given_host(api_client, finish):
    vm = a_vm(api_client, status="STOPPED", cluster={"name": "cluster-elf-a"})
    hosts = HostApi(api_client).get_hosts({"where": {"cluster": {"id": vm.cluster.id}}})
    target = [h for h in hosts if vm.host is None or h.id != vm.host.id][0]
    other = HostApi(api_client).get_hosts({"where": {"cluster": {"name": "cluster-elf-b"}}})[0]
    vm_api = VmApi(api_client)
    task = one(vm_api.start_vm({"where": {"id": vm.id}, "data": {"host_id": other.id}})).task_id
    assert one(finish([task])).error_code == "HOST_NOT_IN_CLUSTER"
    assert vm_by_id(api_client, vm.id).status == "STOPPED"
    task = one(vm_api.start_vm({"where": {"id": vm.id}, "data": {"host_id": target.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    after = vm_by_id(api_client, vm.id)
    assert after.status == "RUNNING" and after.host.id == target.id
    running = HostApi(api_client).get_hosts({"where": {"id": target.id}})[0]
    assert vm.id in [v.id for v in running.vms]


def test_migrate_to_a_host_and_automatically(api_client, finish):
    vm_api = VmApi(api_client)
    vm = a_vm(api_client, status="RUNNING", cluster={"name": "cluster-elf-a"})
    hosts = HostApi(api_client).get_hosts({"where": {"cluster": {"id": vm.cluster.id}}})
    target = [h for h in hosts if h.id != vm.host.id][0]
    task = one(vm_api.migrate_vm({"where": {"id": vm.id}, "data": {"host_id": target.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert vm_by_id(api_client, vm.id).host.id == target.id
    task = one(vm_api.migrate_vm({"where": {"id": vm.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    moved = vm_by_id(api_client, vm.id)
    assert moved.host.id != target.id and moved.host.id in [h.id for h in hosts]
    # to the host it is on: nothing to do; to another cluster's host: refused
    foreign = HostApi(api_client).get_hosts({"where": {"cluster": {"name": "cluster-elf-b"}}})[0]
    answers = vm_api.migrate_vm({"where": {"id": vm.id}, "data": {"host_id": moved.host.id}})
    answers += vm_api.migrate_vm({"where": {"id": vm.id}, "data": {"host_id": foreign.id}})
    tasks = finish([a.task_id for a in answers])
    assert [(t.status, t.error_code) for t in tasks] == [
        ("SUCCESSED", None), ("FAILED", "HOST_NOT_IN_CLUSTER")]
    assert vm_by_id(api_client, vm.id).host.id == moved.host.id


def test_recycle_bin_recover_and_delete(api_client, finish):
    vm_api = VmApi(api_client)
    stopped = vm_api.get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False}, "first": 2})
    running = a_vm(api_client, status="RUNNING")
    ids = [vm.id for vm in stopped]
    answers = vm_api.move_vm_to_recycle_bin({"where": {"id_in": ids + [running.id]}})
    tasks = dict((a.data.id, t) for a, t in zip(answers, finish([a.task_id for a in answers])))
    assert tasks[running.id].error_code == "VM_IS_RUNNING"
    assert all(tasks[i].status == "SUCCESSED" for i in ids)
    binned = vm_api.get_vms({"where": {"id_in": ids}})
    assert all(vm.in_recycle_bin and vm.deleted_at for vm in binned)
    assert vm_by_id(api_client, running.id).in_recycle_bin is False
    # a VM in the recycle bin does not start
    task = one(vm_api.start_vm({"where": {"id": ids[0]}})).task_id
    assert one(finish([task])).error_code == "VM_IN_RECYCLE_BIN"
    answers = vm_api.recover_vm_from_recycle_bin({"where": {"id_in": ids}})
    assert all(t.status == "SUCCESSED" for t in finish([a.task_id for a in answers]))
    assert not any(vm.in_recycle_bin for vm in vm_api.get_vms({"where": {"id_in": ids}}))
    # deletion: a running VM is refused, stopped ones go with their disks and NICs
    disk_ids = [d.id for vm in stopped for d in vm.vm_disks]
    answers = vm_api.delete_vm({"where": {"id_in": ids + [running.id]}})
    tasks = dict((a.data.id, t) for a, t in zip(answers, finish([a.task_id for a in answers])))
    assert tasks[running.id].error_code == "VM_IS_RUNNING"
    assert vm_api.get_vms({"where": {"id_in": ids}}) == []
    assert vm_by_id(api_client, running.id) is not None
    from cloudtower.api.vm_disk_api import VmDiskApi
    assert VmDiskApi(api_client).get_vm_disks({"where": {"id_in": disk_ids}}) == []


def test_snapshot_backup_scenario_and_rollback(api_client, finish):
    vm_api = VmApi(api_client)
    snapshot_api = VmSnapshotApi(api_client)
    vm = vm_api.get_vms({"where": {"name": "elf-a-db-01"}, "first": 1})[0]
    assert vm.vm_tools_status == "RUNNING"
    answers = snapshot_api.create_vm_snapshot({"data": [
        {"vm_id": vm.id, "name": "backup-1", "consistent_type": "FILE_SYSTEM_CONSISTENT"}]})
    assert one(finish([answers[0].task_id])).status == "SUCCESSED"
    snapshot = one(snapshot_api.get_vm_snapshots({"where": {"id": answers[0].data.id}}))
    assert snapshot.vm.id == vm.id and snapshot.name == "backup-1"
    lun_ids = [d.snapshot_local_id for d in snapshot.vm_disks if d.type == "DISK"]
    assert lun_ids and all(lun_ids)
    assert [d.type for d in snapshot.vm_disks].count("CD_ROM") >= 1
    luns = IscsiLunSnapshotApi(api_client).get_iscsi_lun_snapshots({"where": {"name_in": lun_ids}})
    assert sorted(snap.name for snap in luns) == sorted(lun_ids)
    # a file-system-consistent snapshot needs VMTools running
    stopped = a_vm(api_client, status="STOPPED")
    answers = snapshot_api.create_vm_snapshot({"data": [
        {"vm_id": stopped.id, "name": "fs", "consistent_type": "FILE_SYSTEM_CONSISTENT"}]})
    assert one(finish([answers[0].task_id])).error_code == "VM_TOOLS_NOT_RUNNING"
    assert snapshot_api.get_vm_snapshots({"where": {"name": "fs"}}) == []
    # rollback brings the configuration back
    task = one(vm_api.update_vm({"where": {"id": vm.id}, "data": {"memory": 2 * GIB}})).task_id
    finish([task])
    task = one(vm_api.rollback_vm({"where": {"id": vm.id}, "data": {"snapshot_id": snapshot.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert vm_by_id(api_client, vm.id).memory == vm.memory
    other = a_vm(api_client, name="elf-a-web-01")
    task = one(vm_api.rollback_vm({"where": {"id": other.id}, "data": {"snapshot_id": snapshot.id}})).task_id
    assert one(finish([task])).error_code == "VM_SNAPSHOT_NOT_OF_VM"
    task = one(snapshot_api.delete_vm_snapshot({"where": {"id": snapshot.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert snapshot_api.get_vm_snapshots({"where": {"id": snapshot.id}}) == []
    assert IscsiLunSnapshotApi(api_client).get_iscsi_lun_snapshots({"where": {"name_in": lun_ids}}) == []


def test_templates_from_vms(api_client, finish):
    vm_api = VmApi(api_client)
    template_api = VmTemplateApi(api_client)
    running = a_vm(api_client, name="elf-b-web-01")
    stopped = a_vm(api_client, name="elf-b-test-01")
    answers = template_api.clone_vm_template_from_vm([
        {"vm_id": running.id, "name": "tpl-clone", "cloud_init_supported": False}])
    answers += template_api.convert_vm_template_from_vm([
        {"vm_id": running.id, "name": "tpl-convert-refused", "cloud_init_supported": False},
        {"vm_id": stopped.id, "name": "tpl-convert", "cloud_init_supported": True}])
    tasks = finish([a.task_id for a in answers])
    assert [t.status for t in tasks] == ["SUCCESSED", "FAILED", "SUCCESSED"]
    assert tasks[1].error_code == "VM_IS_RUNNING"
    templates = template_api.get_vm_templates({"where": {"name_in": ["tpl-clone", "tpl-convert"]},
                                            "orderBy": "name_ASC"})
    assert [t.name for t in templates] == ["tpl-clone", "tpl-convert"]
    assert templates[0].vcpu == running.vcpu and len(templates[0].vm_nics) == len(running.vm_nics)
    assert vm_by_id(api_client, stopped.id) is None and vm_by_id(api_client, running.id) is not None
    # and back: a VM from the new template
    answer = one(vm_api.create_vm_from_template([{"template_id": templates[1].id, "name": "again",
                                                   "is_full_copy": True}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    assert vm_by_id(api_client, answer.data.id).cluster.id == stopped.cluster.id


def test_folders(api_client, finish):
    from cloudtower.api.vm_folder_api import VmFolderApi
    folder_api = VmFolderApi(api_client)
    vm_api = VmApi(api_client)
    cluster = _cluster(api_client)
    answer = one(folder_api.create_vm_folder([{"cluster_id": cluster.id, "name": "new-folder"}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    folder = one(folder_api.get_vm_folders({"where": {"id": answer.data.id}}))
    assert folder.cluster.id == cluster.id and folder.vm_num == 0
    vm = a_vm(api_client, cluster={"id": cluster.id})
    task = one(vm_api.add_vm_to_folder({"where": {"id": vm.id}, "data": {"folder_id": folder.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    folder = one(folder_api.get_vm_folders({"where": {"id": folder.id}}))
    assert folder.vm_num == 1 and folder.vms[0].id == vm.id
    assert vm_by_id(api_client, vm.id).folder.id == folder.id
    task = one(folder_api.update_vm_folder({"where": {"id": folder.id}, "data": {"name": "renamed"}})).task_id
    finish([task])
    assert vm_by_id(api_client, vm.id).folder.name == "renamed"
    task = one(vm_api.remove_vm_to_folder({"where": {"id": vm.id}})).task_id
    finish([task])
    assert vm_by_id(api_client, vm.id).folder is None
    task = one(folder_api.delete_vm_folder({"where": {"id": folder.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert folder_api.get_vm_folders({"where": {"id": folder.id}}) == []
    # a folder of another cluster is refused
    other = folder_api.get_vm_folders({"where": {"cluster": {"name": "cluster-elf-b"}}})[0]
    task = one(vm_api.add_vm_to_folder({"where": {"id": vm.id}, "data": {"folder_id": other.id}})).task_id
    assert one(finish([task])).error_code == "VM_FOLDER_NOT_IN_CLUSTER"


def test_placement_groups(api_client, finish):
    from cloudtower.api.vm_placement_group_api import VmPlacementGroupApi
    api = VmPlacementGroupApi(api_client)
    cluster = _cluster(api_client)
    answer = one(api.create_vm_placement_group([{
        "name": "web-spread", "enabled": True, "cluster_id": cluster.id,
        "vm_vm_policy": "PREFER_DIFFERENT", "vm_vm_policy_enabled": True,
        "vms": {"name_contains": "web", "cluster": {"id": cluster.id}}}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    group = one(api.get_vm_placement_groups({"where": {"id": answer.data.id}}))
    web = VmApi(api_client).get_vms({"where": {"name_contains": "web", "cluster": {"id": cluster.id}}})
    assert sorted(v.id for v in group.vms) == sorted(v.id for v in web)
    assert group.id in [g.id for g in web[0].vm_placement_group]
    task = one(api.update_vm_placement_group({"where": {"id": group.id}, "data": {
        "vms": {"id_in": [web[0].id]}, "enabled": False}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    group = one(api.get_vm_placement_groups({"where": {"id": group.id}}))
    assert [v.id for v in group.vms] == [web[0].id] and group.enabled is False
    task = one(api.delete_vm_placement_group({"where": {"id": group.id}})).task_id
    finish([task])
    assert api.get_vm_placement_groups({"where": {"id": group.id}}) == []
    assert group.id not in [g.id for g in vm_by_id(api_client, web[0].id).vm_placement_group]


def test_labels_on_resources(api_client, finish):
    from cloudtower.api.label_api import LabelApi
    api = LabelApi(api_client)
    answer = one(api.create_label([{"key": "owner", "value": "sdk-team"}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    label = one(api.get_labels({"where": {"id": answer.data.id}}))
    assert (label.key, label.value, label.vm_num) == ("owner", "sdk-team", 0)
    task = one(api.add_labels_to_resources({"where": {"id": label.id}, "data": {
        "vms": {"status": "RUNNING"}, "hosts": {"name": "elf-a-node-1"}}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    label = one(api.get_labels({"where": {"id": label.id}}))
    running = VmApi(api_client).get_vms({"where": {"status": "RUNNING"}})
    assert label.vm_num == len(running) and label.host_num == 1
    tagged = VmApi(api_client).get_vms({"where": {"labels_some": {"key": "owner"}}})
    assert sorted(v.id for v in tagged) == sorted(v.id for v in running)
    task = one(api.remove_labels_from_resources({"where": {"id": label.id}, "data": {
        "vms": {"id": running[0].id}}})).task_id
    finish([task])
    assert one(api.get_labels({"where": {"id": label.id}})).vm_num == len(running) - 1
    task = one(api.delete_label({"where": {"id": label.id}})).task_id
    finish([task])
    assert VmApi(api_client).get_vms({"where": {"labels_some": {"key": "owner"}}}) == []


def test_iscsi_targets_luns_and_snapshots_generically(api_client, finish):
    from cloudtower.api.iscsi_lun_api import IscsiLunApi
    from cloudtower.api.iscsi_target_api import IscsiTargetApi
    zbs = _cluster(api_client, "cluster-zbs")
    target_api, lun_api = IscsiTargetApi(api_client), IscsiLunApi(api_client)
    answer = one(target_api.create_iscsi_target([{
        "name": "new-target", "cluster_id": zbs.id, "stripe_num": 4, "stripe_size": 256, "stripe_size_unit": "KB",
        "replica_num": 2, "thin_provision": True}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    target = one(target_api.get_iscsi_targets({"where": {"name": "new-target"}}))
    assert target.cluster.id == zbs.id and target.stripe_size == 256 * 1024
    answer = one(lun_api.create_iscsi_lun([{"name": "new-lun", "iscsi_target_id": target.id,
                                             "assigned_size": 20, "assigned_size_unit": "GB",
                                             "replica_num": 2}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    lun = one(lun_api.get_iscsi_luns({"where": {"name": "new-lun"}}))
    assert lun.iscsi_target.id == target.id and lun.assigned_size == 20 * GIB
    assert lun.id in [each.id for each in one(target_api.get_iscsi_targets({"where": {"id": target.id}})).luns]
    answer = one(IscsiLunSnapshotApi(api_client).create_iscsi_lun_snapshot([{
        "name": "new-lun-snap", "iscsi_lun_id": lun.id, "iscsi_target_id": target.id}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    snap = one(IscsiLunSnapshotApi(api_client).get_iscsi_lun_snapshots({"where": {"name": "new-lun-snap"}}))
    assert snap.iscsi_lun.id == lun.id
    task = one(lun_api.update_iscsi_lun({"where": {"id": lun.id}, "data": {"name": "renamed-lun"}})).task_id
    finish([task])
    assert one(lun_api.get_iscsi_luns({"where": {"id": lun.id}})).name == "renamed-lun"
    task = one(lun_api.delete_iscsi_lun({"where": {"id": lun.id}, "data": {"remove_snapshot": True}})).task_id
    assert one(finish([task])).status == "SUCCESSED"
    assert lun_api.get_iscsi_luns({"where": {"id": lun.id}}) == []
    # a reference to nothing fails the task
    answer = one(lun_api.create_iscsi_lun([{"name": "orphan", "iscsi_target_id": "cnosuchtarget000000000000",
                                             "assigned_size": 1, "replica_num": 2}]))
    assert one(finish([answer.task_id])).error_code == "ISCSI_TARGET_NOT_FOUND"
    assert lun_api.get_iscsi_luns({"where": {"name": "orphan"}}) == []


def test_injected_task_failure_changes_nothing(api_client, finish, simulator):
    vm = a_vm(api_client, status="STOPPED")
    simulator.fail_tasks("start_vm", error_code="HOST_OVERLOADED", error_message="no room")
    task = one(VmApi(api_client).start_vm({"where": {"id": vm.id}})).task_id
    failed = one(finish([task]))
    assert (failed.status, failed.error_code, failed.error_message) == ("FAILED", "HOST_OVERLOADED", "no room")
    assert vm_by_id(api_client, vm.id).status == "STOPPED"
    task = one(VmApi(api_client).start_vm({"where": {"id": vm.id}})).task_id
    assert one(finish([task])).status == "SUCCESSED"


def test_datacenter_clusters(api_client, finish):
    from cloudtower import DatacenterApi
    api = DatacenterApi(api_client)
    beijing = one(api.get_datacenters({"where": {"name": "dc-beijing"}}))
    zbs = _cluster(api_client, "cluster-zbs")
    assert zbs.id not in [c.id for c in beijing.clusters]
    answer = one(api.add_clusters_to_datacenter([{"where": {"id": beijing.id},
                                                   "data": {"clusters": {"name": "cluster-zbs"}}}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    beijing = one(api.get_datacenters({"where": {"id": beijing.id}}))
    assert zbs.id in [c.id for c in beijing.clusters]
    assert beijing.id in [d.id for d in _cluster(api_client, "cluster-zbs").datacenters]
    assert beijing.cluster_num == len(beijing.clusters) == 3
    answer = one(api.remove_clusters_from_datacenter([{"where": {"id": beijing.id},
                                                        "data": {"clusters": {"id": zbs.id}}}]))
    assert one(finish([answer.task_id])).status == "SUCCESSED"
    assert zbs.id not in [c.id for c in one(api.get_datacenters({"where": {"id": beijing.id}})).clusters]


def test_a_request_refused_half_way_leaves_no_task_and_no_change(api_client, simulator, monkeypatch):
    # white box: a handler that schedules work and then fails (as a bad second item of a
    # list body would) must leave neither the tasks nor their changes behind
    from cloudtower import ApiException
    from cloudtower.simulator import handlers
    from cloudtower.simulator.errors import bad_request
    handlers.load_handler_modules()
    real = handlers.HANDLERS["start_vm"]

    def start_then_refuse(ctx):
        real(ctx)
        raise bad_request("refused after scheduling")
    monkeypatch.setitem(handlers.HANDLERS, "start_vm", start_then_refuse)
    stopped = VmApi(api_client).get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False}})
    tasks_before = len(TaskApi(api_client).get_tasks({}))
    with pytest.raises(ApiException) as caught:
        VmApi(api_client).start_vm({"where": {"id_in": [vm.id for vm in stopped]}})
    assert caught.value.status == 400
    simulator.settle()
    assert len(TaskApi(api_client).get_tasks({})) == tasks_before
    assert set(vm.status for vm in VmApi(api_client).get_vms({"where": {"id_in": [v.id for v in stopped]}})) \
        == set(["STOPPED"])


def test_datacenter_clusters_of_a_list_body_apply_to_their_own_item(api_client, finish):
    # each item removes its own clusters (a late-bound closure once applied the
    # last item's clusters to every datacenter)
    from cloudtower import DatacenterApi
    api = DatacenterApi(api_client)
    beijing = one(api.get_datacenters({"where": {"name": "dc-beijing"}}))
    shanghai = one(api.get_datacenters({"where": {"name": "dc-shanghai"}}))
    elf_a, zbs = _cluster(api_client, "cluster-elf-a"), _cluster(api_client, "cluster-zbs")
    assert elf_a.id in [c.id for c in beijing.clusters] and zbs.id in [c.id for c in shanghai.clusters]
    answers = api.remove_clusters_from_datacenter([
        {"where": {"id": beijing.id}, "data": {"clusters": {"id": elf_a.id}}},
        {"where": {"id": shanghai.id}, "data": {"clusters": {"id": zbs.id}}}])
    assert [t.status for t in finish([a.task_id for a in answers])] == ["SUCCESSED"] * 2
    after = dict((d.name, sorted(c.name for c in d.clusters)) for d in api.get_datacenters({}))
    assert after == {"dc-beijing": ["cluster-elf-b"], "dc-shanghai": ["cluster-vmware"]}


def test_generic_update_of_a_list_body_applies_each_item_to_its_own_rows(api_client, finish, simulator):
    # the seed has no node topology: two rows put in the store directly (the
    # fixture resets the store after this test), then changed over HTTP
    from cloudtower.api.node_topo_api import NodeTopoApi
    with simulator.store.lock:
        first = simulator.store.insert("NodeTopo", {"name": "topo-a"})
        second = simulator.store.insert("NodeTopo", {"name": "topo-b"})
    api = NodeTopoApi(api_client)
    answers = api.update_node_topo([
        {"where": {"id": first["id"]}, "data": {"position": {"row": 1, "column": 1}}},
        {"where": {"id": second["id"]}, "data": {"position": {"row": 2, "column": 7}}}])
    assert [t.status for t in finish([a.task_id for a in answers])] == ["SUCCESSED"] * 2
    after = dict((t.name, (t.position.row, t.position.column))
                 for t in api.get_node_topoes({"where": {"id_in": [first["id"], second["id"]]}}))
    assert after == {"topo-a": (1, 1), "topo-b": (2, 7)}


def test_a_path_shared_with_an_old_name_serves_its_successor():
    # /poweroff-vm is both poweroff_vm and the guide's old force_shut_down_vm:
    # the route is poweroff_vm's on every Python (dict order once decided it)
    from cloudtower.simulator.schema import routes
    assert routes()[("POST", "/poweroff-vm")].name == "poweroff_vm"
    assert routes()[("POST", "/migrate-vm")].name == "migrate_vm"
