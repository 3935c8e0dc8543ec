# coding: utf-8
"""Creating VMs from a VM template: with ids only, and with other NICs than the template's.

    python examples/create_vm_from_template.py [scenario ...]

Creates VMs (named sdk-example-...) and deletes them again.
"""
from __future__ import print_function

from _common import delete_vms, elf_cluster, fail, finished_ids, run, scratch_name, vm_vlan
from cloudtower import VmApi, VmNicApi, VmNicModel, VmTemplateApi


def _template(api_client, cluster_id):
    templates = VmTemplateApi(api_client).get_vm_templates({
        "where": {"cluster": {"id": cluster_id}},
        "orderBy": "name_ASC",
        "first": 1,
    })
    if not templates:
        fail("cluster %s has no VM template" % cluster_id)
    return templates[0]


def from_template_ids_only(api_client):
    # Everything else (CPU, memory, disks, NICs) comes from the template.
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    template = _template(api_client, cluster.id)
    with_task_vms = vm_api.create_vm_from_template([{
        "template_id": template.id,
        "cluster_id": cluster.id,
        "name": scratch_name(),
        "is_full_copy": False,  # a linked clone: quick, shares the template's data
    }])
    vm_ids = finished_ids(api_client, with_task_vms)
    for vm in vm_api.get_vms({"where": {"id_in": vm_ids}}):
        print("created %s from template %s: %d vCPU, %.1f GiB, %d disk(s), %d NIC(s)" % (
            vm.name, template.name, vm.vcpu, vm.memory / 1024.0 ** 3,
            len(vm.vm_disks or []), len(vm.vm_nics or [])))
    delete_vms(api_client, vm_ids)


def from_template_other_nics(api_client):
    # `vm_nics` replaces the template's NICs: here one E1000 NIC on a VM network.
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    template = _template(api_client, cluster.id)
    vlan = vm_vlan(api_client, cluster.id)
    with_task_vms = vm_api.create_vm_from_template([{
        "template_id": template.id,
        "cluster_id": cluster.id,
        "name": scratch_name(),
        "is_full_copy": False,
        "vm_nics": [{"connect_vlan_id": vlan.id, "enabled": True, "model": VmNicModel.E1000}],
    }])
    vm_ids = finished_ids(api_client, with_task_vms)
    vm = vm_api.get_vms({"where": {"id": vm_ids[0]}})[0]
    nics = VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm.id}}})
    for nic in nics:
        print("created %s with NIC %s on VLAN %s" % (vm.name, nic.model, nic.vlan.name))
    assert [nic.model for nic in nics] == [VmNicModel.E1000]
    delete_vms(api_client, vm_ids)


if __name__ == "__main__":
    run([from_template_ids_only, from_template_other_nics], changes_things=True)
