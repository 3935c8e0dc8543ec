# coding: utf-8
"""Removing VMs: into the recycle bin and back out, and deleting for good.

    python examples/delete_vm.py [scenario ...]

Works on VMs of its own (sdk-example-...).
"""
from __future__ import print_function

from _common import create_stopped_vm, delete_vms, elf_cluster, run
from cloudtower import VmApi, wait_for


def recycle_bin_and_back(api_client):
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    vm_ids = [create_stopped_vm(api_client, cluster.id).id for _ in range(2)]
    try:
        # The recycle bin keeps a VM (and its disks) until it is emptied or the
        # retention time of the cluster's recycle bin runs out.
        wait_for(vm_api.move_vm_to_recycle_bin({"where": {"id_in": vm_ids}}), api_client)
        binned = vm_api.get_vms({"where": {"id_in": vm_ids, "in_recycle_bin": True}})
        print("in the recycle bin: %s" % ", ".join(vm.name for vm in binned))
        assert len(binned) == 2

        wait_for(vm_api.recover_vm_from_recycle_bin({"where": {"id_in": vm_ids}}), api_client)
        back = vm_api.get_vms({"where": {"id_in": vm_ids, "in_recycle_bin": False}})
        print("recovered: %s" % ", ".join(vm.name for vm in back))
        assert len(back) == 2
    finally:
        delete_vms(api_client, vm_ids)


def delete_for_good(api_client):
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    vm_ids = [create_stopped_vm(api_client, cluster.id).id for _ in range(2)]
    # A running VM is refused (its task fails): power it off first.
    with_task_deleted = vm_api.delete_vm({"where": {"id_in": vm_ids},
                                          "effect": {"include_snapshots": True}})
    wait_for(with_task_deleted, api_client)
    left = vm_api.get_vms({"where": {"id_in": vm_ids}})
    print("deleted %d VMs; %d of them left" % (len(vm_ids), len(left)))
    assert not left


if __name__ == "__main__":
    run([recycle_bin_and_back, delete_for_good], changes_things=True)
