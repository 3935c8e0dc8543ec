# coding: utf-8
"""The VM life cycle: creation (blank, from a template, from a content
library template, by cloning), edits, disks, CD-ROMs, NICs, power
operations, migration, recycle bin and deletion.

Every operation answers at once with a task per VM; the change is made
when the task ends, after checking what the real system checks then (a
running VM cannot be started, a stopped one cannot be suspended, a VM
migrates only to a host of its own cluster, ...). A refused change
fails its task with an error code and changes nothing.

Devices keep their ids: a disk, CD-ROM or NIC has the same id from the
task that created it to the task that removes it, whatever else changes on
its VM, so ids read from an answer stay valid once the task has ended.
"""
import six

from cloudtower.simulator.handlers import describe, fill_row, handles, need, refuse, to_bytes

GIB = 1024 ** 3
_ACTIVE = ("RUNNING", "SUSPENDED")
_HEALTHY_HOSTS = ("CONNECTED_HEALTHY", "CONNECTED_WARNING")

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
    if host.get("status") not in _HEALTHY_HOSTS:
        refuse("HOST_NOT_AVAILABLE", "host %s is %s" % (host_id, host.get("status")))
    return host


def pick_host(store, cluster_id, exclude=None):
    """The connected host of the cluster with the least memory taken by VMs."""
    cluster = need(store, "Cluster", cluster_id, "cluster")
    best = None
    for host in store.targets("Cluster", cluster, "hosts"):
        if host["id"] == exclude or host.get("status") not in _HEALTHY_HOSTS:
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


def _vm_basics(spec, params, defaults=None):
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


def _disk_params(spec, vm_disks, name):
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


def _nic_params(nics):
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
    if status in _ACTIVE and host is None:
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


def _build_from_spec(store, vm_id, spec, preview):
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


def _create(ctx, specs):
    """Answer a creation with one task per spec; each VM is built when its task ends."""
    store = ctx.store
    results = []
    for spec, cluster_hint, params in specs:
        vm_id = store.new_id()
        preview = spec.preview(store, vm_id)

        def apply(vm_id=vm_id, spec=spec, preview=preview):
            _build_from_spec(store, vm_id, spec, preview)
        task = ctx.schedule(apply, preview, "Vm", cluster_id=cluster_hint,
                            description=describe(ctx.op.name, preview), args=params)
        results.append((task, "Vm", preview))
    return ctx.result(results)


@handles("create_vm")
def create_vm(ctx):
    specs = []
    for params in ctx.body:
        spec = VmSpec()
        spec.cluster_id = params.get("cluster_id")
        _vm_basics(spec, params)
        _disk_params(spec, params.get("vm_disks"), params.get("name"))
        spec.nics = _nic_params(params.get("vm_nics"))
        specs.append((spec, spec.cluster_id, params))
    return _create(ctx, specs)


def frozen_disks_spec(spec, frozen, name):
    """Disks of a template/snapshot (``NestedFrozenDisks``) as new disks of ``spec``."""
    for index, disk in enumerate(frozen or ()):
        if disk.get("type") == "CD_ROM":
            spec.disks.append({"kind": "cdrom", "image_local_id": disk.get("elf_image_local_id"),
                               "boot": disk.get("boot"), "key": disk.get("key")})
        else:
            spec.disks.append({"kind": "new", "name": "%s-disk-%d" % (name, index),
                               "size": int(disk.get("size") or 10 * GIB), "bus": disk.get("bus"),
                               "boot": disk.get("boot"), "key": disk.get("key"), "policy": None})


def _resolve_image_local_ids(store, spec):
    for disk in spec.disks:
        local_id = disk.pop("image_local_id", None)
        if disk["kind"] == "cdrom" and local_id:
            for image in store.rows["ElfImage"].values():
                if image.get("local_id") == local_id and image.get("cluster") == spec.cluster_id:
                    disk["image"] = image["id"]


def _template_nics(store, template, cluster_id):
    nics = []
    for nic in template.get("vm_nics") or ():
        vlan = (nic.get("vlan") or {})
        vlan_id = None
        for row in store.rows["Vlan"].values():
            if row.get("local_id") == vlan.get("vlan_local_id"):
                vds = store.ref("Vlan", row, "vds")
                if vds is not None and vds.get("cluster") == cluster_id:
                    vlan_id = row["id"]
        nics.append({"vlan": vlan_id, "model": nic.get("model"), "enabled": nic.get("enabled"),
                     "mirror": nic.get("mirror"), "mac": None, "ip": None,
                     "vpc": nic.get("type") == "VPC"})
    return nics


