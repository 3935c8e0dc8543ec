# coding: utf-8
"""Changing a VM: its basic settings, CD-ROMs, disks and NICs.

    python examples/edit_vm.py [scenario ...]

Each scenario works on a VM of its own (sdk-example-...), deleted at the end.
"""
from __future__ import print_function

from _common import GiB, elf_cluster, fail, finished_ids, run, scratch_name, scratch_vm, vm_vlan
from cloudtower import (
    Bus,
    ElfImageApi,
    VmApi,
    VmDiskApi,
    VmDiskType,
    VmNicApi,
    VmNicModel,
    VmVolumeApi,
    VmVolumeElfStoragePolicyType,
    wait_for,
)


def _disks(api_client, vm_id, disk_type):
    return VmDiskApi(api_client).get_vm_disks({
        "where": {"vm": {"id": vm_id}, "type": disk_type}, "orderBy": "boot_ASC"})


def _nics(api_client, vm_id):
    # a NIC's place on the VM (what nic_index means) is its `order`
    return VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm_id}},
                                             "orderBy": "order_ASC"})


def edit_basic_info(api_client):
    vm_api = VmApi(api_client)
    with scratch_vm(api_client) as vm:
        new_name = scratch_name()
        with_task_vms = vm_api.update_vm({
            "where": {"id": vm.id},
            "data": {
                "name": new_name,
                "description": "changed by examples/edit_vm.py",
                "ha": False,
                "cpu_sockets": 2,
                "cpu_cores": 2,
                "vcpu": 2 * 2,
                "memory": 2 * GiB,
            },
        })
        wait_for(with_task_vms, api_client)
        updated = vm_api.get_vms({"where": {"id": vm.id}})[0]
        print("%s is now %s: %d vCPU, %d GiB, ha=%s" % (
            vm.name, updated.name, updated.vcpu, updated.memory // GiB, updated.ha))
        assert (updated.name, updated.vcpu, updated.memory) == (new_name, 4, 2 * GiB)


def add_and_remove_cd_rom(api_client):
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    images = ElfImageApi(api_client).get_elf_images({
        "where": {"cluster": {"id": cluster.id}}, "orderBy": "name_ASC", "first": 1})
    if not images:
        fail("cluster %s has no ISO image" % cluster.name)
    with scratch_vm(api_client) as vm:
        wait_for(vm_api.add_vm_cd_rom({
            "where": {"id": vm.id},
            "data": {"vm_cd_roms": [{"elf_image_id": images[0].id, "boot": 1, "index": 1}]},
        }), api_client)
        cd_roms = _disks(api_client, vm.id, VmDiskType.CD_ROM)
        print("added CD-ROM(s) with %s" % ", ".join(
            cd.elf_image.name if cd.elf_image else "nothing" for cd in cd_roms))

        # a CD-ROM is removed by its id (a VmDisk of type CD_ROM)
        wait_for(vm_api.remove_vm_cd_rom({
            "where": {"id": vm.id},
            "data": {"cd_rom_ids": [cd.id for cd in cd_roms]},
        }), api_client)
        left = _disks(api_client, vm.id, VmDiskType.CD_ROM)
        print("removed %d CD-ROM(s); %d left" % (len(cd_roms), len(left)))
        assert not left


def add_new_disk(api_client):
    vm_api = VmApi(api_client)
    with scratch_vm(api_client) as vm:
        before = _disks(api_client, vm.id, VmDiskType.DISK)
        wait_for(vm_api.add_vm_disk({
            "where": {"id": vm.id},
            "data": {"vm_disks": {"mount_new_create_disks": [{
                "boot": len(before),
                "bus": Bus.VIRTIO,
                "vm_volume": {
                    "name": scratch_name("disk"),
                    "size": 5 * GiB,
                    "elf_storage_policy": VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
                },
            }]}},
        }), api_client)
        after = _disks(api_client, vm.id, VmDiskType.DISK)
        print("%s had %d disk(s), now %d" % (vm.name, len(before), len(after)))
        assert len(after) == len(before) + 1


def mount_existing_volume(api_client):
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    with scratch_vm(api_client) as vm:
        volume_id = finished_ids(api_client, VmVolumeApi(api_client).create_vm_volume([{
            "cluster_id": cluster.id,
            "name": scratch_name("volume"),
            "size": 1 * GiB,
            "elf_storage_policy": VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
            "sharing": False,
        }]))[0]
        wait_for(vm_api.add_vm_disk({
            "where": {"id": vm.id},
            "data": {"vm_disks": {"mount_disks": [
                {"vm_volume_id": volume_id, "boot": 1, "index": 1, "bus": Bus.VIRTIO},
            ]}},
        }), api_client)
        mounted = [disk for disk in _disks(api_client, vm.id, VmDiskType.DISK)
                   if disk.vm_volume and disk.vm_volume.id == volume_id]
        print("volume %s mounted on %s as %s" % (volume_id, vm.name, mounted[0].bus))


def unmount_disk(api_client):
    vm_api = VmApi(api_client)
    with scratch_vm(api_client) as vm:
        disks = _disks(api_client, vm.id, VmDiskType.DISK)
        # removing a disk from the VM keeps its volume: it can be mounted again
        wait_for(vm_api.remove_vm_disk({
            "where": {"id": vm.id},
            "data": {"disk_ids": [disk.id for disk in disks]},
        }), api_client)
        left = _disks(api_client, vm.id, VmDiskType.DISK)
        print("unmounted %d disk(s) from %s; %d left" % (len(disks), vm.name, len(left)))
        assert not left


def add_edit_and_remove_nics(api_client):
    vm_api = VmApi(api_client)
    cluster = elf_cluster(api_client)
    vlan = vm_vlan(api_client, cluster.id)
    other_vlan = vm_vlan(api_client, cluster.id, skip=1)
    with scratch_vm(api_client) as vm:
        # two more NICs: one disabled, one mirroring traffic
        wait_for(vm_api.add_vm_nic({
            "where": {"id": vm.id},
            "data": {"vm_nics": [
                {"connect_vlan_id": vlan.id, "enabled": False, "model": VmNicModel.VIRTIO},
                {"connect_vlan_id": other_vlan.id, "enabled": True, "mirror": True,
                 "model": VmNicModel.VIRTIO},
            ]},
        }), api_client)
        nics = _nics(api_client, vm.id)
        print("%s has %d NICs: %s" % (vm.name, len(nics), ", ".join(
            "%s%s" % (nic.vlan.name, "" if nic.enabled else " (disabled)") for nic in nics)))

        # a NIC is addressed by its index on the VM: here the first one
        wait_for(vm_api.update_vm_nic({
            "where": {"id": vm.id},
            "data": {"nic_index": 0, "enabled": False, "mirror": False,
                     "connect_vlan_id": other_vlan.id},
        }), api_client)
        first = _nics(api_client, vm.id)[0]
        print("NIC 0 is now on %s, enabled=%s" % (first.vlan.name, first.enabled))

        wait_for(vm_api.remove_vm_nic({
            "where": {"id": vm.id},
            "data": {"nic_index": [0, 1]},
        }), api_client)
        left = _nics(api_client, vm.id)
        print("removed NICs 0 and 1; %d left" % len(left))
        assert len(left) == len(nics) - 2


if __name__ == "__main__":
    run([edit_basic_info, add_and_remove_cd_rom, add_new_disk, mount_existing_volume,
         unmount_disk, add_edit_and_remove_nics], changes_things=True)
