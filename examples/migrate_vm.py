# coding: utf-8
"""Live migration of a running VM: to a host you choose, or to one CloudTower picks.

    python examples/migrate_vm.py [scenario ...]

Needs a cluster with at least two connected hosts. Works on a VM of its own
(sdk-example-...), deleted at the end.
"""
from __future__ import print_function

from _common import connected_hosts, elf_cluster, fail, run, scratch_vm
from cloudtower import VmApi, wait_for


def _host_of(api_client, vm_id):
    """The host the VM runs on (a NestedHost: id and name)."""
    return VmApi(api_client).get_vms({"where": {"id": vm_id}})[0].host


def migrate_to_chosen_host(api_client):
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    hosts = connected_hosts(api_client, cluster.id)
    if len(hosts) < 2:
        fail("cluster %s has fewer than two connected hosts" % cluster.name)
    with scratch_vm(api_client) as vm:
        # only a running VM migrates; start it on the first host
        wait_for(vm_api.start_vm({"where": {"id": vm.id},
                                  "data": {"host_id": hosts[0].id}}), api_client)
        target = hosts[1]
        wait_for(vm_api.migrate_vm({
            "where": {"id": vm.id},
            "data": {"host_id": target.id},
        }), api_client)
        now_on = _host_of(api_client, vm.id)
        print("%s moved from %s to %s" % (vm.name, hosts[0].name, now_on.name))
        assert now_on.id == target.id


def migrate_anywhere(api_client):
    # Without data.host_id CloudTower chooses the host (another one than now).
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    if len(connected_hosts(api_client, cluster.id)) < 2:
        fail("cluster %s has fewer than two connected hosts" % cluster.name)
    with scratch_vm(api_client) as vm:
        wait_for(vm_api.start_vm({"where": {"id": vm.id}}), api_client)
        before = _host_of(api_client, vm.id)
        # migrate_vm is what older scripts call mig_rate_vm (an alias)
        wait_for(vm_api.migrate_vm({"where": {"id": vm.id}}), api_client)
        after = _host_of(api_client, vm.id)
        print("%s migrated from %s to %s" % (vm.name, before.name, after.name))
        assert after.id != before.id


if __name__ == "__main__":
    run([migrate_to_chosen_host, migrate_anywhere], changes_things=True)