def _apply_disk_operate(spec, operate, name):
    if not operate:
        return
    removed = set((operate.get("remove_disks") or {}).get("disk_index") or ())
    for item in operate.get("modify_disks") or ():
        index = item.get("disk_index")
        if index is None or index >= len(spec.disks):
            continue
        disk = spec.disks[index]
        if item.get("bus"):
            disk["bus"] = item["bus"]
        if item.get("vm_volume_id"):
            spec.disks[index] = {"kind": "mount", "volume": item["vm_volume_id"],
                                 "bus": disk.get("bus"), "boot": disk.get("boot"), "key": None}
    spec.disks = [d for i, d in enumerate(spec.disks) if i not in removed]
    _disk_params(spec, operate.get("new_disks"), name)


def _template_spec(store, template, params, cluster_id):
    spec = VmSpec()
    spec.cluster_id = cluster_id
    defaults = dict((k, template.get(k)) for k in (
        "vcpu", "memory", "firmware", "ha", "description", "io_policy", "max_bandwidth",
        "max_bandwidth_policy", "max_iops", "max_iops_policy", "win_opt", "video_type",
        "clock_offset", "cloud_init_supported", "cpu_model") if template.get(k) is not None)
    defaults["cpu"] = dict(template.get("cpu") or {"cores": 1, "sockets": 1})
    defaults["description"] = params.get("description") or ""
    _vm_basics(spec, params, defaults)
    frozen_disks_spec(spec, template.get("vm_disks"), params.get("name"))
    _resolve_image_local_ids(store, spec)
    _apply_disk_operate(spec, params.get("disk_operate"), params.get("name"))
    if params.get("vm_nics") is not None:
        spec.nics = _nic_params(params["vm_nics"])
    else:
        spec.nics = _template_nics(store, template, cluster_id)
    return spec


def _failing(params, code, message):
    """A spec that is refused when its task runs (the request itself is accepted)."""
    spec = VmSpec()
    _vm_basics(spec, params)
    spec.cluster_id = params.get("cluster_id")
    spec.failure = (code, message)
    return spec


@handles("create_vm_from_template")
def create_vm_from_template(ctx):
    store = ctx.store
    specs = []
    for params in ctx.body:
        template = store.get("VmTemplate", params.get("template_id"))
        if template is None:
            spec = _failing(params, "VM_TEMPLATE_NOT_FOUND",
                            "VM template %s does not exist" % params.get("template_id"))
            specs.append((spec, params.get("cluster_id"), params))
            continue
        cluster_id = params.get("cluster_id") or template.get("cluster")
        if cluster_id != template.get("cluster"):
            spec = _failing(params, "VM_TEMPLATE_NOT_IN_CLUSTER",
                            "VM template %s belongs to another cluster" % template["id"])
        elif params.get("cloud_init") is not None and not template.get("cloud_init_supported"):
            spec = _failing(params, "VM_TEMPLATE_CLOUD_INIT_NOT_SUPPORTED",
                            "VM template %s does not support cloud-init" % template.get("name"))
        else:
            spec = _template_spec(store, template, params, cluster_id)
        specs.append((spec, cluster_id, params))
    return _create(ctx, specs)


def _library_spec(store, params):
    library = store.get("ContentLibraryVmTemplate", params.get("template_id"))
    cluster_id = params.get("cluster_id")
    if library is None:
        return _failing(params, "CONTENT_LIBRARY_VM_TEMPLATE_NOT_FOUND",
                        "content library VM template %s does not exist" % params.get("template_id"))
    if cluster_id not in (library.get("clusters") or ()):
        return _failing(params, "CONTENT_LIBRARY_VM_TEMPLATE_NOT_IN_CLUSTER",
                        "content library VM template %s is not distributed to cluster %s"
                        % (library["id"], cluster_id))
    if params.get("cloud_init") is not None and not library.get("cloud_init_supported"):
        return _failing(params, "VM_TEMPLATE_CLOUD_INIT_NOT_SUPPORTED",
                        "content library VM template %s does not support cloud-init"
                        % library.get("name"))
    source = library
    for template_id in library.get("vm_templates") or ():
        template = store.get("VmTemplate", template_id)
        if template is not None and template.get("cluster") == cluster_id:
            source = template
    return _template_spec(store, source, params, cluster_id)


@handles("create_vm_from_content_library_template")
def create_vm_from_content_library_template(ctx):
    return _create(ctx, [(_library_spec(ctx.store, params), params.get("cluster_id"), params)
                         for params in ctx.body])


