"""A script written for the OFFICIAL cloudtower-sdk 2.20.0, run against our simulator.

run.py starts ``python -m cloudtower.simulator --port 0`` from this project's
virtualenv and runs this file with the official SDK's virtualenv: the two only
share the wire protocol. It does what an automation script does (log in, list
everything, filter, create a VM, wait for its task, add, change and remove a disk
with the ids the answers give, power it on and off, migrate it stopped, delete it;
a NOT given as one object; the recycle bin turned on and off through the global
settings; a template converted to a VM that is deleted at once; a LUN cloned from
a snapshot and rolled back) and checks every answer, read by the official SDK's
strict models; it exits non-zero at the first wrong one.

    python official_compat.py --endpoint http://127.0.0.1:PORT/v2/api --username root --password ...
"""
import argparse
import sys
import time

import cloudtower
from cloudtower import (
    ApiClient,
    Bus,
    ClusterApi,
    Configuration,
    ConvertVmTemplateToVmParams,
    GlobalRecycleBinUpdationParams,
    GlobalSettingsApi,
    HostApi,
    IscsiLunApi,
    IscsiLunCloneParams,
    IscsiLunRollbackParams,
    IscsiLunSnapshotApi,
    MountNewCreateDisksParams,
    MountNewCreateDisksParamsVmVolume,
    TaskApi,
    UserApi,
    VlanApi,
    VmApi,
    VmCreationParams,
    VmDiskApi,
    VmDiskParams,
    VmFirmware,
    VmNicApi,
    VmNicModel,
    VmNicParams,
    VmNicWhereInput,
    VmStatus,
    VmTemplateApi,
    VmVolumeElfStoragePolicyType,
)
from cloudtower.exceptions import ApiException
from cloudtower.models import LoginInput, UserSource
from cloudtower.utils import wait_tasks

GIB = 1024 ** 3
STEPS = []


def step(text):
    STEPS.append(text)
    print("ok   %s" % text, flush=True)


def expect(condition, text):
    if not condition:
        raise AssertionError(text)


def wait(with_tasks, client):
    ids = [item.task_id for item in with_tasks]
    expect(all(ids), "every mutation answers a task id: %r" % ids)
    # the official helper, polling each second (its default 5 s only slows this
    # down); it empties the list it is given, hence the copy
    wait_tasks(list(ids), client, interval=1, timeout=60)
    return ids


def must_fail(with_tasks, client):
    """Wait for tasks that must fail: the official wait_tasks raises 500; the failed task."""
    try:
        wait(with_tasks, client)
        raise AssertionError("a change that must be refused succeeded")
    except ApiException as error:
        expect(error.status == 500, "failed task: wait_tasks raised status %s" % error.status)
    failed = TaskApi(client).get_tasks({"where": {"id": with_tasks[0].task_id}})[0]
    expect(failed.status == "FAILED" and failed.error_code, "task %r" % failed)
    return failed


