# coding: utf-8
"""Estates of any size: ``Simulator(size=...)`` and ``--size``.

The seeded inventory (:mod:`.seed`, ``size="small"``, the default) has 21
VMs over four clusters. A larger size keeps it as it is, names and all, and
adds SMTX OS clusters on ELF until the estate holds the VMs asked for:

- ``"small"``: the seeded inventory alone (21 VMs, 4 clusters);
- ``"medium"``: 1,000 VMs over 10 clusters;
- ``"large"``: 10,000 VMs over 50 clusters;
- a number of VMs (``2500`` or ``"2500"``): over one cluster per 200 VMs
  (at least five clusters);
- ``"VMSxCLUSTERS"`` (``"5000x20"``): that many VMs over that many clusters.

Counts are of every cluster and every ``Vm`` row, the seeded ones included.
Each added cluster (``cluster-elf-001`` ...; ten to a datacenter,
``dc-region-01`` ...) has four hosts with seven disks each, a management and
a VM VDS with the host NICs and six VLANs, three ISO images, two folders,
two shared volumes, a placement group, two templates and eight alerts. Its
VMs take the profiles of the seeded ones in turn (web, db, cache ... in
every power state) with their volumes, disks, CD-ROMs and NICs; every 25th
has a snapshot and every 100th is in the recycle bin. Rows are made by the
same code as the seeded ones, so every row satisfies its schema and both
ends of every relation agree. The same seed and size give the same estate.
"""
import re

GIB = 1024 ** 3
SEEDED_VMS = 21
SEEDED_CLUSTERS = 4
VMS_PER_CLUSTER = 200
HOSTS_PER_CLUSTER = 4
CLUSTERS_PER_DATACENTER = 10
SNAPSHOT_EVERY = 25
RECYCLED_EVERY = 100
PRESETS = {"small": None, "medium": (1000, 10), "large": (10000, 50)}

_FORM = re.compile(r"^\s*(\d+)\s*(?:[xX]\s*(\d+))?\s*$")


class Size(object):
    """How big an estate is: ``vms`` VMs over ``clusters`` clusters (the seeded ones included)."""

    __slots__ = ("vms", "clusters")

    def __init__(self, vms, clusters):
        self.vms = vms
        self.clusters = clusters

    @property
    def label(self):
        for name, preset in PRESETS.items():
            if preset == (self.vms, self.clusters):
                return name
        return "%dx%d" % (self.vms, self.clusters)

    def __eq__(self, other):
        return isinstance(other, Size) and (self.vms, self.clusters) == (other.vms, other.clusters)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "<Size %d VMs over %d clusters>" % (self.vms, self.clusters)