@handles("create_vm_from_content_library_template_batch")
def create_vm_from_content_library_template_batch(ctx):
    """One task creates every VM of the batch (or none, if one is refused)."""
    store = ctx.store
    body = ctx.body
    built = []
    for params in body.get("vms") or ():
        params = dict(params, template_id=body.get("template_id"))
        spec = _library_spec(store, params)
        vm_id = store.new_id()
        built.append((vm_id, spec, spec.preview(store, vm_id)))

    def apply():
        for vm_id, spec, preview in built:
            _build_from_spec(store, vm_id, spec, preview)
    task = ctx.schedule(apply, description=describe(ctx.op.name), args=body)
    return {"task_id": task["id"],
            "data": [ctx.render("Vm", preview) for _, _, preview in built]}


@handles("convert_vm_template_to_vm")
def convert_vm_template_to_vm(ctx):
    """The template becomes a VM (stopped, unless asked otherwise) and is gone."""
    store = ctx.store
    specs = []
    for params in ctx.body:
        template = store.get("VmTemplate", params.get("converted_from_template_id"))
        if template is None:
            spec = _failing(params, "VM_TEMPLATE_NOT_FOUND", "VM template %s does not exist"
                            % params.get("converted_from_template_id"))
        else:
            spec = _template_spec(store, template, params, template.get("cluster"))
            spec.values["description"] = template.get("description") or ""
            spec.consumes = ("VmTemplate", template["id"])
        specs.append((spec, spec.cluster_id, params))
    return _create(ctx, specs)


@handles("rebuild_vm")
def rebuild_vm(ctx):
    """A new VM from a VM snapshot: its configuration, disks and NICs."""
    store = ctx.store
    specs = []
    for params in ctx.body:
        snapshot = store.get("VmSnapshot", params.get("rebuild_from_snapshot_id"))
        if snapshot is None:
            spec = _failing(params, "VM_SNAPSHOT_NOT_FOUND", "VM snapshot %s does not exist"
                            % params.get("rebuild_from_snapshot_id"))
        else:
            spec = _template_spec(store, snapshot, params,
                                  params.get("cluster_id") or snapshot.get("cluster"))
            if params.get("vm_disks") is not None:
                spec.disks = []
                _disk_params(spec, params["vm_disks"], params.get("name"))
        specs.append((spec, spec.cluster_id, params))
    return _create(ctx, specs)


@handles("import_vm")
def import_vm(ctx):
    """A VM from an uploaded OVF: the parsed OVF, then what the parameters change."""
    specs = []
    for params in ctx.body:
        ovf = params.get("parsed_ovf") or {}
        cpu = ovf.get("cpu") or {}
        spec = VmSpec()
        spec.cluster_id = params.get("cluster_id")
        defaults = {"firmware": ovf.get("firmware") or "BIOS", "description": ovf.get("description") or "",
                    "cpu": {"cores": int(cpu.get("cores") or 1), "sockets": int(cpu.get("sockets") or 1)}}
        if ovf.get("vcpu"):
            defaults["vcpu"] = int(ovf["vcpu"])
        if ovf.get("memory"):
            defaults["memory"] = int(ovf["memory"])
        _vm_basics(spec, params, defaults)
        operate = params.get("disk_operate") or {}
        by_vmdk = dict((m.get("vmdk_name"), m) for m in operate.get("modify_vmdk_disks") or ())
        cd_roms = dict((m.get("index"), m) for m in operate.get("modify_cd_roms") or ())
        for index, disk in enumerate(ovf.get("disks") or ()):
            if disk.get("type") == "CD_ROM":
                change = cd_roms.get(index) or {}
                if not change.get("removed"):
                    spec.disks.append({"kind": "cdrom", "image": change.get("elf_image_id"),
                                       "content_library_image": change.get("content_library_image_id"),
                                       "boot": change.get("boot", index), "key": None})
                continue
            change = by_vmdk.get(disk.get("name")) or {}
            spec.disks.append({"kind": "new", "size": int(disk.get("size") or 0),
                               "name": change.get("volume_name") or "%s-disk-%d" % (params.get("name"), index),
                               "bus": change.get("bus") or disk.get("bus"),
                               "boot": change.get("boot", index), "key": None,
                               "policy": change.get("elf_storage_policy")})
        _disk_params(spec, operate.get("new_disks"), params.get("name"))
        macs = [n.get("mac") for n in ovf.get("nics") or ()]
        spec.nics = _nic_params(params.get("vm_nics"))
        for index, nic in enumerate(spec.nics):
            if not nic.get("mac") and index < len(macs):
                nic["mac"] = macs[index]
        specs.append((spec, spec.cluster_id, params))
    return _create(ctx, specs)


