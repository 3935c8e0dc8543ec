# coding: utf-8
"""The VM life cycle's shared parts: devices (disks, CD-ROMs, NICs, volumes), the
checks of what a VM may use (VLANs, images, volumes, hosts), and building a new
VM from a spec. The operations live beside it: ``vm_create`` (new VMs),
``vm_power`` (power and migration), ``vm_recycle`` (recycle bin, deletion) and
``vm_config`` (settings, disks, CD-ROMs, NICs, folders).

Every operation answers at once with a task per VM; the change is made
when the task ends, after checking what the real system checks then (a
running VM cannot be started, a stopped one cannot be suspended, a VM
migrates only to a host of its own cluster, ...). A refused change
fails its task with an error code and changes nothing.

Devices keep their ids: a disk, CD-ROM or NIC has the same id from the
task that created it to the task that removes it, whatever else changes on
its VM, so ids read from an answer stay valid once the task has ended.
"""

from cloudtower.simulator.handlers import describe, fill_row, need, refuse, to_bytes

GIB = 1024 ** 3
ACTIVE = ("RUNNING", "SUSPENDED")
HEALTHY_HOSTS = ("CONNECTED_HEALTHY", "CONNECTED_WARNING")

# what a new VM is until its guest runs and reports (nothing random)
VM_DEFAULTS = {
    "firmware": "BIOS", "ha": True, "description": "", "guest_os_type": "UNKNOWN",
    "vm_tools_status": "NOT_INSTALLED", "vm_tools_version": None, "ips": "", "protected": False,
    "original_name": None, "in_recycle_bin": False, "deleted_at": None, "internal": False,
    "vm_usage": None, "out_uninstall_usb": [], "pci_nics": [], "gpu_devices": [],
    "usb_devices": [], "backup_plans": [], "entity_filter_results": [], "vm_placement_group": [],
    "labels": [], "cpu_usage": 0.0, "memory_usage": 0.0, "os": None, "kernel_info": None,
    "hostname": None, "dns_servers": None, "guest_used_size": None, "guest_size_usage": None,
    "guest_cpu_model": None, "last_shutdown_time": None, "isolation_policy": None,
    "snapshot_plan": None, "max_bandwidth": None, "max_bandwidth_policy": None, "max_iops": None,
    "max_iops_policy": None, "io_policy": "RESTRICT_EACH_DISK", "video_type": "CIRRUS",
    "clock_offset": "UTC", "win_opt": False, "nested_virtualization": False,
    "cloud_init_supported": False, "cpu_model": "Cascadelake-Server", "used_size": None,
    "used_size_usage": None, "unique_size": None, "unique_logical_size": None,
    "logical_size_bytes": None,
}

# fields a new VM takes from its creation parameters as they are
_COPIED = ("name", "description", "ha", "firmware", "guest_os_type", "io_policy",
           "max_bandwidth", "max_bandwidth_policy", "max_iops", "max_iops_policy")


# -- devices -------------------------------------------------------------------

def new_volume(store, cluster_id, name, size, policy=None, sharing=False):
    local_id = store.new_uuid()
    return store.insert("VmVolume", {
        "cluster": cluster_id, "name": name, "size": int(size), "sharing": bool(sharing),
        "elf_storage_policy": policy or "REPLICA_2_THIN_PROVISION", "mounting": False,
        "local_id": local_id, "path": "/usr/share/smartx/volumes/" + local_id,
        "type": "KVM_VOLUME", "lun": None, "description": "", "used_size": int(size) // 4,
        "unique_size": int(size) // 5, "guest_used_size": None, "guest_size_usage": None,
        "used_size_usage": 0.25,
    })


def _device_name(store, vm, bus):
    prefix = {"VIRTIO": "vd", "SCSI": "sd", "IDE": "hd", "USB": "sd"}.get(bus, "vd")
    used = set(d.get("device") for d in store.targets("Vm", vm, "vm_disks"))
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if prefix + letter not in used:
            return prefix + letter
    return prefix + "z"


def attach_disk(store, vm, volume, bus="VIRTIO", boot=0, key=None, limits=None):
    disk = store.insert("VmDisk", dict({
        "vm": vm["id"], "type": "DISK", "vm_volume": volume["id"], "bus": bus or "VIRTIO",
        "boot": int(boot or 0), "key": key, "device": _device_name(store, vm, bus),
        "elf_image": None, "svt_image": None, "disabled": False, "serial": store.new_uuid()[:20],
        "max_bandwidth": None, "max_bandwidth_policy": None, "max_iops": None,
        "max_iops_policy": None, "unsafe_image_path": None, "unsafe_image_uuid": None,
        "unsafe_provision": None, "cloud_init_image_name": None, "cloud_init_image_path": None,
    }, **(limits or {})))
    store.update("VmVolume", volume, {"mounting": True})
    return disk


