"""A script written for the OFFICIAL cloudtower-sdk 2.20.0, run against our simulator.

run.py starts ``python -m cloudtower.simulator --port 0`` from this project's
virtualenv and runs this file with the official SDK's virtualenv: the two only
share the wire protocol. It does what an automation script does (log in, list
everything, filter, create a VM, wait for its task, power it on and off, delete it)
and checks every answer; it exits non-zero at the first wrong one.

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
    MountNewCreateDisksParams,
    MountNewCreateDisksParamsVmVolume,
    TaskApi,
    UserApi,
    VlanApi,
    VmApi,
    VmCreationParams,
    VmDiskParams,
    VmFirmware,
    VmNicModel,
    VmNicParams,
    VmStatus,
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

    # -- power -------------------------------------------------------------
    wait(vm_api.start_vm({"where": {"id": vm_id}}), client)
    expect(one_vm(vm_api, vm_id).status == VmStatus.RUNNING, "start_vm did not start the VM")
    step("start_vm -> RUNNING")

    refused = vm_api.delete_vm({"where": {"id": vm_id}})
    try:
        wait(refused, client)
        raise AssertionError("deleting a running VM succeeded")
    except ApiException as error:
        expect(error.status == 500, "failed task: wait_tasks raised status %s" % error.status)
    failed = TaskApi(client).get_tasks({"where": {"id": refused[0].task_id}})[0]
    expect(failed.status == "FAILED" and failed.error_message, "task %r" % failed)
    expect(one_vm(vm_api, vm_id).status == VmStatus.RUNNING, "the refused delete changed the VM")
    step("delete_vm of a running VM: its task FAILS (%s), the official wait_tasks raises 500"
         % failed.error_code)

    wait(vm_api.shut_down_vm({"where": {"id": vm_id}}), client)
    expect(one_vm(vm_api, vm_id).status == VmStatus.STOPPED, "shut_down_vm did not stop the VM")
    step("shut_down_vm -> STOPPED")

    # -- delete ------------------------------------------------------------
    wait(vm_api.delete_vm({"where": {"id": vm_id}}), client)
    expect(vm_api.get_vms({"where": {"id": vm_id}}) == [], "the VM is still there after delete_vm")
    step("delete_vm -> gone")
    print("PASS: %d checks with the official SDK against the simulator" % len(STEPS))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # any failure: say which step, exit non-zero
        import traceback
        traceback.print_exc(limit=-3, file=sys.stdout)
        print("FAIL after %d step(s): %s: %s" % (len(STEPS), type(error).__name__, error))
        sys.exit(1)