@handles("clone_vm")
def clone_vm(ctx):
    store = ctx.store
    specs = []
    for params in ctx.body:
        source = store.get("Vm", params.get("src_vm_id"))
        if source is None:
            specs.append((_failing(params, "VM_NOT_FOUND", "VM %s does not exist"
                                   % params.get("src_vm_id")), params.get("cluster_id"), params))
            continue
        cluster_id = params.get("cluster_id") or source.get("cluster")
        spec = VmSpec()
        spec.cluster_id = cluster_id
        defaults = dict((k, source.get(k)) for k in (
            "vcpu", "memory", "firmware", "ha", "description", "guest_os_type", "io_policy",
            "video_type", "clock_offset", "win_opt", "cpu_model", "os"))
        defaults["cpu"] = dict(source.get("cpu") or {"cores": 1, "sockets": 1})
        defaults["status"] = "STOPPED"
        _vm_basics(spec, params, defaults)
        if params.get("vm_disks") is not None:
            _disk_params(spec, params["vm_disks"], params.get("name"))
        else:
            for index, disk in enumerate(disks(store, source)):
                if disk.get("type") == "CD_ROM":
                    spec.disks.append({"kind": "cdrom", "image": disk.get("elf_image"),
                                       "boot": disk.get("boot"), "key": None})
                    continue
                volume = store.ref("VmDisk", disk, "vm_volume") or {}
                spec.disks.append({"kind": "new", "name": "%s-disk-%d" % (params.get("name"), index),
                                   "size": int(volume.get("size") or 10 * GIB), "bus": disk.get("bus"),
                                   "boot": disk.get("boot"), "key": None,
                                   "policy": volume.get("elf_storage_policy")})
        if params.get("vm_nics") is not None:
            spec.nics = _nic_params(params["vm_nics"])
        else:
            spec.nics = [{"vlan": nic.get("vlan"), "model": nic.get("model"),
                          "enabled": nic.get("enabled"), "mirror": nic.get("mirror"),
                          "vpc": nic.get("type") == "VPC"}
                         for nic in store.targets("Vm", source, "vm_nics")]
        specs.append((spec, cluster_id, params))
    return _create(ctx, specs)


# -- operations on existing VMs ----------------------------------------------------

def for_each_vm(ctx, where, change, table="Vm"):
    """A task per VM matched by ``where``; ``change(vm)`` runs when it ends."""
    store = ctx.store
    results = []
    for vm in store.find("Vm", where, path="body.where"):
        def apply(vm_id=vm["id"]):
            change(need(store, "Vm", vm_id, "VM"))
        task = ctx.schedule(apply, vm, "Vm")
        results.append((task, table, vm))
    return ctx.result(results)


def _not_in_recycle_bin(vm):
    if vm.get("in_recycle_bin"):
        refuse("VM_IN_RECYCLE_BIN", "VM %s is in the recycle bin" % vm.get("name"))


def _status(store, vm, status, host_id=False):
    changes = {"status": status}
    if status == "STOPPED":
        changes["last_shutdown_time"] = store.now_iso()
        changes["cpu_usage"] = 0.0
    if host_id is not False:
        changes["host"] = host_id
        host = store.get("Host", host_id)
        changes["node_ip"] = host.get("management_ip") if host else ""
    store.update("Vm", vm, changes)


@handles("start_vm")
def start_vm(ctx):
    store = ctx.store
    host_id = ((ctx.body or {}).get("data") or {}).get("host_id")

    def change(vm):
        _not_in_recycle_bin(vm)
        if vm.get("status") == "RUNNING":
            refuse("VM_ALREADY_RUNNING", "VM %s is already running" % vm.get("name"))
        if vm.get("status") == "DELETED":
            refuse("VM_STATUS_INVALID", "VM %s no longer exists in its cluster" % vm.get("name"))
        # STOPPED starts; SUSPENDED (it resumes) and UNKNOWN are not refused either
        if host_id:
            host = check_host(store, host_id, vm.get("cluster"))
        else:
            current = store.get("Host", vm.get("host"))
            host = current if current is not None and current.get("status") in _HEALTHY_HOSTS \
                else pick_host(store, vm.get("cluster"))
        _status(store, vm, "RUNNING", host["id"])
    return for_each_vm(ctx, ctx.body.get("where"), change)


def _power(required, new_status, code, verb):
    def handler(ctx):
        store = ctx.store

        def change(vm):
            _not_in_recycle_bin(vm)
            if vm.get("status") not in required:
                refuse(code, "VM %s is %s: it cannot be %s" % (vm.get("name"), vm.get("status"), verb))
            if new_status is not None:
                _status(store, vm, new_status)
        return for_each_vm(ctx, ctx.body.get("where"), change)
    return handler