def attach_cd_rom(store, vm, image_id=None, boot=0, key=None):
    return store.insert("VmDisk", {
        "vm": vm["id"], "type": "CD_ROM", "vm_volume": None, "bus": "IDE",
        "boot": int(boot or 0), "key": key, "device": _device_name(store, vm, "IDE"),
        "elf_image": image_id, "svt_image": None, "disabled": False, "serial": None,
        "max_bandwidth": None, "max_bandwidth_policy": None, "max_iops": None,
        "max_iops_policy": None, "unsafe_image_path": None, "unsafe_image_uuid": None,
        "unsafe_provision": None, "cloud_init_image_name": None, "cloud_init_image_path": None,
    })


def random_mac(store):
    rng = store.rng
    return "52:54:00:%02x:%02x:%02x" % (rng.randint(0, 255), rng.randint(0, 255),
                                         rng.randint(0, 255))


def attach_nic(store, vm, vlan_id, model=None, enabled=None, mirror=None, mac=None, ip=None,
               gateway=None, netmask=None):
    order = len(store.targets("Vm", vm, "vm_nics"))
    return store.insert("VmNic", {
        "vm": vm["id"], "vlan": vlan_id, "model": model or "VIRTIO",
        "enabled": True if enabled is None else bool(enabled), "mirror": bool(mirror),
        "mac_address": mac or random_mac(store), "ip_address": ip, "gateway": gateway,
        "subnet_mask": netmask, "order": order, "local_id": store.new_uuid(),
        "interface_id": None, "type": "VLAN", "nic": None, "vpc_nic": None,
        "egress_rate_limit_enabled": False, "ingress_rate_limit_enabled": False,
        "egress_rate_limit_burst_in_bit": None, "egress_rate_limit_max_rate_in_bitps": None,
        "ingress_rate_limit_burst_in_bit": None, "ingress_rate_limit_max_rate_in_bitps": None,
    })


def detach_disk(store, disk):
    volume = store.ref("VmDisk", disk, "vm_volume")
    store.delete("VmDisk", disk)
    if volume is not None:
        store.update("VmVolume", volume, {"mounting": bool(volume.get("vm_disks"))})


def renumber_nics(store, vm):
    """Keep the NICs' ``order`` the positions they have (after one is removed)."""
    for order, nic in enumerate(store.targets("Vm", vm, "vm_nics")):
        if nic.get("order") != order:
            store.update("VmNic", nic, {"order": order})


def disks(store, vm, kind=None):
    return [d for d in store.targets("Vm", vm, "vm_disks") if kind is None or d.get("type") == kind]


# -- checks --------------------------------------------------------------------

def check_vlan(store, vlan_id, cluster_id):
    vlan = need(store, "Vlan", vlan_id, "VLAN")
    vds = store.ref("Vlan", vlan, "vds")
    if vds is None or vds.get("cluster") != cluster_id:
        refuse("VLAN_NOT_IN_CLUSTER", "VLAN %s is not in cluster %s" % (vlan_id, cluster_id))
    return vlan


def check_image(store, image_id, cluster_id):
    image = need(store, "ElfImage", image_id, "ELF image")
    if image.get("cluster") not in (None, cluster_id):
        refuse("ELF_IMAGE_NOT_IN_CLUSTER", "ELF image %s is not in cluster %s"
               % (image_id, cluster_id))
    return image


def check_volume(store, volume_id, cluster_id):
    volume = need(store, "VmVolume", volume_id, "volume")
    if volume.get("cluster") != cluster_id:
        refuse("VM_VOLUME_NOT_IN_CLUSTER", "volume %s is not in cluster %s" % (volume_id, cluster_id))
    if volume.get("vm_disks") and not volume.get("sharing"):
        refuse("VM_VOLUME_IN_USE", "volume %s is already mounted by a VM" % volume_id)
    return volume


def check_host(store, host_id, cluster_id):
    host = need(store, "Host", host_id, "host")
    if host.get("cluster") != cluster_id:
        refuse("HOST_NOT_IN_CLUSTER", "host %s is not in the VM's cluster %s" % (host_id, cluster_id))
    if host.get("status") not in HEALTHY_HOSTS:
        refuse("HOST_NOT_AVAILABLE", "host %s is %s" % (host_id, host.get("status")))
    return host


def pick_host(store, cluster_id, exclude=None):
    """The connected host of the cluster with the least memory taken by VMs."""
    cluster = need(store, "Cluster", cluster_id, "cluster")
    best = None
    for host in store.targets("Cluster", cluster, "hosts"):
        if host["id"] == exclude or host.get("status") not in HEALTHY_HOSTS:
            continue
        used = store.derived["Host"](host, "running_pause_vm_memory_bytes", store)
        if best is None or used < best[0]:
            best = (used, host)
    if best is None:
        refuse("NO_AVAILABLE_HOST", "no other connected host in cluster %s" % cluster.get("name"))
    return best[1]


