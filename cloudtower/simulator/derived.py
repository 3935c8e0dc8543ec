# coding: utf-8
"""Figures the real system computes from other rows, computed here when read.

Counts and sums that must agree with the inventory (a cluster's running VM
count, a host's memory taken by running VMs) are not stored: they are
derived from the current rows whenever a row is rendered or filtered, so
they stay right after every change. Generic ``*_num`` counts of a list field
are handled by the store itself (``Table.counts``).
"""

_ACTIVE = ("RUNNING", "SUSPENDED")


class Derived(object):
    """``derive(row, key, store)`` for the keys of one table."""

    def __init__(self, functions):
        self.functions = functions
        self.keys = frozenset(functions)

    def __call__(self, row, key, store):
        return self.functions[key](row, store)


def _vms(table, row, store):
    return store.targets(table, row, "vms")


def _status_count(table, status):
    return lambda row, store: sum(1 for vm in _vms(table, row, store) if vm.get("status") == status)


def _vm_sum(table, key, statuses=None):
    def total(row, store):
        return sum(int(vm.get(key) or 0) for vm in _vms(table, row, store)
                   if statuses is None or vm.get("status") in statuses)
    return total


def _host_used_memory(row, store):
    return _vm_sum("Host", "memory", _ACTIVE)(row, store) + int(row.get("os_memory_bytes") or 0)


def _host_allocatable(row, store):
    free = int(row.get("total_memory_bytes") or 0) - _host_used_memory(row, store)
    return max(free, 0)


def _cluster_used_memory(row, store):
    hosts = store.targets("Cluster", row, "hosts")
    if not hosts:
        return row.get("used_memory_bytes")
    return float(sum(_host_used_memory(host, store) for host in hosts))


def _over_clusters(key, cluster_key=None):
    def total(row, store):
        result = 0
        for cluster in store.targets("Datacenter", row, "clusters"):
            if cluster_key is not None:
                value = DERIVED["Cluster"](cluster, cluster_key, store) \
                    if cluster_key in DERIVED["Cluster"].keys else cluster.get(cluster_key)
            else:
                value = cluster.get(key)
            result += value or 0
        return result
    return total


def _datacenter_count(list_key):
    def count(row, store):
        return sum(len(store.targets("Cluster", cluster, list_key))
                   for cluster in store.targets("Datacenter", row, "clusters"))
    return count


def _vm_size(row, store):
    size = 0
    for disk in store.targets("Vm", row, "vm_disks"):
        if disk.get("type") != "DISK":
            continue
        volume = store.ref("VmDisk", disk, "vm_volume")
        if volume is not None:
            size += int(volume.get("size") or 0)
    return size


def _lun_snapshot_num(row, store):
    return sum(1 for snapshot in store.rows["IscsiLunSnapshot"].values()
               if snapshot.get("iscsi_lun") == row["id"])


DERIVED = {
    "Cluster": Derived({
        "running_vm_num": _status_count("Cluster", "RUNNING"),
        "stopped_vm_num": _status_count("Cluster", "STOPPED"),
        "suspended_vm_num": _status_count("Cluster", "SUSPENDED"),
        "provisioned_cpu_cores": _vm_sum("Cluster", "vcpu"),
        "provisioned_cpu_cores_for_active_vm": _vm_sum("Cluster", "vcpu", _ACTIVE),
        "provisioned_memory_bytes": _vm_sum("Cluster", "memory"),
        "used_memory_bytes": _cluster_used_memory,
    }),
    "Host": Derived({
        "running_vm_num": _status_count("Host", "RUNNING"),
        "stopped_vm_num": _status_count("Host", "STOPPED"),
        "suspended_vm_num": _status_count("Host", "SUSPENDED"),
        "running_pause_vm_memory_bytes": _vm_sum("Host", "memory", _ACTIVE),
        "provisioned_memory_bytes": _vm_sum("Host", "memory"),
        "provisioned_cpu_cores": _vm_sum("Host", "vcpu"),
        "used_memory_bytes": lambda row, store: float(_host_used_memory(row, store)),
        "allocatable_memory_bytes": _host_allocatable,
    }),
    "Datacenter": Derived({
        "host_num": _datacenter_count("hosts"),
        "vm_num": _datacenter_count("vms"),
        "total_cpu_hz": _over_clusters("total_cpu_hz"),
        "used_cpu_hz": _over_clusters("used_cpu_hz"),
        "total_memory_bytes": _over_clusters("total_memory_bytes"),
        "used_memory_bytes": _over_clusters("used_memory_bytes", "used_memory_bytes"),
        "total_data_capacity": _over_clusters("total_data_capacity"),
        "used_data_space": _over_clusters("used_data_space"),
        "failure_data_space": _over_clusters("failure_data_space"),
    }),
    "IscsiLun": Derived({
        "snapshot_num": _lun_snapshot_num,
    }),
    "Vm": Derived({
        "size": _vm_size,
        "provisioned_size": _vm_size,
    }),
}