handles("shut_down_vm")(_power(("RUNNING",), "STOPPED", "VM_NOT_RUNNING", "shut down"))
handles("poweroff_vm")(_power(_ACTIVE, "STOPPED", "VM_NOT_RUNNING", "powered off"))
handles("restart_vm")(_power(("RUNNING",), None, "VM_NOT_RUNNING", "restarted"))
handles("force_restart_vm")(_power(_ACTIVE, "RUNNING", "VM_NOT_RUNNING", "restarted"))
handles("suspend_vm")(_power(("RUNNING",), "SUSPENDED", "VM_NOT_RUNNING", "suspended"))
handles("resume_vm")(_power(("SUSPENDED",), "RUNNING", "VM_NOT_SUSPENDED", "resumed"))


@handles("migrate_vm")
def migrate_vm(ctx):
    store = ctx.store
    host_id = ((ctx.body or {}).get("data") or {}).get("host_id")

    def change(vm):
        _not_in_recycle_bin(vm)
        if host_id:
            host = check_host(store, host_id, vm.get("cluster"))
        else:
            host = pick_host(store, vm.get("cluster"), exclude=vm.get("host"))
        # a running VM moves live; any other is a cold migration: its host
        # changes, its status does not
        store.update("Vm", vm, {"host": host["id"], "node_ip": host.get("management_ip") or ""})
    return for_each_vm(ctx, ctx.body.get("where"), change)


def must_be_off(vm, verb):
    if vm.get("status") in _ACTIVE:
        refuse("VM_IS_RUNNING", "VM %s is %s: power it off before it is %s"
               % (vm.get("name"), vm.get("status"), verb))


# -- the recycle bin and its settings ------------------------------------------------
#
# GlobalSettings holds the recycle bin every cluster follows unless its
# ClusterSettings has one of its own. A VM moves to the bin only while its
# cluster's bin is on; turning a bin off (or shortening how many days it
# keeps VMs) deletes for good the VMs it no longer keeps, so they cannot be
# recovered. The simulator's days do not pass: a VM stays in an enabled bin.

_BIN_OFF = {"enabled": False, "retain": 0}


def global_settings(store):
    """The one GlobalSettings row (created if a test removed it)."""
    for row in store.rows["GlobalSettings"].values():
        return row
    return store.insert("GlobalSettings", {"vm_recycle_bin": dict(_BIN_OFF), "auth": None})


def cluster_settings(store, cluster_id):
    for row in store.rows["ClusterSettings"].values():
        if row.get("cluster") == cluster_id:
            return row
    return None


def recycle_bin(store, cluster_id):
    """``{"enabled", "retain"}``: the recycle bin the VMs of the cluster follow."""
    own = cluster_settings(store, cluster_id)
    if own is not None and own.get("vm_recycle_bin"):
        return own["vm_recycle_bin"]
    return global_settings(store).get("vm_recycle_bin") or _BIN_OFF


def empty_recycle_bins(store, before):
    """Delete for good the binned VMs their bin no longer keeps.

    ``before``: {cluster id: the bin it followed before the settings changed}.
    """
    for vm in list(store.rows["Vm"].values()):
        if not vm.get("in_recycle_bin") or vm.get("cluster") not in before:
            continue
        old, new = before[vm["cluster"]], recycle_bin(store, vm.get("cluster"))
        if not new.get("enabled") or int(new.get("retain") or 0) < int(old.get("retain") or 0):
            remove_vm(store, vm)


def bins_now(store):
    return dict((cluster_id, dict(recycle_bin(store, cluster_id)))
                for cluster_id in store.rows["Cluster"])


@handles("move_vm_to_recycle_bin")
def move_vm_to_recycle_bin(ctx):
    store = ctx.store

    def change(vm):
        if vm.get("in_recycle_bin"):
            return
        if not recycle_bin(store, vm.get("cluster")).get("enabled"):
            refuse("VM_RECYCLE_BIN_DISABLED", "the recycle bin of VM %s's cluster is off: turn it on "
                   "(update_global_recycle_bin_setting) or delete the VM" % vm.get("name"))
        must_be_off(vm, "moved to the recycle bin")
        store.update("Vm", vm, {"in_recycle_bin": True, "deleted_at": store.now_iso()})
    return for_each_vm(ctx, ctx.body.get("where"), change, table="Vm")


@handles("recover_vm_from_recycle_bin")
def recover_vm_from_recycle_bin(ctx):
    store = ctx.store

    def change(vm):
        if vm.get("in_recycle_bin"):
            store.update("Vm", vm, {"in_recycle_bin": False, "deleted_at": None})
    return for_each_vm(ctx, ctx.body.get("where"), change, table="Vm")


