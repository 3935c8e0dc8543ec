# coding: utf-8
"""Every VM to a CSV file: name, status, cluster, host, vCPUs, memory, disk, IPs.

    python examples/inventory_csv.py                      # to stdout
    python examples/inventory_csv.py --output vms.csv

Only reads. Connects with ``cloudtower.connect()``: CLOUDTOWER_ENDPOINT,
CLOUDTOWER_USERNAME and CLOUDTOWER_PASSWORD, or a profile of
~/.cloudtower/config (docs/authentication.md); with none of them, the
embedded simulator. VMs are read 500 at a time, so memory stays bounded
however large the inventory.
"""
from __future__ import print_function

import argparse
import csv
import io
import sys

import cloudtower
from cloudtower import VmApi
from cloudtower.utils import paginate

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy; Python 2.7 may have no typing module
    from typing import Any, Iterator, List, Optional, Sequence  # noqa: F401 (type comments)

    from cloudtower import ApiClient, Vm  # noqa: F401 (type comments)

COLUMNS = ["name", "status", "cluster", "host", "vcpu", "memory_gib", "disk_gib", "ips",
           "guest_os", "id"]
GiB = 1024.0 ** 3


def row(vm):
    # type: (Vm) -> List[str]
    return [
        vm.name or "",
        "%s" % (vm.status or ""),
        vm.cluster.name or "" if vm.cluster else "",
        vm.host.name or "" if vm.host else "",
        "%d" % (vm.vcpu or 0),
        "%.1f" % ((vm.memory or 0) / GiB),
        "%.1f" % ((vm.size or 0) / GiB),
        vm.ips or "",
        "%s" % (vm.guest_os_type or ""),
        vm.id or "",
    ]


def rows(client):
    # type: (ApiClient) -> Iterator[List[str]]
    request = {"where": {"in_recycle_bin": False}, "orderBy": "name_ASC"}
    for vm in paginate(VmApi(client).get_vms, request, page_size=500):
        yield row(vm)


def write_csv(lines, path):
    # type: (Iterator[List[str]], Optional[str]) -> int
    """Write the header and ``lines`` to ``path`` (stdout if None); returns the row count."""
    count = 0
    if sys.version_info[0] == 2:  # the csv module of Python 2 writes bytes
        handle = open(path, "wb") if path else sys.stdout  # type: Any
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for line in lines:
            writer.writerow([cell.encode("utf-8") for cell in line])
            count += 1
    else:
        handle = io.open(path, "w", newline="", encoding="utf-8") if path else sys.stdout
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for line in lines:
            writer.writerow(line)
            count += 1
    if path:
        handle.close()
    return count


def main(argv=None):
    # type: (Optional[Sequence[str]]) -> int
    parser = argparse.ArgumentParser(description="Every VM to a CSV file.")
    parser.add_argument("--output", "-o", help="the CSV file to write (default: stdout)")
    args = parser.parse_args(argv)
    with cloudtower.connect() as client:
        count = write_csv(rows(client), args.output)
    sys.stderr.write("%d VMs written to %s\n" % (count, args.output or "stdout"))
    return 0


if __name__ == "__main__":
    from _common import simulator_unless_configured  # the examples' local CloudTower
    with simulator_unless_configured():
        sys.exit(main())
