# coding: utf-8
"""New VMs: blank, from a template or a content-library template, converted,
imported, rebuilt and cloned; each takes the status its parameters ask for
(stopped where they ask for none).
"""
from cloudtower.simulator.handlers import describe, handles
from cloudtower.simulator.vm import (
    GIB,
    VmSpec,
    build_from_spec,
    create_vms,
    disk_params,
    disks,
    nic_params,
    vm_basics,
)


@handles("create_vm")
def create_vm(ctx):
    specs = []
    for params in ctx.body:
        spec = VmSpec()
        spec.cluster_id = params.get("cluster_id")
        vm_basics(spec, params)
        disk_params(spec, params.get("vm_disks"), params.get("name"))
        spec.nics = nic_params(params.get("vm_nics"))
        specs.append((spec, spec.cluster_id, params))
    return create_vms(ctx, specs)


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
    disk_params(spec, operate.get("new_disks"), name)


def _template_spec(store, template, params, cluster_id):
    spec = VmSpec()
    spec.cluster_id = cluster_id
    defaults = dict((k, template.get(k)) for k in (
        "vcpu", "memory", "firmware", "ha", "description", "io_policy", "max_bandwidth",
        "max_bandwidth_policy", "max_iops", "max_iops_policy", "win_opt", "video_type",
        "clock_offset", "cloud_init_supported", "cpu_model") if template.get(k) is not None)
    defaults["cpu"] = dict(template.get("cpu") or {"cores": 1, "sockets": 1})
    defaults["description"] = params.get("description") or ""
    vm_basics(spec, params, defaults)
    frozen_disks_spec(spec, template.get("vm_disks"), params.get("name"))
    _resolve_image_local_ids(store, spec)
    _apply_disk_operate(spec, params.get("disk_operate"), params.get("name"))
    if params.get("vm_nics") is not None:
        spec.nics = nic_params(params["vm_nics"])
    else:
        spec.nics = _template_nics(store, template, cluster_id)
    return spec


def _failing(params, code, message):
    """A spec that is refused when its task runs (the request itself is accepted)."""
    spec = VmSpec()
    vm_basics(spec, params)
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
    return create_vms(ctx, specs)


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
    return create_vms(ctx, [(_library_spec(ctx.store, params), params.get("cluster_id"), params)
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
            build_from_spec(store, vm_id, spec, preview)
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
    return create_vms(ctx, specs)


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
                disk_params(spec, params["vm_disks"], params.get("name"))
        specs.append((spec, spec.cluster_id, params))
    return create_vms(ctx, specs)


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
        vm_basics(spec, params, defaults)
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
        disk_params(spec, operate.get("new_disks"), params.get("name"))
        macs = [n.get("mac") for n in ovf.get("nics") or ()]
        spec.nics = nic_params(params.get("vm_nics"))
        for index, nic in enumerate(spec.nics):
            if not nic.get("mac") and index < len(macs):
                nic["mac"] = macs[index]
        specs.append((spec, spec.cluster_id, params))
    return create_vms(ctx, specs)


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
        vm_basics(spec, params, defaults)
        if params.get("vm_disks") is not None:
            disk_params(spec, params["vm_disks"], params.get("name"))
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
            spec.nics = nic_params(params["vm_nics"])
        else:
            spec.nics = [{"vlan": nic.get("vlan"), "model": nic.get("model"),
                          "enabled": nic.get("enabled"), "mirror": nic.get("mirror"),
                          "vpc": nic.get("type") == "VPC"}
                         for nic in store.targets("Vm", source, "vm_nics")]
        specs.append((spec, cluster_id, params))
    return create_vms(ctx, specs)