@handles("update_global_recycle_bin_setting")
def update_global_recycle_bin_setting(ctx):
    store = ctx.store
    body = ctx.body or {}
    wanted = {"enabled": bool(body.get("enabled")), "retain": int(body.get("retain") or 0)}
    settings = global_settings(store)

    def apply():
        before = bins_now(store)
        store.update("GlobalSettings", settings, {"vm_recycle_bin": dict(wanted)})
        empty_recycle_bins(store, before)
    task = ctx.schedule(apply, settings, "GlobalSettings", description="Update the global "
                        "recycle bin setting", args=body)
    return ctx.result([(task, "GlobalSettings", settings)])


def _cluster_recycle_bin(deleting):
    def handler(ctx):
        store = ctx.store
        data = (ctx.body or {}).get("data") or {}
        wanted = None if deleting else {"enabled": bool(data.get("enabled")),
                                        "retain": int(data.get("retain") or 0)}
        results = []
        for cluster in store.find("Cluster", (ctx.body or {}).get("where")):
            current = cluster_settings(store, cluster["id"])
            preview = current if current is not None else fill_row(store, "ClusterSettings", {
                "id": store.new_id(), "cluster": cluster["id"], "vm_recycle_bin": None,
                "default_ha": True, "default_storage_policy": "REPLICA_2_THIN_PROVISION",
                "enabled_iscsi": False})

            def apply(cluster_id=cluster["id"], preview=preview):
                need(store, "Cluster", cluster_id, "cluster")
                before = bins_now(store)
                row = cluster_settings(store, cluster_id)
                if row is None:
                    if deleting:
                        return
                    row = store.insert("ClusterSettings", dict(preview))
                store.update("ClusterSettings", row, {"vm_recycle_bin": wanted})
                empty_recycle_bins(store, before)
            task = ctx.schedule(apply, cluster, "Cluster")
            results.append((task, "ClusterSettings", preview))
        return ctx.result(results)
    return handler


handles("create_cluster_recycle_bin_setting", "update_cluster_recycle_bin_setting")(
    _cluster_recycle_bin(False))
handles("delete_cluster_recycle_bin_setting")(_cluster_recycle_bin(True))


def _update_auth(keys):
    """A global settings operation that sets ``keys`` of ``GlobalSettings.auth``."""
    def handler(ctx):
        store = ctx.store
        body = ctx.body or {}
        changes = dict((key, body[key]) for key in keys if body.get(key) is not None)
        settings = global_settings(store)

        def apply():
            auth = dict(settings.get("auth") or {})
            auth.update(changes)
            store.update("GlobalSettings", settings, {"auth": auth})
        task = ctx.schedule(apply, settings, "GlobalSettings", description=describe(ctx.op.name),
                            args=body)
        return ctx.result([(task, "GlobalSettings", settings)])
    return handler


handles("update_access_restriction")(_update_auth(("access_list", "access_mode")))
handles("update_password_security")(_update_auth((
    "password_expire_days", "password_complexity", "login_miss_time_threshold",
    "login_miss_num_threshold")))
handles("update_session_timeout")(_update_auth(("session_max_age",)))


def remove_vm(store, vm, include_snapshots=True):
    """Delete a VM, its disks and NICs, and the volumes only it used."""
    for disk in disks(store, vm):
        volume = store.ref("VmDisk", disk, "vm_volume")
        detach_disk(store, disk)
        if volume is not None and not volume.get("vm_disks") and not volume.get("sharing"):
            store.delete("VmVolume", volume)
    for nic in store.targets("Vm", vm, "vm_nics"):
        store.delete("VmNic", nic)
    if include_snapshots:
        for snapshot in store.targets("Vm", vm, "snapshots"):
            remove_snapshot(store, snapshot)
    store.delete_with_dependents("Vm", vm)


def remove_snapshot(store, snapshot):
    names = [d.get("snapshot_local_id") for d in snapshot.get("vm_disks") or ()
             if d.get("snapshot_local_id")]
    for lun_snapshot in list(store.rows["IscsiLunSnapshot"].values()):
        if lun_snapshot.get("name") in names:
            store.delete("IscsiLunSnapshot", lun_snapshot)
    store.delete("VmSnapshot", snapshot)


@handles("delete_vm")
def delete_vm(ctx):
    store = ctx.store
    effect = ctx.body.get("effect") or {}

    def change(vm):
        must_be_off(vm, "deleted")
        remove_vm(store, vm, effect.get("include_snapshots", True) is not False)
    return for_each_vm(ctx, ctx.body.get("where"), change)


# -- configuration -------------------------------------------------------------------