def parse(size):
    """A :class:`Size` for ``size`` (see the module docstring); None for the seeded estate.

    Raises ValueError for anything else, saying what is accepted.
    """
    if size is None or isinstance(size, Size):
        return size
    if isinstance(size, bool):
        raise ValueError(_explain(size))
    clusters = None
    if isinstance(size, int):
        vms = size
    else:
        text = str(size).strip().lower()
        if text in PRESETS:
            preset = PRESETS[text]
            return Size(*preset) if preset else None
        match = _FORM.match(text)
        if match is None:
            raise ValueError(_explain(size))
        vms = int(match.group(1))
        clusters = int(match.group(2)) if match.group(2) else None
    if vms < SEEDED_VMS:
        raise ValueError("an estate holds at least the %d seeded VMs; got size %r"
                         % (SEEDED_VMS, size))
    if clusters is None:
        if vms == SEEDED_VMS:
            return None
        clusters = max(SEEDED_CLUSTERS + 1, -(-vms // VMS_PER_CLUSTER))
    if vms == SEEDED_VMS and clusters == SEEDED_CLUSTERS:
        return None
    if clusters <= SEEDED_CLUSTERS:
        raise ValueError("a larger estate adds clusters to the %d seeded ones; got %d clusters in %r"
                         % (SEEDED_CLUSTERS, clusters, size))
    if vms - SEEDED_VMS < clusters - SEEDED_CLUSTERS:
        raise ValueError("each added cluster holds at least one VM: %d VMs cannot fill %d clusters"
                         % (vms, clusters))
    return Size(vms, clusters)


def describe(size):
    """``"small"``, ``"large"`` or ``"5000x20"``: what :func:`parse` reads back."""
    parsed = parse(size)
    return "small" if parsed is None else parsed.label


def _explain(size):
    return ("size must be small, medium, large, a number of VMs (2500) or VMSxCLUSTERS "
            "(5000x20); got %r" % (size,))


def _ip(number):
    return "%d.%d.%d.%d" % ((number >> 24) & 255, (number >> 16) & 255, (number >> 8) & 255,
                            number & 255)


def grow(seeder, size):
    """Add clusters and VMs to a seeded store until it is ``size`` (a :class:`Size`)."""
    from cloudtower.simulator.seed import _ALERTS, _VMS
    store = seeder.store
    extra_clusters = size.clusters - SEEDED_CLUSTERS
    extra_vms = size.vms - SEEDED_VMS
    datacenter = None
    for number in range(extra_clusters):
        if number % CLUSTERS_PER_DATACENTER == 0:
            datacenter = seeder.add("Datacenter", {
                "name": "dc-region-%02d" % (number // CLUSTERS_PER_DATACENTER + 1),
                "organization": seeder.organization["id"]})
        count = extra_vms // extra_clusters + (1 if number < extra_vms % extra_clusters else 0)
        _cluster(seeder, store, datacenter, number, count, _VMS, _ALERTS)
    library = seeder.library_image
    images = [i for i in store.rows["ElfImage"].values()
              if i.get("content_library_image") == library["id"]]
    store.update("ContentLibraryImage", library, {
        "clusters": [i["cluster"] for i in images],
        "elf_image_uuids": [i["local_id"] for i in images]})


def _cluster(seeder, store, datacenter, number, vm_count, profiles, alerts):
    short = "elf-%03d" % (number + 1)
    # management 10.16.0.0/12 (a /24 each), VMs 10.128.0.0/9 (a /16 each)
    management = (10 << 24) + (16 << 16) + (number << 8)
    vm_network = (10 << 24) + ((128 + number) << 16)
    cluster = seeder.cluster("cluster-" + short, "SMTX_OS", "ELF", datacenter, 0)
    store.update("Cluster", cluster, {
        "ip": _ip(management + 10), "management_vip": _ip(management + 10),
        "iscsi_vip": _ip(management + (1 << 16) + 10)})
    hosts = []
    for index in range(HOSTS_PER_CLUSTER):
        host = seeder.host(cluster, index, 0, HOSTS_PER_CLUSTER)
        address = management + 21 + index
        store.update("Host", host, {
            "management_ip": _ip(address), "access_ip": _ip(address),
            "data_ip": _ip(address + (2 << 16)), "vmotion_ip": _ip(address + (3 << 16)),
            "serial": "SN%05d%02d" % (number + 1, index)})
        seeder.disks(host, [])
        hosts.append(host)
    seeder.finish_cluster(cluster, hosts)
    vlans, images, folders = seeder.elf_fabric(cluster, hosts, short)
    vms = []
    counter = {}
    for index in range(vm_count):
        profile = profiles[index % len(profiles)]
        role = profile[0]
        counter[role] = counter.get(role, 0) + 1
        name = "%s-%s-%04d" % (short, role, counter[role])
        address = vm_network + ((index // 250) << 8) + 1 + index % 250
        vm = seeder.vm(cluster, hosts, vlans, images, folders, name, index, profile, _ip(address),
                       _ip(vm_network + (255 << 8) + 254), "255.255.0.0")
        if index % RECYCLED_EVERY == RECYCLED_EVERY - 1:
            store.update("Vm", vm, {"status": "STOPPED", "host": None, "in_recycle_bin": True,
                                    "deleted_at": store.now_iso(), "ips": "", "node_ip": "",
                                    "cpu_usage": 0.0, "memory_usage": 0.0})
        vms.append(vm)
    snapshotted = [vm for index, vm in enumerate(vms) if index % SNAPSHOT_EVERY == 0]
    seeder.elf_extras(cluster, vms, short, snapshotted)
    for index, alert in enumerate(alerts):
        host = hosts[index % len(hosts)]
        disk = next((d for d in store.targets("Host", host, "disks") if d.get("type") == "HDD"),
                    None)
        seeder.alert(index, alert, cluster, host, vms[index % len(vms)], disk)
