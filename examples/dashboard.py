# coding: utf-8
"""A dashboard of the whole inventory: open alerts by severity, HDD health, and
CPU, memory and storage use, in total and per cluster.

    python examples/dashboard.py                       # every cluster
    python examples/dashboard.py --cluster NAME        # one cluster
    python examples/dashboard.py --datacenter NAME     # the clusters of a datacenter
    python examples/dashboard.py --language zh-CN      # alert texts in Chinese

Only reads. Without CLOUDTOWER_ENDPOINT it runs against the embedded
simulator (see _common.py).
"""
from __future__ import division, print_function

import argparse

from _common import connect, fail
from cloudtower import (
    AlertApi,
    ClusterApi,
    ClusterType,
    DiskApi,
    DiskHealthStatus,
    DiskType,
    DiskUsageStatus,
    HostApi,
    Hypervisor,
    SeverityEnum,
    VmApi,
    VmStatus,
)
from cloudtower.utils import paginate

BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
HZ_UNITS = ["Hz", "kHz", "MHz", "GHz", "THz"]

DISK_FAILED = (DiskHealthStatus.UNHEALTHY, DiskHealthStatus.SUBHEALTHY,
               DiskHealthStatus.SMART_FAILED, DiskHealthStatus.SOFTWARE_RAID_FAILURE)
DISK_NOT_IN_USE = (DiskUsageStatus.UNMOUNTED, DiskUsageStatus.PARTIAL_MOUNTED,
                   DiskUsageStatus.ISOLATED)


def human(value, units, step):
    """1536 -> '1.50 KiB' (step 1024), 2.4e9 -> '2.40 GHz' (step 1000)."""
    value = float(value or 0)
    for unit in units[:-1]:
        if abs(value) < step:
            return "%.2f %s" % (value, unit) if unit != units[0] else "%d %s" % (value, unit)
        value /= step
    return "%.2f %s" % (value, units[-1])


def size(value):
    return human(value, BYTE_UNITS, 1024)


def percent(used, total):
    return "%.1f%%" % (100.0 * used / total) if total else "n/a"


def _sum(items, attribute):
    # CloudTower leaves figures it does not know yet as null: count them as 0
    return sum(getattr(item, attribute) or 0 for item in items)


def pick_clusters(api_client, cluster_name=None, datacenter_name=None):
    where = {}
    if cluster_name:
        where = {"name": cluster_name}
    elif datacenter_name:
        where = {"datacenters_some": {"name": datacenter_name}}
    clusters = ClusterApi(api_client).get_clusters({"where": where, "orderBy": "name_ASC"})
    if not clusters:
        fail("no cluster matches %s" % (where or "(any)"))
    return clusters


def alerts_by_severity(api_client, cluster_ids):
    """Open (not ended) alerts of the clusters, counted by severity, with the newest critical ones."""
    counts = dict((severity, 0) for severity in (SeverityEnum.CRITICAL, SeverityEnum.NOTICE,
                                                 SeverityEnum.INFO))
    newest_critical = []
    # pages of 500: a tower with years of alerts is read in bounded memory
    alerts = paginate(AlertApi(api_client).get_alerts, {
        "where": {"ended": False, "cluster": {"id_in": cluster_ids}},
        "orderBy": "local_start_time_DESC",
    }, page_size=500)
    for alert in alerts:
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
        if alert.severity == SeverityEnum.CRITICAL and len(newest_critical) < 3:
            newest_critical.append(alert)
    return counts, newest_critical


def hdd_health(api_client, cluster_ids):
    """Mechanical disks of the clusters' hosts: healthy, warning (not in use) or failing."""
    disks = DiskApi(api_client).get_disks({
        "where": {"type": DiskType.HDD, "host": {"cluster": {"id_in": cluster_ids}}}})
    health = {"healthy": 0, "warning": 0, "error": 0, "total": len(disks)}
    for disk in disks:
        if disk.health_status in DISK_FAILED or disk.healthy is False:
            health["error"] += 1
        elif disk.usage_status in DISK_NOT_IN_USE:
            health["warning"] += 1
        else:
            health["healthy"] += 1
    return health