def one_vm(vm_api, vm_id):
    found = vm_api.get_vms({"where": {"id": vm_id}})
    expect(len(found) == 1, "get_vms by id found %d VMs" % len(found))
    return found[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    from importlib.metadata import version
    expect(version("cloudtower-sdk") == "2.20.0",
           "this must run with the official SDK 2.20.0, got %s from %s"
           % (version("cloudtower-sdk"), cloudtower.__file__))

    configuration = Configuration(host=args.endpoint)
    client = ApiClient(configuration)

    # -- auth --------------------------------------------------------------
    try:
        VmApi(client).get_vms({"first": 1})
        raise AssertionError("get_vms without a token was accepted")
    except ApiException as error:
        expect(error.status == 401, "no token: status %s" % error.status)
    step("a call without a token is refused with 401")
    try:
        UserApi(client).login(LoginInput(username=args.username, password="wrong-" + args.password,
                                         source=UserSource.LOCAL))
        raise AssertionError("a wrong password was accepted")
    except ApiException as error:
        expect(400 <= error.status < 500, "wrong password: status %s" % error.status)
        step("a wrong password is refused (%d)" % error.status)
    login = UserApi(client).login(LoginInput(username=args.username, password=args.password,
                                             source=UserSource.LOCAL))
    expect(login.data.token, "login answered no token")
    configuration.api_key["Authorization"] = login.data.token
    step("UserApi.login returns a token; it goes into api_key['Authorization']")

    vm_api = VmApi(client)

    # -- queries -----------------------------------------------------------
    everything = vm_api.get_vms({})
    total = vm_api.get_vms_connection({}).aggregate.count
    expect(everything and len(everything) == total,
           "get_vms({}) answered %d VMs, get_vms_connection counts %s" % (len(everything), total))
    step("get_vms({}) reads the whole inventory (%d VMs, every power state)" % total)

    clusters = ClusterApi(client).get_clusters({"where": {"hypervisor": "ELF", "type": "SMTX_OS"}})
    expect(clusters, "no SMTX OS cluster on ELF")
    expect(all(c.hypervisor == "ELF" and c.type == "SMTX_OS" for c in clusters),
           "get_clusters filter not applied")
    cluster = clusters[0]
    step("get_clusters filtered on hypervisor and type: %d cluster(s)" % len(clusters))

    vlans = VlanApi(client).get_vlans({"where": {"name": "default", "type": "VM",
                                                 "vds": {"cluster": {"id": cluster.id}}}})
    expect(vlans, "no VM vlan named default in cluster %s" % cluster.id)
    vlan = vlans[0]
    expect(vlan.name == "default", "vlan filter not applied")
    step("get_vlans with a nested relation filter finds the cluster's 'default' vlan")

    running = vm_api.get_vms({"where": {"status": VmStatus.RUNNING, "cluster": {"id": cluster.id}},
                              "orderBy": "name_ASC", "first": 5})
    expect(running, "no running VM in cluster %s" % cluster.id)
    expect(all(vm.status == VmStatus.RUNNING and vm.cluster.id == cluster.id for vm in running),
           "status/cluster filter not applied: %r" % [(vm.status, vm.cluster.id) for vm in running])
    names = [vm.name for vm in running]
    expect(names == sorted(names) and len(running) <= 5, "orderBy/first not applied: %r" % names)
    count = vm_api.get_vms_connection({"where": {"status": VmStatus.RUNNING,
                                                 "cluster": {"id": cluster.id}}})
    expect(count.aggregate.count >= len(running), "connection count %r < %d"
           % (count.aggregate.count, len(running)))
    step("get_vms with where/orderBy/first, and get_vms_connection: %d running VM(s) in the cluster"
         % count.aggregate.count)

    # -- create ------------------------------------------------------------
    name = "official-sdk-compat-%d" % int(time.time() * 1000)
    created = vm_api.create_vm([VmCreationParams(
        cluster_id=cluster.id, name=name, ha=True, cpu_cores=2, cpu_sockets=1, vcpu=2,
        memory=2 * GIB, status=VmStatus.STOPPED, firmware=VmFirmware.BIOS,
        vm_disks=VmDiskParams(mount_new_create_disks=[MountNewCreateDisksParams(
            boot=0, bus=Bus.VIRTIO, vm_volume=MountNewCreateDisksParamsVmVolume(
                elf_storage_policy=VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
                size=10 * GIB, name=name + "-disk"))]),
        vm_nics=[VmNicParams(connect_vlan_id=vlan.id, model=VmNicModel.VIRTIO)])])
    expect(len(created) == 1 and created[0].data.id, "create_vm answered %r" % created)
    vm_id = created[0].data.id
    task_ids = wait(created, client)
    task = TaskApi(client).get_tasks({"where": {"id": task_ids[0]}})[0]
    expect(task.status == "SUCCESSED" and task.finished_at, "task %r" % task)
    vm = one_vm(vm_api, vm_id)
    expect(vm.name == name and vm.status == VmStatus.STOPPED and vm.vcpu == 2
           and vm.memory == 2 * GIB and vm.cluster.id == cluster.id,
           "created VM differs: %s %s vcpu=%s memory=%s" % (vm.name, vm.status, vm.vcpu, vm.memory))
    expect(len(vm.vm_disks or []) == 1 and len(vm.vm_nics or []) == 1,
           "created VM has %d disk(s), %d NIC(s)" % (len(vm.vm_disks or []), len(vm.vm_nics or [])))
    step("create_vm (new disk, NIC) -> wait_tasks -> the VM is there, STOPPED, as asked")

    # -- disks: the ids the answers give stay valid ---------------------------
    added = vm_api.add_vm_disk({"where": {"id": vm_id}, "data": {"vm_disks": {
        "mount_new_create_disks": [{"boot": 1, "bus": Bus.VIRTIO, "vm_volume": {
            "elf_storage_policy": VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
            "size": GIB, "name": name + "-disk-2"}}]}}})
    wait(added, client)
    first = added[0].data.vm_disks[0].id
    wait(vm_api.update_vm_disk({"where": {"id": vm_id}, "data": {"vm_disk_id": first,
                                                                "bus": Bus.SCSI}}), client)
    expect(VmDiskApi(client).get_vm_disks({"where": {"id": first}})[0].bus == Bus.SCSI,
           "update_vm_disk with the id from add_vm_disk's answer changed nothing")
    disks = one_vm(vm_api, vm_id).vm_disks
    expect(len(disks) == 2 and disks[0].id == first, "after add_vm_disk: %r" % disks)
    changed = vm_api.update_vm_disk({"where": {"id": vm_id}, "data": {"vm_disk_id": disks[1].id,
                                                                     "bus": Bus.SCSI}})
    wait(changed, client)
    second = [d.id for d in changed[0].data.vm_disks if d.id != first]
    wait(vm_api.remove_vm_disk({"where": {"id": vm_id}, "data": {"disk_ids": second}}), client)
    expect([d.id for d in one_vm(vm_api, vm_id).vm_disks] == [first],
           "remove_vm_disk with the id from update_vm_disk's answer did not remove it")
    step("add_vm_disk, update_vm_disk, remove_vm_disk with the disk ids their answers give")

    # -- power -------------------------------------------------------------
    wait(vm_api.start_vm({"where": {"id": vm_id}}), client)
    expect(one_vm(vm_api, vm_id).status == VmStatus.RUNNING, "start_vm did not start the VM")
    step("start_vm -> RUNNING")

    failed = must_fail(vm_api.delete_vm({"where": {"id": vm_id}}), client)
    expect(failed.error_message, "task %r" % failed)
    expect(one_vm(vm_api, vm_id).status == VmStatus.RUNNING, "the refused delete changed the VM")
    step("delete_vm of a running VM: its task FAILS (%s), the official wait_tasks raises 500"
         % failed.error_code)

    wait(vm_api.shut_down_vm({"where": {"id": vm_id}}), client)
    expect(one_vm(vm_api, vm_id).status == VmStatus.STOPPED, "shut_down_vm did not stop the VM")
    step("shut_down_vm -> STOPPED")

    # -- cold migration ------------------------------------------------------
    stopped = one_vm(vm_api, vm_id)
    hosts = HostApi(client).get_hosts({"where": {"cluster": {"id": cluster.id},
                                                 "status": "CONNECTED_HEALTHY"}})
    target = [h for h in hosts if stopped.host is None or h.id != stopped.host.id][0]
    wait(vm_api.migrate_vm({"where": {"id": vm_id}, "data": {"host_id": target.id}}), client)
    moved = one_vm(vm_api, vm_id)
    expect(moved.status == VmStatus.STOPPED and moved.host.id == target.id,
           "migrate_vm of a stopped VM: %s on %s" % (moved.status, moved.host and moved.host.id))
    step("migrate_vm of a STOPPED VM is a cold migration: the host changes, it stays STOPPED")

    # -- delete ------------------------------------------------------------
    wait(vm_api.delete_vm({"where": {"id": vm_id}}), client)
    expect(vm_api.get_vms({"where": {"id": vm_id}}) == [], "the VM is still there after delete_vm")
    step("delete_vm -> gone")

    # -- a logical operator given one object -----------------------------------
    nic_api = VmNicApi(client)
    nics = nic_api.get_vm_nics({})
    kept = nic_api.get_vm_nics({"where": VmNicWhereInput(_not=VmNicWhereInput(model=VmNicModel.E1000))})
    expect(sorted(n.id for n in kept) == sorted(n.id for n in nics if n.model != VmNicModel.E1000),
           "NOT given as an object did not filter")
    nic_api.get_vm_nics({"where": VmNicWhereInput(_not=VmNicWhereInput(vm=None))})
    step("VmNicWhereInput(_not=VmNicWhereInput(...)): NOT as one object, as Prisma takes it")

    # -- the recycle bin, through the global settings ---------------------------
    settings_api = GlobalSettingsApi(client)
    settings = settings_api.get_global_settingses({})
    expect(len(settings) == 1 and settings[0].vm_recycle_bin is not None,
           "get_global_settingses answered %r" % settings)
    step("get_global_settingses: one row, recycle bin %s, %s days"
         % ("on" if settings[0].vm_recycle_bin.enabled else "off", settings[0].vm_recycle_bin.retain))
    spare = [v for v in vm_api.get_vms({"where": {"status": VmStatus.STOPPED, "in_recycle_bin": False,
                                                  "cluster": {"id": cluster.id}}})][0]
    on = settings_api.update_global_recycle_bin_setting(GlobalRecycleBinUpdationParams(
        enabled=True, retain=7))
    wait([on], client)
    expect(settings_api.get_global_settingses({})[0].vm_recycle_bin.enabled, "the bin is not on")
    wait(vm_api.move_vm_to_recycle_bin({"where": {"id": spare.id}}), client)
    expect(one_vm(vm_api, spare.id).in_recycle_bin, "move_vm_to_recycle_bin: not in the bin")
    wait(vm_api.recover_vm_from_recycle_bin({"where": {"id": spare.id}}), client)
    expect(not one_vm(vm_api, spare.id).in_recycle_bin, "recover_vm_from_recycle_bin: still binned")
    step("recycle bin on: move_vm_to_recycle_bin and recover_vm_from_recycle_bin")
    wait([settings_api.update_global_recycle_bin_setting(GlobalRecycleBinUpdationParams(
        enabled=False, retain=7))], client)
    expect(not settings_api.get_global_settingses({})[0].vm_recycle_bin.enabled, "the bin is not off")
    failed = must_fail(vm_api.move_vm_to_recycle_bin({"where": {"id": spare.id}}), client)
    expect(not one_vm(vm_api, spare.id).in_recycle_bin, "a VM went to a bin that is off")
    wait([settings_api.update_global_recycle_bin_setting(GlobalRecycleBinUpdationParams(
        enabled=True, retain=7))], client)
    step("recycle bin off: moving a VM to it fails (%s); on again" % failed.error_code)

    # -- a template converted to a VM, deleted at once ----------------------------
    template = VmTemplateApi(client).get_vm_templates({"where": {"cluster": {"id": cluster.id}},
                                                       "first": 1})[0]
    converted = vm_api.convert_vm_template_to_vm([ConvertVmTemplateToVmParams(
        name=name + "-converted", converted_from_template_id=template.id)])
    wait(converted, client)
    vm = one_vm(vm_api, converted[0].data.id)
    expect(vm.status == VmStatus.STOPPED, "convert_vm_template_to_vm gave a %s VM" % vm.status)
    wait(vm_api.delete_vm({"where": {"id": vm.id}}), client)
    expect(vm_api.get_vms({"where": {"id": vm.id}}) == [], "the converted VM is still there")
    step("convert_vm_template_to_vm -> a STOPPED VM, which delete_vm removes at once")

    # -- a LUN cloned from a snapshot, and rolled back -----------------------------
    lun_api = IscsiLunApi(client)
    snapshot = [s for s in IscsiLunSnapshotApi(client).get_iscsi_lun_snapshots({})
                if s.iscsi_lun is not None][0]
    lun = lun_api.get_iscsi_luns({"where": {"id": snapshot.iscsi_lun.id}})[0]
    clone = lun_api.clone_iscsi_lun_from_snapshot([IscsiLunCloneParams(
        iscsi_target_id=lun.iscsi_target.id, snapshot_id=snapshot.id, name=name + "-lun")])
    wait(clone, client)
    cloned = lun_api.get_iscsi_luns({"where": {"id": clone[0].data.id}})
    expect(len(cloned) == 1 and cloned[0].iscsi_target.id == lun.iscsi_target.id,
           "the cloned LUN: %r" % cloned)
    rollback = lun_api.rollback_iscsi_lun_from_snapshot([IscsiLunRollbackParams(
        lun_id=lun.id, snapshot_id=snapshot.id)])
    wait(rollback, client)
    after = lun_api.get_iscsi_luns({"where": {"id": lun.id}})
    expect(len(after) == 1 and after[0].iscsi_target is not None, "the LUN after rollback: %r" % after)
    everything = lun_api.get_iscsi_luns({})
    step("clone_iscsi_lun_from_snapshot and rollback_iscsi_lun_from_snapshot; all %d LUNs read"
         % len(everything))
    print("PASS: %d checks with the official SDK against the simulator" % len(STEPS))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any failure: say which step, exit non-zero
        import traceback
        traceback.print_exc(limit=-3, file=sys.stdout)
        print("FAIL after %d step(s): %s: %s" % (len(STEPS), type(error).__name__, error))
        sys.exit(1)
