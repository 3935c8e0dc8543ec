# coding: utf-8
"""Power operations, on one VM and on several at once: start (on any host or
on a chosen one), shut down, power off, restart, force restart, suspend, resume.

    python examples/power.py

Works on two VMs of its own (sdk-example-...), deleted at the end.
"""
from __future__ import print_function

from _common import (
    connect,
    connected_hosts,
    create_stopped_vm,
    delete_vms,
    elf_cluster,
    finished_ids,
)
from cloudtower import VmApi, VmStatus


def show(api_client, title, with_task_vms):
    """Wait for a power operation's tasks, then print the VMs' state."""
    vm_ids = finished_ids(api_client, with_task_vms)
    vms = VmApi(api_client).get_vms({"where": {"id_in": vm_ids}, "orderBy": "name_ASC"})
    print("%-44s %s" % (title + ":", ", ".join(
        "%s %s%s" % (vm.name, vm.status, " on " + vm.host.name if vm.host else "")
        for vm in vms)))
    return vms


def main():
    with connect(changes_things=True) as api_client:
        vm_api = VmApi(api_client)
        cluster = elf_cluster(api_client)
        first = create_stopped_vm(api_client, cluster.id)
        second = create_stopped_vm(api_client, cluster.id)
        one = {"where": {"id": first.id}}
        both = {"where": {"id_in": [first.id, second.id]}}
        try:
            # Start: CloudTower picks a host, or you name one.
            show(api_client, "start, any host", vm_api.start_vm(one))
            host = connected_hosts(api_client, cluster.id)[0]
            vms = show(api_client, "start on host %s" % host.name, vm_api.start_vm({
                "where": {"id": second.id}, "data": {"host_id": host.id}}))
            assert vms[0].host.id == host.id

            # Shut down asks the guest OS to stop (ACPI / VMTools); power off
            # pulls the plug. Both have a batch form: a `where` matching many.
            show(api_client, "shut down one", vm_api.shut_down_vm(one))
            show(api_client, "start it again", vm_api.start_vm(one))
            show(api_client, "shut down both", vm_api.shut_down_vm(both))
            show(api_client, "start both", vm_api.start_vm(both))

            show(api_client, "restart one", vm_api.restart_vm(one))
            show(api_client, "restart both", vm_api.restart_vm(both))
            show(api_client, "force restart one", vm_api.force_restart_vm(one))
            show(api_client, "force restart both", vm_api.force_restart_vm(both))

            vms = show(api_client, "suspend one", vm_api.suspend_vm(one))
            assert vms[0].status == VmStatus.SUSPENDED
            show(api_client, "resume one", vm_api.resume_vm(one))
            show(api_client, "suspend both", vm_api.suspend_vm(both))
            show(api_client, "resume both", vm_api.resume_vm(both))

            # poweroff_vm is what older scripts call force_shut_down_vm (an alias)
            show(api_client, "power off one", vm_api.poweroff_vm(one))
            show(api_client, "start it again", vm_api.start_vm(one))
            vms = show(api_client, "power off both", vm_api.poweroff_vm(both))
            assert all(vm.status == VmStatus.STOPPED for vm in vms)
        finally:
            delete_vms(api_client, [first.id, second.id])


if __name__ == "__main__":
    main()