@handles("update_vm")
def update_vm(ctx):
    store = ctx.store
    data = ctx.body.get("data") or {}

    def change(vm):
        _not_in_recycle_bin(vm)
        changes = {}
        for key in ("name", "description", "ha"):
            if data.get(key) is not None:
                changes[key] = data[key]
        cpu = dict(vm.get("cpu") or {"cores": 1, "sockets": 1})
        if data.get("cpu_cores") is not None:
            cpu["cores"] = data["cpu_cores"]
        if data.get("cpu_sockets") is not None:
            cpu["sockets"] = data["cpu_sockets"]
        if cpu != vm.get("cpu"):
            changes["cpu"] = cpu
        if data.get("vcpu") is not None:
            changes["vcpu"] = data["vcpu"]
        elif "cpu" in changes:
            changes["vcpu"] = cpu["cores"] * cpu["sockets"]
        if data.get("memory") is not None:
            changes["memory"] = to_bytes(data["memory"], data.get("memory_unit"))
        store.update("Vm", vm, changes)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("add_vm_disk")
def add_vm_disk(ctx):
    store = ctx.store
    data = ctx.body.get("data") or {}

    def change(vm):
        _not_in_recycle_bin(vm)
        spec = VmSpec()
        _disk_params(spec, data.get("vm_disks"), vm.get("name"))
        for disk in spec.disks:
            if disk["kind"] == "mount":
                volume = check_volume(store, disk["volume"], vm.get("cluster"))
            elif disk["kind"] == "new":
                if disk["size"] <= 0:
                    refuse("VM_VOLUME_SIZE_INVALID", "a new disk needs a size above 0")
                volume = new_volume(store, vm.get("cluster"), disk["name"], disk["size"],
                                    disk.get("policy"))
            else:
                continue
            attach_disk(store, vm, volume, disk.get("bus"), disk.get("boot"), disk.get("key"),
                        disk.get("limits"))
    return for_each_vm(ctx, ctx.body.get("where"), change)


def _owned(store, vm, ids, kind, code):
    found = []
    own = dict((d["id"], d) for d in disks(store, vm, kind))
    for disk_id in ids or ():
        if disk_id not in own:
            refuse(code, "%s %s is not a %s of VM %s" % (
                "CD-ROM" if kind == "CD_ROM" else "disk", disk_id,
                "CD-ROM" if kind == "CD_ROM" else "disk", vm.get("name")))
        found.append(own[disk_id])
    return found


@handles("remove_vm_disk")
def remove_vm_disk(ctx):
    store = ctx.store
    ids = (ctx.body.get("data") or {}).get("disk_ids") or []

    def change(vm):
        _not_in_recycle_bin(vm)
        for disk in _owned(store, vm, ids, None, "VM_DISK_NOT_FOUND"):
            detach_disk(store, disk)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("update_vm_disk")
def update_vm_disk(ctx):
    store = ctx.store
    data = ctx.body.get("data") or {}

    def change(vm):
        _not_in_recycle_bin(vm)
        disk = _owned(store, vm, [data.get("vm_disk_id")], None, "VM_DISK_NOT_FOUND")[0]
        changes = {}
        if data.get("bus"):
            changes["bus"] = data["bus"]
        if data.get("elf_image_id"):
            if disk.get("type") != "CD_ROM":
                refuse("VM_DISK_NOT_CD_ROM", "disk %s is not a CD-ROM" % disk["id"])
            changes["elf_image"] = check_image(store, data["elf_image_id"], vm.get("cluster"))["id"]
        if data.get("vm_volume_id"):
            if disk.get("type") != "DISK":
                refuse("VM_DISK_NOT_DISK", "disk %s is a CD-ROM" % disk["id"])
            volume = check_volume(store, data["vm_volume_id"], vm.get("cluster"))
            old = store.ref("VmDisk", disk, "vm_volume")
            changes["vm_volume"] = volume["id"]
            store.update("VmDisk", disk, changes)
            store.update("VmVolume", volume, {"mounting": True})
            if old is not None:
                store.update("VmVolume", old, {"mounting": bool(old.get("vm_disks"))})
            return
        store.update("VmDisk", disk, changes)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("expand_vm_disk")
def expand_vm_disk(ctx):
    store = ctx.store
    size = to_bytes(ctx.body.get("size") or 0, ctx.body.get("size_unit"))
    results = []
    for disk in store.find("VmDisk", ctx.body.get("where")):
        vm = store.ref("VmDisk", disk, "vm")

        def apply(disk_id=disk["id"]):
            current = need(store, "VmDisk", disk_id, "VM disk")
            volume = store.ref("VmDisk", current, "vm_volume")
            if volume is None:
                refuse("VM_DISK_NOT_DISK", "disk %s has no volume" % disk_id)
            if size <= int(volume.get("size") or 0):
                refuse("VM_VOLUME_SIZE_INVALID", "a disk can only grow (%d <= %s)"
                       % (size, volume.get("size")))
            store.update("VmVolume", volume, {"size": size})
        task = ctx.schedule(apply, vm or disk, "Vm" if vm else "VmDisk")
        results.append((task, "Vm" if vm else "VmDisk", vm or disk))
    return ctx.result(results)


