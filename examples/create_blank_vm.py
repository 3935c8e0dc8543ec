# coding: utf-8
"""Creating blank VMs: the simplest one, then with an ISO in the CD-ROM, with an
existing volume, with a new disk, and with NICs of their own settings.

    python examples/create_blank_vm.py [scenario ...]

Creates VMs (and one volume) named sdk-example-... and deletes them again.
"""
from __future__ import print_function

from _common import GiB, delete_vms, elf_cluster, fail, finished_ids, run, scratch_name, vm_vlan
from cloudtower import (
    Bus,
    ElfImageApi,
    VmApi,
    VmDiskApi,
    VmDiskType,
    VmFirmware,
    VmNicApi,
    VmNicModel,
    VmStatus,
    VmVolumeApi,
    VmVolumeElfStoragePolicyType,
)


def _blank_vm(cluster_id, vlan_id, vm_disks, vm_nics=None):
    """What every blank VM below has in common: 4 vCPUs in 2 sockets, 4 GiB, powered off."""
    return {
        "cluster_id": cluster_id,
        "name": scratch_name(),
        "ha": True,
        "cpu_sockets": 2,
        "cpu_cores": 2,  # per socket: vcpu = sockets x cores
        "vcpu": 4,
        "memory": 4 * GiB,
        "status": VmStatus.STOPPED,
        "firmware": VmFirmware.BIOS,
        "vm_nics": vm_nics if vm_nics is not None else [{"connect_vlan_id": vlan_id}],
        "vm_disks": vm_disks,
    }


def _create_and_show(api_client, params):
    """Create one VM, wait for it, print its devices, delete it again."""
    vm_api = VmApi(api_client)
    # create_vm takes a list: several VMs in one call, one task each
    with_task_vm = vm_api.create_vm([params])[0]
    vm_id = finished_ids(api_client, [with_task_vm])[0]
    vm = vm_api.get_vms({"where": {"id": vm_id}})[0]
    disks = VmDiskApi(api_client).get_vm_disks({"where": {"vm": {"id": vm_id}},
                                                "orderBy": "boot_ASC"})
    nics = VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm_id}}})
    print("created %s (%s, %d vCPU, %d GiB)" % (vm.name, vm.status, vm.vcpu, vm.memory // GiB))
    for disk in disks:
        if disk.type == VmDiskType.CD_ROM:
            print("  CD-ROM, boot %d: %s" % (disk.boot, disk.elf_image.name if disk.elf_image
                                               else "empty"))
        else:
            print("  disk %s, boot %d: volume %s" % (disk.bus, disk.boot, disk.vm_volume.name))
    for nic in nics:
        print("  NIC %s on %s, enabled=%s, mirror=%s" % (nic.model, nic.vlan.name, nic.enabled,
                                                        nic.mirror))
    delete_vms(api_client, [vm_id])
    return vm, disks, nics


def simple_vm(api_client):
    # One empty CD-ROM to install from later, one NIC, no disk yet.
    cluster = elf_cluster(api_client)
    vlan = vm_vlan(api_client, cluster.id)
    _create_and_show(api_client, _blank_vm(cluster.id, vlan.id, {
        "mount_cd_roms": [{"boot": 0, "index": 0}],
    }))


def vm_with_iso(api_client):
    cluster = elf_cluster(api_client)
    vlan = vm_vlan(api_client, cluster.id)
    images = ElfImageApi(api_client).get_elf_images({
        "where": {"cluster": {"id": cluster.id}}, "orderBy": "name_ASC", "first": 1})
    if not images:
        fail("cluster %s has no ISO image (upload one: see upload_image.py)" % cluster.name)
    _, disks, _ = _create_and_show(api_client, _blank_vm(cluster.id, vlan.id, {
        "mount_cd_roms": [{"boot": 0, "index": 0, "elf_image_id": images[0].id}],
    }))
    assert disks[0].elf_image.id == images[0].id


def vm_with_existing_volume(api_client):
    # A volume of our own, made first, then mounted as the VM's boot disk.
    cluster = elf_cluster(api_client)
    vlan = vm_vlan(api_client, cluster.id)
    with_task_volumes = VmVolumeApi(api_client).create_vm_volume([{
        "cluster_id": cluster.id,
        "name": scratch_name("volume"),
        "size": 2 * GiB,
        "elf_storage_policy": VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
        "sharing": False,
    }])
    volume_id = finished_ids(api_client, with_task_volumes)[0]
    _, disks, _ = _create_and_show(api_client, _blank_vm(cluster.id, vlan.id, {
        "mount_disks": [{"boot": 0, "index": 0, "bus": Bus.VIRTIO, "vm_volume_id": volume_id}],
    }))
    assert disks[0].vm_volume.id == volume_id


def vm_with_new_disk(api_client):
    # The volume is created with the VM: 10 GiB, 2 replicas, thin provisioned.
    cluster = elf_cluster(api_client)
    vlan = vm_vlan(api_client, cluster.id)
    _create_and_show(api_client, _blank_vm(cluster.id, vlan.id, {
        "mount_new_create_disks": [{
            "boot": 0,
            "bus": Bus.VIRTIO,
            "vm_volume": {
                "name": scratch_name("disk"),
                "size": 10 * GiB,
                "elf_storage_policy": VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
            },
        }],
    }))


def vm_with_nic_settings(api_client):
    # A VirtIO NIC with port mirroring, and a disabled E1000 one.
    cluster = elf_cluster(api_client)
    vlan = vm_vlan(api_client, cluster.id)
    _, _, nics = _create_and_show(api_client, _blank_vm(
        cluster.id, vlan.id,
        {"mount_cd_roms": [{"boot": 0, "index": 0}]},
        vm_nics=[
            {"connect_vlan_id": vlan.id, "model": VmNicModel.VIRTIO, "mirror": True},
            {"connect_vlan_id": vlan.id, "model": VmNicModel.E1000, "enabled": False},
        ]))
    assert sorted(nic.model for nic in nics) == [VmNicModel.E1000, VmNicModel.VIRTIO]


if __name__ == "__main__":
    run([simple_vm, vm_with_iso, vm_with_existing_volume, vm_with_new_disk,
         vm_with_nic_settings], changes_things=True)