def _elf_cluster(store, cluster_id):
    cluster = need(store, "Cluster", cluster_id, "cluster")
    if cluster.get("hypervisor") != "ELF":
        refuse("CLUSTER_NOT_ELF", "cluster %s does not run ELF VMs" % cluster.get("name"))
    return cluster


# -- building a new VM -----------------------------------------------------------

class VmSpec(object):
    """What a new VM will be: its fields, then disks and NICs to create."""

    def __init__(self):
        self.values = {}
        self.cluster_id = None
        self.host_id = None
        self.folder_id = None
        self.disks = []   # dicts: kind = new | mount | cdrom (+ the details)
        self.nics = []
        self.failure = None  # (code, message) when the task is to be refused
        self.consumes = None  # (table, id) of a row the VM replaces (a template converted)

    def preview(self, store, vm_id):
        row = dict(VM_DEFAULTS)
        row.update(self.values)
        row.update({"id": vm_id, "cluster": self.cluster_id, "host": self.host_id,
                    "folder": self.folder_id, "entityAsyncStatus": "CREATING",
                    "local_id": store.new_uuid(), "local_created_at": store.now_iso()})
        return fill_row(store, "Vm", row)


def vm_basics(spec, params, defaults=None):
    values = dict(defaults or {})
    for key in _COPIED:
        if params.get(key) is not None:
            values[key] = params[key]
    cores = params.get("cpu_cores") or (values.get("cpu") or {}).get("cores") or 1
    sockets = params.get("cpu_sockets") or (values.get("cpu") or {}).get("sockets") or 1
    values["cpu"] = {"cores": int(cores), "sockets": int(sockets)}
    if params.get("vcpu") is not None:
        values["vcpu"] = int(params["vcpu"])
    elif params.get("cpu_cores") or params.get("cpu_sockets") or "vcpu" not in values:
        values["vcpu"] = int(cores) * int(sockets)
    if params.get("memory") is not None:
        values["memory"] = to_bytes(params["memory"], params.get("memory_unit"))
    values.setdefault("memory", 2 * GIB)
    values["status"] = params.get("status") or values.get("status") or "STOPPED"
    spec.values.update(values)
    spec.host_id = params.get("host_id") or spec.host_id
    spec.folder_id = params.get("folder_id") or spec.folder_id


def disk_params(spec, vm_disks, name):
    """Add the disks of a ``VmDiskParams``-shaped dict to ``spec``."""
    vm_disks = vm_disks or {}
    for item in vm_disks.get("mount_cd_roms") or ():
        spec.disks.append({"kind": "cdrom", "image": item.get("elf_image_id"),
                           "content_library_image": item.get("content_library_image_id"),
                           "boot": item.get("boot"), "key": item.get("key")})
    for item in vm_disks.get("mount_disks") or ():
        spec.disks.append({"kind": "mount", "volume": item.get("vm_volume_id"),
                           "bus": item.get("bus"), "boot": item.get("boot"), "key": item.get("key"),
                           "limits": _limits(item)})
    for item in vm_disks.get("mount_new_create_disks") or ():
        volume = item.get("vm_volume") or {}
        spec.disks.append({"kind": "new", "name": volume.get("name") or "%s-disk" % name,
                           "size": to_bytes(volume.get("size") or 0, volume.get("size_unit")),
                           "policy": volume.get("elf_storage_policy"), "bus": item.get("bus"),
                           "boot": item.get("boot"), "key": item.get("key"),
                           "limits": _limits(item)})


def _limits(item):
    return dict((k, item[k]) for k in ("max_bandwidth", "max_bandwidth_policy", "max_iops",
                                       "max_iops_policy") if item.get(k) is not None)


def nic_params(nics):
    return [{"vlan": n.get("connect_vlan_id"), "model": n.get("model"), "enabled": n.get("enabled"),
             "mirror": n.get("mirror"), "mac": n.get("mac_address"), "ip": n.get("ip_address"),
             "gateway": n.get("gateway"), "netmask": n.get("subnet_mask"),
             "vpc": bool(n.get("vpc_nic")) or n.get("type") == "VPC"} for n in nics or ()]


def check_nic(store, nic, cluster_id):
    """A NIC joins a VLAN of the VM's cluster, or a VPC (not modelled: no VLAN)."""
    if nic.get("vlan"):
        check_vlan(store, nic["vlan"], cluster_id)
    elif not nic.get("vpc"):
        refuse("VM_NIC_VLAN_REQUIRED", "a NIC needs connect_vlan_id (or vpc_nic)")


