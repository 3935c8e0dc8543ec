# coding: utf-8
"""Power off every VM whose name starts with a prefix, and wait until they are off.

    python examples/power_off_by_prefix.py web-            # lists them, changes nothing
    python examples/power_off_by_prefix.py web- --yes      # shuts them down
    python examples/power_off_by_prefix.py web- --yes --force   # powers them off at once

Running VMs are shut down through their guest OS (``--force``: powered off
like pulling the plug); suspended ones can only be powered off. The script
waits for the tasks, then until every VM reads STOPPED, and exits 1 naming
the VMs that did not stop.

Connects with ``cloudtower.connect()`` (docs/authentication.md); with nothing
configured it runs against the embedded simulator. Against a real CloudTower
it also needs CLOUDTOWER_EXAMPLES_MAY_CHANGE=yes.
"""
from __future__ import print_function

import argparse
import sys

import cloudtower
from cloudtower import ApiException, VmApi, VmStatus, wait_for, wait_until

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy; Python 2.7 may have no typing module
    from typing import List, Optional, Sequence  # noqa: F401 (type comments)

    from cloudtower import ApiClient, Vm  # noqa: F401 (type comments)

POWERED_ON = [VmStatus.RUNNING, VmStatus.SUSPENDED]


def powered_on(client, prefix):
    # type: (ApiClient, str) -> List[Vm]
    return VmApi(client).get_vms({"where": {"name_starts_with": prefix, "status_in": POWERED_ON,
                                            "in_recycle_bin": False},
                                  "orderBy": "name_ASC"})


def power_off(client, vms, force, timeout):
    # type: (ApiClient, List[Vm], bool, float) -> List[str]
    """Shut down (or power off) ``vms``; returns the problems, empty if all stopped."""
    vm_api = VmApi(client)
    graceful = [vm.id for vm in vms if vm.status == VmStatus.RUNNING and not force]
    hard = [vm.id for vm in vms if vm.id not in graceful]
    problems = []  # type: List[str]
    for ids, operation in ((graceful, vm_api.shut_down_vm), (hard, vm_api.poweroff_vm)):
        if not ids:
            continue
        try:
            # every task is awaited, even after one failed, so the report is complete
            wait_for(operation({"where": {"id_in": ids}}), client, timeout=timeout,
                     show_progress=True)
        except ApiException as error:
            problems.append(error.reason or "")
    ids = [vm.id for vm in vms]
    try:
        wait_until(vm_api.get_vms, {"where": {"id_in": ids}}, {"status": VmStatus.STOPPED},
                   count=len(ids), timeout=60, interval=2)
    except ApiException as error:
        problems.append(error.reason or "")
    return problems


def main(argv=None):
    # type: (Optional[Sequence[str]]) -> int
    parser = argparse.ArgumentParser(description="Power off the VMs whose names start with PREFIX.")
    parser.add_argument("prefix", help="the start of the VMs' names, e.g. web-")
    parser.add_argument("--yes", action="store_true", help="do it (without: only list them)")
    parser.add_argument("--force", action="store_true",
                        help="power off at once instead of shutting down the guest OS")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait (600)")
    args = parser.parse_args(argv)
    if not args.prefix.strip():
        parser.error("the prefix must not be empty: that would be every VM")
    with cloudtower.connect() as client:
        vms = powered_on(client, args.prefix)
        for vm in vms:
            print("%-40s %s" % (vm.name, vm.status))
        if not vms:
            print("no running or suspended VM named %s*" % args.prefix)
            return 0
        if not args.yes:
            print("%d VM(s) would be %s; add --yes to do it" % (
                len(vms), "powered off" if args.force else "shut down"))
            return 0
        problems = power_off(client, vms, args.force, args.timeout)
        still_on = powered_on(client, args.prefix)
    for problem in problems:
        print("problem: %s" % problem, file=sys.stderr)
    print("%d VM(s) stopped, %d still on%s" % (
        len(vms) - len(still_on), len(still_on),
        ": " + ", ".join(vm.name or vm.id for vm in still_on) if still_on else ""))
    return 1 if still_on or problems else 0


if __name__ == "__main__":
    from _common import simulator_unless_configured  # the examples' local CloudTower
    with simulator_unless_configured(changes_things=True):
        sys.exit(main())