@handles("add_vm_cd_rom")
def add_vm_cd_rom(ctx):
    store = ctx.store
    roms = (ctx.body.get("data") or {}).get("vm_cd_roms") or []

    def change(vm):
        _not_in_recycle_bin(vm)
        for rom in roms:
            image = rom.get("elf_image_id")
            if image:
                check_image(store, image, vm.get("cluster"))
            attach_cd_rom(store, vm, image, rom.get("boot"), rom.get("key"))
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("remove_vm_cd_rom")
def remove_vm_cd_rom(ctx):
    store = ctx.store
    ids = (ctx.body.get("data") or {}).get("cd_rom_ids") or []

    def change(vm):
        _not_in_recycle_bin(vm)
        for disk in _owned(store, vm, ids, "CD_ROM", "VM_CD_ROM_NOT_FOUND"):
            store.delete("VmDisk", disk)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("eject_iso_from_vm_cd_rom")
def eject_iso_from_vm_cd_rom(ctx):
    store = ctx.store
    results = []
    for disk in store.find("VmDisk", ctx.body.get("where")):
        vm = store.ref("VmDisk", disk, "vm")

        def apply(disk_id=disk["id"]):
            current = need(store, "VmDisk", disk_id, "VM disk")
            if current.get("type") != "CD_ROM":
                refuse("VM_DISK_NOT_CD_ROM", "disk %s is not a CD-ROM" % disk_id)
            store.update("VmDisk", current, {"elf_image": None})
        task = ctx.schedule(apply, vm or disk, "Vm" if vm else "VmDisk")
        results.append((task, "Vm" if vm else "VmDisk", vm or disk))
    return ctx.result(results)


@handles("add_vm_nic")
def add_vm_nic(ctx):
    store = ctx.store
    nics = _nic_params((ctx.body.get("data") or {}).get("vm_nics"))

    def change(vm):
        _not_in_recycle_bin(vm)
        for nic in nics:
            check_nic(store, nic, vm.get("cluster"))
            add_nic(store, vm, nic)
    return for_each_vm(ctx, ctx.body.get("where"), change)


def _nic_at(store, vm, index):
    nics = store.targets("Vm", vm, "vm_nics")
    if not isinstance(index, six.integer_types) or not 0 <= index < len(nics):
        refuse("VM_NIC_NOT_FOUND", "VM %s has no NIC at index %r (it has %d)"
               % (vm.get("name"), index, len(nics)))
    return nics[index]


@handles("update_vm_nic")
def update_vm_nic(ctx):
    store = ctx.store
    data = ctx.body.get("data") or {}

    def change(vm):
        _not_in_recycle_bin(vm)
        nic = _nic_at(store, vm, data.get("nic_index"))
        changes = {}
        if data.get("connect_vlan_id"):
            changes["vlan"] = check_vlan(store, data["connect_vlan_id"], vm.get("cluster"))["id"]
        for source, key in (("enabled", "enabled"), ("mirror", "mirror"), ("model", "model"),
                            ("mac_address", "mac_address"), ("ip_address", "ip_address"),
                            ("gateway", "gateway"), ("subnet_mask", "subnet_mask")):
            if data.get(source) is not None:
                changes[key] = data[source]
        store.update("VmNic", nic, changes)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("remove_vm_nic")
def remove_vm_nic(ctx):
    store = ctx.store
    indexes = (ctx.body.get("data") or {}).get("nic_index") or []

    def change(vm):
        _not_in_recycle_bin(vm)
        doomed = [_nic_at(store, vm, index) for index in indexes]
        for nic in doomed:
            if store.get("VmNic", nic["id"]) is not None:
                store.delete("VmNic", nic)
        renumber_nics(store, vm)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("add_vm_to_folder")
def add_vm_to_folder(ctx):
    store = ctx.store
    folder_id = (ctx.body.get("data") or {}).get("folder_id")

    def change(vm):
        folder = need(store, "VmFolder", folder_id, "VM folder")
        if folder.get("cluster") != vm.get("cluster"):
            refuse("VM_FOLDER_NOT_IN_CLUSTER", "VM folder %s is in another cluster" % folder_id)
        store.update("Vm", vm, {"folder": folder["id"]})
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("remove_vm_to_folder")
def remove_vm_from_folder(ctx):
    store = ctx.store
    return for_each_vm(ctx, ctx.body.get("where"),
                       lambda vm: store.update("Vm", vm, {"folder": None}))