def add_nic(store, vm, nic):
    row = attach_nic(store, vm, nic.get("vlan"), nic.get("model"), nic.get("enabled"),
                     nic.get("mirror"), nic.get("mac"), nic.get("ip"), nic.get("gateway"),
                     nic.get("netmask"))
    if nic.get("vpc") and not nic.get("vlan"):
        store.update("VmNic", row, {"type": "VPC"})
    return row


def build_vm(store, vm_id, spec, base=None):
    """Check ``spec`` against the inventory and create the VM with its devices.

    ``base``: the row shown in the answer; its filler values are kept.
    """
    cluster = _elf_cluster(store, spec.cluster_id)
    cluster_id = cluster["id"]
    host = check_host(store, spec.host_id, cluster_id) if spec.host_id else None
    if spec.folder_id:
        folder = need(store, "VmFolder", spec.folder_id, "VM folder")
        if folder.get("cluster") != cluster_id:
            refuse("VM_FOLDER_NOT_IN_CLUSTER", "VM folder %s is not in cluster %s"
                   % (spec.folder_id, cluster_id))
    for nic in spec.nics:
        check_nic(store, nic, cluster_id)
    mounted = set()
    for disk in spec.disks:
        if disk["kind"] == "mount":
            check_volume(store, disk["volume"], cluster_id)
            if disk["volume"] in mounted:
                refuse("VM_VOLUME_IN_USE", "volume %s is mounted twice" % disk["volume"])
            mounted.add(disk["volume"])
        elif disk["kind"] == "cdrom":
            if disk.get("image"):
                check_image(store, disk["image"], cluster_id)
            if disk.get("content_library_image"):
                need(store, "ContentLibraryImage", disk["content_library_image"],
                     "content library image")
        elif disk["kind"] == "new" and disk["size"] <= 0:
            refuse("VM_VOLUME_SIZE_INVALID", "a new disk needs a size above 0")
    status = spec.values.get("status") or "STOPPED"
    if status in ACTIVE and host is None:
        host = pick_host(store, cluster_id)
    values = dict((k, v) for k, v in (base or {}).items()
                  if k not in ("vm_disks", "vm_nics", "snapshots", "entityAsyncStatus"))
    values.update(spec.values)
    if base is None:
        values = dict(VM_DEFAULTS)
        values.update(spec.values)
        values.update({"local_id": store.new_uuid(), "local_created_at": store.now_iso()})
    values.update({
        "id": vm_id, "cluster": cluster_id, "host": host["id"] if host else None,
        "folder": spec.folder_id, "status": status, "entityAsyncStatus": None,
        "node_ip": host.get("management_ip") if host else "",
        "cpu_usage": 5.0 if status == "RUNNING" else 0.0,
    })
    vm = store.insert("Vm", values)
    for disk in spec.disks:
        if disk["kind"] == "cdrom":
            image = disk.get("image")
            if image is None and disk.get("content_library_image"):
                library = store.get("ContentLibraryImage", disk["content_library_image"])
                image = next((i for i in (library or {}).get("elf_images") or ()
                              if (store.get("ElfImage", i) or {}).get("cluster") == cluster_id), None)
            attach_cd_rom(store, vm, image, disk.get("boot"), disk.get("key"))
            continue
        if disk["kind"] == "mount":
            volume = store.get("VmVolume", disk["volume"])
        else:
            volume = new_volume(store, cluster_id, disk["name"], disk["size"], disk.get("policy"))
        attach_disk(store, vm, volume, disk.get("bus"), disk.get("boot"), disk.get("key"),
                    disk.get("limits"))
    for nic in spec.nics:
        add_nic(store, vm, nic)
    return vm


def build_from_spec(store, vm_id, spec, preview):
    """What the task of one new VM does when it ends."""
    if spec.failure is not None:
        refuse(*spec.failure)
    if spec.cluster_id is None:
        refuse("CLUSTER_REQUIRED", "cluster_id is required")
    if spec.consumes is not None:
        need(store, spec.consumes[0], spec.consumes[1], "VM template")
    build_vm(store, vm_id, spec, preview)
    if spec.consumes is not None:
        store.delete(spec.consumes[0], store.get(*spec.consumes))


def create_vms(ctx, specs):
    """Answer a creation with one task per spec; each VM is built when its task ends."""
    store = ctx.store
    results = []
    for spec, cluster_hint, params in specs:
        vm_id = store.new_id()
        preview = spec.preview(store, vm_id)

        def apply(vm_id=vm_id, spec=spec, preview=preview):
            build_from_spec(store, vm_id, spec, preview)
        task = ctx.schedule(apply, preview, "Vm", cluster_id=cluster_hint,
                            description=describe(ctx.op.name, preview), args=params)
        results.append((task, "Vm", preview))
    return ctx.result(results)