def usage(clusters, hosts):
    """CPU, memory and storage figures, each a dict of used/total (and more).

    CPU comes from the SMTX OS clusters (ZBS clusters run no VMs). Memory of an
    ELF cluster is what its hosts give to running VMs plus what their own OS
    takes; a VMware cluster reports its memory itself. Storage is every
    cluster's data capacity.
    """
    compute = [c for c in clusters if c.type == ClusterType.SMTX_OS]
    elf_ids = set(c.id for c in compute if c.hypervisor == Hypervisor.ELF)
    vmware = [c for c in compute if c.hypervisor == Hypervisor.VMWARE]
    elf_hosts = [h for h in hosts if h.cluster and h.cluster.id in elf_ids]
    cpu = {"cores": _sum(compute, "total_cpu_cores"), "total": _sum(compute, "total_cpu_hz"),
           "used": _sum(compute, "used_cpu_hz")}
    memory = {
        "total": _sum(elf_hosts, "total_memory_bytes") + _sum(vmware, "total_memory_bytes"),
        "used": (_sum(elf_hosts, "running_pause_vm_memory_bytes") + _sum(elf_hosts, "os_memory_bytes")
                 + _sum(vmware, "used_memory_bytes")),
    }
    storage = {"total": _sum(clusters, "total_data_capacity"),
               "used": _sum(clusters, "used_data_space"),
               "invalid": _sum(clusters, "failure_data_space")}
    storage["available"] = max(storage["total"] - storage["used"] - storage["invalid"], 0)
    return cpu, memory, storage


def main():
    parser = argparse.ArgumentParser(description="A summary of a CloudTower inventory.")
    parser.add_argument("--cluster", help="only this cluster (by name)")
    parser.add_argument("--datacenter", help="only the clusters of this datacenter (by name)")
    parser.add_argument("--language", choices=["en-US", "zh-CN"],
                        help="language of alert messages (the content-language header)")
    args = parser.parse_args()

    with connect() as api_client:
        if args.language:
            # once for the client: every later call sends content-language
            api_client.set_default_header("content-language", args.language)
        clusters = pick_clusters(api_client, args.cluster, args.datacenter)
        cluster_ids = [cluster.id for cluster in clusters]
        hosts = HostApi(api_client).get_hosts({"where": {"cluster": {"id_in": cluster_ids}}})
        vm_api = VmApi(api_client)
        where_vms = {"cluster": {"id_in": cluster_ids}}
        vm_count = vm_api.get_vms_connection({"where": where_vms}).aggregate.count
        running = vm_api.get_vms_connection({
            "where": dict(where_vms, status=VmStatus.RUNNING)}).aggregate.count
        alerts, critical = alerts_by_severity(api_client, cluster_ids)
        hdd = hdd_health(api_client, cluster_ids)
        cpu, memory, storage = usage(clusters, hosts)

        kinds = {}
        for cluster in clusters:
            kinds[cluster.type] = kinds.get(cluster.type, 0) + 1
        print("CloudTower inventory at %s" % api_client.configuration.host)
        print("  %d cluster(s) (%s), %d host(s), %d VM(s), %d running" % (
            len(clusters), ", ".join("%d %s" % (n, kind) for kind, n in sorted(kinds.items())),
            len(hosts), vm_count, running))
        print("")
        print("Open alerts")
        for severity in (SeverityEnum.CRITICAL, SeverityEnum.NOTICE, SeverityEnum.INFO):
            print("  %-10s %5d" % (severity.lower(), alerts.get(severity, 0)))
        for alert in critical:
            print("    ! %s" % (alert.message or "").strip()[:100])
        print("")
        print("HDD health")
        print("  healthy %d, warning %d, error %d, total %d" % (
            hdd["healthy"], hdd["warning"], hdd["error"], hdd["total"]))
        print("")
        print("Usage")
        print("  CPU      %s of %s used (%s), %d cores" % (
            human(cpu["used"], HZ_UNITS, 1000), human(cpu["total"], HZ_UNITS, 1000),
            percent(cpu["used"], cpu["total"]), cpu["cores"]))
        print("  Memory   %s of %s used (%s)" % (
            size(memory["used"]), size(memory["total"]), percent(memory["used"], memory["total"])))
        print("  Storage  %s of %s used (%s), %s invalid, %s available" % (
            size(storage["used"]), size(storage["total"]),
            percent(storage["used"], storage["total"]), size(storage["invalid"]),
            size(storage["available"])))
        print("")
        print("Per cluster")
        print("  %-24s %-9s %5s %6s %7s %7s %8s" % ("name", "type", "hosts", "VMs", "CPU",
                                                    "memory", "storage"))
        for cluster in clusters:
            its_hosts = [h for h in hosts if h.cluster and h.cluster.id == cluster.id]
            c_cpu, c_memory, c_storage = usage([cluster], its_hosts)
            print("  %-24s %-9s %5d %6d %7s %7s %8s" % (
                cluster.name[:24], cluster.type, len(its_hosts), cluster.vm_num or 0,
                percent(c_cpu["used"], c_cpu["total"]),
                percent(c_memory["used"], c_memory["total"]),
                percent(c_storage["used"], c_storage["total"])))


if __name__ == "__main__":
    main()
