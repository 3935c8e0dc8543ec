# coding: utf-8
"""The backup scenario: snapshot a VM, then find the storage-level (iSCSI LUN)
snapshots of its disks, which is what a backup tool copies.

    python examples/snapshot_backup.py [VM name]

Without a name it snapshots a VM of its own (sdk-example-...), deleted at the
end together with its snapshot. With a name it snapshots that VM and keeps
the snapshot.
"""
from __future__ import print_function

import sys

from _common import connect, fail, finished_ids, scratch_name, scratch_vm
from cloudtower import (
    ConsistentType,
    IscsiLunSnapshotApi,
    VmApi,
    VmDiskType,
    VmSnapshotApi,
    VmToolsStatus,
    wait_for,
)


def create_vm_snapshot(api_client, vm_name, snapshot_name,
                       consistent_type=ConsistentType.FILE_SYSTEM_CONSISTENT):
    """Snapshot the VM called ``vm_name``; returns the snapshot and its LUN snapshots."""
    vms = VmApi(api_client).get_vms({"where": {"name": vm_name}, "first": 1})
    if not vms:
        fail("no VM named %r" % vm_name)
    vm = vms[0]
    # A file-system consistent snapshot needs VMTools running in the guest to
    # flush its file systems; without them only crash consistency is possible.
    if consistent_type == ConsistentType.FILE_SYSTEM_CONSISTENT \
            and vm.vm_tools_status != VmToolsStatus.RUNNING:
        consistent_type = ConsistentType.CRASH_CONSISTENT

    snapshot_api = VmSnapshotApi(api_client)
    with_task_snapshots = snapshot_api.create_vm_snapshot({
        "data": [{"vm_id": vm.id, "name": snapshot_name, "consistent_type": consistent_type}],
    })
    snapshot_id = finished_ids(api_client, with_task_snapshots)[0]
    snapshot = snapshot_api.get_vm_snapshots({"where": {"id": snapshot_id}})[0]

    # Each DISK of the snapshot names the LUN snapshot that holds its data in
    # snapshot_local_id; a CD-ROM has none.
    lun_snapshot_names = [disk.snapshot_local_id for disk in snapshot.vm_disks or []
                          if disk.type == VmDiskType.DISK and disk.snapshot_local_id]
    lun_snapshots = []
    if lun_snapshot_names:
        lun_snapshots = IscsiLunSnapshotApi(api_client).get_iscsi_lun_snapshots({
            "where": {"name_in": lun_snapshot_names}})
    return {"vm_snapshot": snapshot, "lun_snapshots": lun_snapshots}


def report(result):
    snapshot = result["vm_snapshot"]
    print("snapshot %s of VM %s (%s), %d disk(s)" % (
        snapshot.name, snapshot.vm.name if snapshot.vm else "?", snapshot.consistent_type,
        len(snapshot.vm_disks or [])))
    for lun_snapshot in result["lun_snapshots"]:
        print("  LUN snapshot %s (id %s)" % (lun_snapshot.name, lun_snapshot.id))


def main():
    with connect(changes_things=len(sys.argv) < 2) as api_client:
        if len(sys.argv) > 1:
            report(create_vm_snapshot(api_client, sys.argv[1], scratch_name("snapshot")))
            return
        with scratch_vm(api_client, disk_gib=2) as vm:
            result = create_vm_snapshot(api_client, vm.name, scratch_name("snapshot"))
            report(result)
            disks = [d for d in result["vm_snapshot"].vm_disks if d.type == VmDiskType.DISK]
            assert len(result["lun_snapshots"]) == len(disks)
            wait_for(VmSnapshotApi(api_client).delete_vm_snapshot({
                "where": {"id": result["vm_snapshot"].id}}), api_client)


if __name__ == "__main__":
    main()
