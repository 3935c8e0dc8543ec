# coding: utf-8
"""Snapshots with retention: snapshot the VMs whose names start with a prefix,
and keep only the newest N snapshots this script made of each.

    python examples/snapshot_retention.py web- --keep 7      # e.g. daily from cron
    python examples/snapshot_retention.py web- --dry-run     # what it would do

The snapshots are named ``<vm>-<tag>-<UTC time>`` (tag ``auto`` unless
``--tag``); only snapshots named that way are ever deleted, never ones made
by hand or by another tag. All VMs are snapshotted in one request and the
script waits for the tasks before deleting anything, so a failed snapshot
never costs an old one.

Connects with ``cloudtower.connect()`` (docs/authentication.md); with nothing
configured it runs against the embedded simulator. Against a real CloudTower
it also needs CLOUDTOWER_EXAMPLES_MAY_CHANGE=yes.
"""
from __future__ import print_function

import argparse
import datetime
import sys

import cloudtower
from cloudtower import ConsistentType, VmApi, VmSnapshotApi, wait_for

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy; Python 2.7 may have no typing module
    from typing import Dict, List, Optional, Sequence  # noqa: F401 (type comments)

    from cloudtower import ApiClient, Vm, VmSnapshot  # noqa: F401 (type comments)


def snapshot_name(vm, tag, now):
    # type: (Vm, str, datetime.datetime) -> str
    return "%s-%s-%s" % (vm.name, tag, now.strftime("%Y%m%d-%H%M%S-%f"))


def ours(client, vm, tag):
    # type: (ApiClient, Vm, str) -> List[VmSnapshot]
    """The snapshots this script made of ``vm``, newest first (the name sorts by time)."""
    prefix = "%s-%s-" % (vm.name, tag)
    snapshots = VmSnapshotApi(client).get_vm_snapshots({
        "where": {"vm": {"id": vm.id}, "name_starts_with": prefix}})
    return sorted(snapshots, key=lambda snapshot: snapshot.name or "", reverse=True)


def main(argv=None):
    # type: (Optional[Sequence[str]]) -> int
    parser = argparse.ArgumentParser(description="Snapshot VMs and keep the newest N.")
    parser.add_argument("prefix", help="the start of the VMs' names")
    parser.add_argument("--keep", type=int, default=7, help="snapshots kept per VM (7)")
    parser.add_argument("--tag", default="auto", help="marks this script's snapshots (auto)")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be done")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait (1800)")
    args = parser.parse_args(argv)
    if args.keep < 1:
        parser.error("--keep must be at least 1")
    if not args.prefix.strip():
        parser.error("the prefix must not be empty: that would be every VM")

    with cloudtower.connect() as client:
        vms = VmApi(client).get_vms({"where": {"name_starts_with": args.prefix,
                                               "in_recycle_bin": False}, "orderBy": "name_ASC"})
        if not vms:
            print("no VM named %s*" % args.prefix)
            return 0
        now = datetime.datetime.utcnow()
        names = dict((vm.id, snapshot_name(vm, args.tag, now)) for vm in vms)  # type: Dict[str, str]
        snapshot_api = VmSnapshotApi(client)
        if args.dry_run:
            for vm in vms:
                print("would snapshot %s as %s" % (vm.name, names[vm.id]))
        else:
            wait_for(snapshot_api.create_vm_snapshot({"data": [
                {"vm_id": vm.id, "name": names[vm.id],
                 "consistent_type": ConsistentType.CRASH_CONSISTENT} for vm in vms]}),
                client, timeout=args.timeout, show_progress=True)
            for vm in vms:
                print("snapshot %s" % names[vm.id])
        expired = []  # type: List[VmSnapshot]
        for vm in vms:
            # newest first; in a dry run the snapshot it would have made is the newest
            kept = ours(client, vm, args.tag)
            expired.extend(kept[args.keep - 1 if args.dry_run else args.keep:])
        for snapshot in expired:
            print("%s %s" % ("would delete" if args.dry_run else "delete", snapshot.name))
        if expired and not args.dry_run:
            wait_for(snapshot_api.delete_vm_snapshot({"where": {"id_in": [s.id for s in expired]}}),
                     client, timeout=args.timeout)
    print("%d VM(s), %d snapshot(s) %s, %d %sdeleted" % (
        len(vms), len(vms), "to make" if args.dry_run else "made", len(expired),
        "to be " if args.dry_run else ""))
    return 0


if __name__ == "__main__":
    from _common import simulator_unless_configured  # the examples' local CloudTower
    with simulator_unless_configured(changes_things=True):
        sys.exit(main())
