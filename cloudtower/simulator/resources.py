# coding: utf-8
"""Behaviour of the resources around VMs: snapshots, templates, placement
groups, labels and users. Folders, iSCSI targets/LUNs/LUN snapshots, NFS
exports and the rest are served well by the generic handlers."""
from cloudtower.simulator.handlers import (
    check_refs,
    create,
    describe,
    fill_row,
    handles,
    map_params,
    need,
    refuse,
)
from cloudtower.simulator.vm import attach_cd_rom, attach_disk, detach_disk, disks
from cloudtower.simulator.vm_power import for_each_vm, must_be_off
from cloudtower.simulator.vm_recycle import remove_snapshot, remove_vm


def _frozen_vlan(store, vlan_id):
    vlan = store.get("Vlan", vlan_id) or {}
    vds = store.ref("Vlan", vlan, "vds") or {}
    return {"name": vlan.get("name") or "", "network_ids": list(vlan.get("network_ids") or []),
            "vds_ovs": vds.get("ovsbr_name") or "", "vlan_id": vlan.get("vlan_id") or 0,
            "vlan_local_id": vlan.get("local_id") or ""}


def frozen_disks(store, vm, with_snapshots):
    """The VM's disks as ``NestedFrozenDisks`` (what snapshots and templates keep)."""
    result = []
    for index, disk in enumerate(disks(store, vm)):
        volume = store.ref("VmDisk", disk, "vm_volume") or {}
        image = store.ref("VmDisk", disk, "elf_image") or {}
        is_disk = disk.get("type") == "DISK"
        result.append({
            "boot": disk.get("boot") or 0, "bus": disk.get("bus") or "VIRTIO",
            "disabled": bool(disk.get("disabled")), "disk_name": volume.get("name"),
            "elf_image_local_id": "" if is_disk else (image.get("local_id") or ""),
            "image_name": None if is_disk else image.get("name"), "index": index,
            "key": disk.get("key"), "max_bandwidth": disk.get("max_bandwidth"),
            "max_bandwidth_policy": disk.get("max_bandwidth_policy"),
            "max_iops": disk.get("max_iops"), "max_iops_policy": disk.get("max_iops_policy"),
            "path": (volume.get("path") if is_disk else image.get("path")) or "",
            "size": int((volume.get("size") if is_disk else image.get("size")) or 0),
            "snapshot_local_id": store.new_uuid() if (is_disk and with_snapshots) else None,
            "storage_policy_uuid": "" if not is_disk else volume.get("elf_storage_policy") or "",
            "svt_image_local_id": "", "type": disk.get("type") or "DISK",
            "vm_volume_local_id": volume.get("local_id") or "" if is_disk else "",
            "vm_volume_snapshot_uuid": None,
            "vm_volume_template_uuid": None if with_snapshots or not is_disk else store.new_uuid(),
        })
    return result


def frozen_nics(store, vm, template=False):
    result = []
    for index, nic in enumerate(store.targets("Vm", vm, "vm_nics")):
        item = {"enabled": nic.get("enabled") is not False, "index": index,
                "ip_address": nic.get("ip_address") or "", "mac_address": nic.get("mac_address") or "",
                "mirror": bool(nic.get("mirror")), "model": nic.get("model") or "VIRTIO",
                "vlan": _frozen_vlan(store, nic.get("vlan"))}
        if template:
            item.update({"type": nic.get("type") or "VLAN", "vpc_nic": None})
        else:
            item.update({"gateway": nic.get("gateway") or "",
                         "subnet_mask": nic.get("subnet_mask") or ""})
        result.append(item)
    return result


def _config(vm):
    return dict((key, vm.get(key)) for key in (
        "cpu", "vcpu", "memory", "firmware", "ha", "clock_offset", "cpu_model", "win_opt",
        "io_policy", "max_bandwidth", "max_bandwidth_policy", "max_iops", "max_iops_policy",
        "video_type"))


def internal_target(store, cluster_id):
    """The cluster's internal iSCSI target that holds VM volume LUNs."""
    for target in store.rows["IscsiTarget"].values():
        if target.get("cluster") == cluster_id and target.get("internal"):
            return target
    return store.insert("IscsiTarget", {
        "cluster": cluster_id, "internal": True, "name": "zbs-iscsi-datastore-" + store.new_uuid()[:8],
        "description": "", "external_use": False, "thin_provision": True, "replica_num": 2,
        "stripe_num": 4, "stripe_size": 256 * 1024, "chap_enabled": False, "ip_whitelist": "",
        "iqn_whitelist": "*/*", "iqn_name": "iqn.2016-02.com.smartx:system:" + store.new_uuid()[:8]})


def build_snapshot(store, vm, name, consistent_type="CRASH_CONSISTENT", snapshot_id=None,
                   base=None):
    """A VM snapshot with its frozen disks, and the LUN snapshot of each disk."""
    frozen = frozen_disks(store, vm, with_snapshots=True)
    values = dict(base or {})
    values.update(_config(vm))
    values.update({
        "vm": vm["id"], "cluster": vm.get("cluster"), "name": name, "description": "",
        "consistent_type": consistent_type or "CRASH_CONSISTENT", "vm_disks": frozen,
        "vm_nics": frozen_nics(store, vm), "local_id": store.new_uuid(),
        "local_created_at": store.now_iso(), "snapshot_group": None, "entityAsyncStatus": None,
        "size": sum(d["size"] for d in frozen if d["type"] == "DISK"),
    })
    if snapshot_id:
        values["id"] = snapshot_id
    snapshot = store.insert("VmSnapshot", values)
    target = internal_target(store, vm.get("cluster"))
    for disk in frozen:
        if disk["snapshot_local_id"]:
            store.insert("IscsiLunSnapshot", {
                "name": disk["snapshot_local_id"], "iscsi_target": target["id"], "iscsi_lun": None,
                "local_id": store.new_uuid(), "local_created_at": store.now_iso(),
                "unique_size": disk["size"] // 10, "consistency_group_snapshot": None,
                "entityAsyncStatus": None})
    return snapshot


@handles("create_vm_snapshot")
def create_vm_snapshot(ctx):
    store = ctx.store
    results = []
    for params in (ctx.body or {}).get("data") or []:
        vm = store.get("Vm", params.get("vm_id"))
        snapshot_id = store.new_id()
        preview = fill_row(store, "VmSnapshot", {
            "id": snapshot_id, "name": params.get("name"), "vm": params.get("vm_id"),
            "cluster": (vm or {}).get("cluster"), "entityAsyncStatus": "CREATING",
            "consistent_type": params.get("consistent_type") or "CRASH_CONSISTENT",
            "vm_disks": [], "vm_nics": []})

        def apply(params=params, snapshot_id=snapshot_id, preview=preview):
            current = need(store, "Vm", params.get("vm_id"), "VM")
            kind = params.get("consistent_type") or "CRASH_CONSISTENT"
            if kind == "FILE_SYSTEM_CONSISTENT" and (
                    current.get("status") != "RUNNING" or current.get("vm_tools_status") != "RUNNING"):
                refuse("VM_TOOLS_NOT_RUNNING", "a file-system-consistent snapshot needs VMTools "
                       "running in VM %s" % current.get("name"))
            build_snapshot(store, current, params.get("name"), kind, snapshot_id, preview)
        task = ctx.schedule(apply, preview, "VmSnapshot", cluster_id=(vm or {}).get("cluster"),
                            description=describe(ctx.op.name, preview), args=params)
        results.append((task, "VmSnapshot", preview))
    return ctx.result(results)


@handles("delete_vm_snapshot")
def delete_vm_snapshot(ctx):
    store = ctx.store
    results = []
    for snapshot in store.find("VmSnapshot", ctx.body.get("where")):
        def apply(snapshot_id=snapshot["id"]):
            remove_snapshot(store, need(store, "VmSnapshot", snapshot_id, "VM snapshot"))
        task = ctx.schedule(apply, snapshot, "VmSnapshot")
        results.append((task, "VmSnapshot", snapshot))
    return ctx.result(results)


@handles("rollback_vm")
def rollback_vm(ctx):
    store = ctx.store
    snapshot_id = (ctx.body.get("data") or {}).get("snapshot_id")

    def change(vm):
        snapshot = need(store, "VmSnapshot", snapshot_id, "VM snapshot")
        if snapshot.get("vm") != vm["id"]:
            refuse("VM_SNAPSHOT_NOT_OF_VM", "snapshot %s is not a snapshot of VM %s"
                   % (snapshot_id, vm.get("name")))
        store.update("Vm", vm, _config(snapshot))
        frozen = snapshot.get("vm_disks") or []
        keep = set(d.get("vm_volume_local_id") for d in frozen if d.get("type") == "DISK")
        # devices keep their ids: disks whose volume the snapshot has stay, the
        # CD-ROMs take the snapshot's images in order, what it lacks goes
        for disk in disks(store, vm, "DISK"):
            volume = store.ref("VmDisk", disk, "vm_volume")
            if volume is None or volume.get("local_id") not in keep:
                detach_disk(store, disk)
        mounted = set((store.ref("VmDisk", d, "vm_volume") or {}).get("local_id")
                      for d in disks(store, vm, "DISK"))
        volumes = dict((v.get("local_id"), v) for v in store.rows["VmVolume"].values())
        images = dict((i.get("local_id"), i) for i in store.rows["ElfImage"].values())
        cd_roms = disks(store, vm, "CD_ROM")
        frozen_roms = [d for d in frozen if d.get("type") == "CD_ROM"]
        for index, disk in enumerate(frozen_roms):
            image = images.get(disk.get("elf_image_local_id"))
            image_id = image["id"] if image else None
            if index < len(cd_roms):
                store.update("VmDisk", cd_roms[index], {"elf_image": image_id,
                                                        "boot": int(disk.get("boot") or 0)})
            else:
                attach_cd_rom(store, vm, image_id, disk.get("boot"))
        for rom in cd_roms[len(frozen_roms):]:
            store.delete("VmDisk", rom)
        for disk in frozen:
            if disk.get("type") != "CD_ROM" and disk.get("vm_volume_local_id") not in mounted:
                volume = volumes.get(disk.get("vm_volume_local_id"))
                if volume is not None and (not volume.get("vm_disks") or volume.get("sharing")):
                    attach_disk(store, vm, volume, disk.get("bus"), disk.get("boot"))
    return for_each_vm(ctx, ctx.body.get("where"), change)


def build_template(store, vm, params, template_id=None, base=None):
    values = dict(base or {})
    values.update(_config(vm))
    values.update({
        # a template lives in its VM's cluster (a cluster_id given names that one)
        "cluster": vm.get("cluster"), "name": params.get("name"),
        "description": params.get("description") or "",
        "cloud_init_supported": bool(params.get("cloud_init_supported")),
        "vm_disks": frozen_disks(store, vm, with_snapshots=False),
        "vm_nics": frozen_nics(store, vm, template=True), "local_id": store.new_uuid(),
        "local_created_at": store.now_iso(), "content_library_vm_template": None,
        "entityAsyncStatus": None,
    })
    values["size"] = sum(d["size"] for d in values["vm_disks"] if d["type"] == "DISK")
    if template_id:
        values["id"] = template_id
    return store.insert("VmTemplate", values)


def _template_from_vm(convert):
    def handler(ctx):
        store = ctx.store
        results = []
        for params in ctx.body:
            vm = store.get("Vm", params.get("vm_id"))
            template_id = store.new_id()
            preview = fill_row(store, "VmTemplate", {
                "id": template_id, "name": params.get("name"), "entityAsyncStatus": "CREATING",
                "cluster": (vm or {}).get("cluster") or params.get("cluster_id"),
                "vm_disks": [], "vm_nics": []})

            def apply(params=params, template_id=template_id, preview=preview):
                current = need(store, "Vm", params.get("vm_id"), "VM")
                if convert:
                    must_be_off(current, "converted to a template")
                build_template(store, current, params, template_id, preview)
                if convert:
                    remove_vm(store, current)
            task = ctx.schedule(apply, preview, "VmTemplate",
                                description=describe(ctx.op.name, preview), args=params)
            results.append((task, "VmTemplate", preview))
        return ctx.result(results)
    return handler


handles("clone_vm_template_from_vm")(_template_from_vm(False))
handles("convert_vm_template_from_vm")(_template_from_vm(True))


def _placement_values(store, params):
    values = map_params(store, "VmPlacementGroup", params)
    if params.get("vms") is not None:
        values["vms"] = [vm["id"] for vm in store.find("Vm", params["vms"], path="body.vms")]
    for source, key in (("must_hosts", "vm_host_must_host_uuids"),
                        ("prefer_hosts", "vm_host_prefer_host_uuids")):
        if params.get(source) is not None:
            values[key] = [h["id"] for h in store.find("Host", params[source], path="body." + source)]
    return values


def _check_placement(store, group_cluster, values):
    check_refs(store, "VmPlacementGroup", values)
    for key, table in (("vms", "Vm"), ("vm_host_must_host_uuids", "Host"),
                       ("vm_host_prefer_host_uuids", "Host")):
        for row_id in values.get(key) or ():
            row = store.get(table, row_id)
            if row is not None and row.get("cluster") != group_cluster:
                refuse("%s_NOT_IN_CLUSTER" % table.upper(), "%s %s is not in the group's cluster"
                       % (table, row.get("name")))


@handles("create_vm_placement_group")
def create_vm_placement_group(ctx):
    store = ctx.store
    results = []
    for params in ctx.body:
        values = _placement_values(store, params)
        values["id"] = store.new_id()
        values.setdefault("local_created_at", store.now_iso())
        values.setdefault("local_updated_at", store.now_iso())
        values.setdefault("description", "")
        row = fill_row(store, "VmPlacementGroup", values)
        preview = dict(row, entityAsyncStatus="CREATING")

        def apply(values=values, row=row):
            need(store, "Cluster", values.get("cluster"), "cluster")
            _check_placement(store, values.get("cluster"), values)
            store.insert("VmPlacementGroup", row)
        task = ctx.schedule(apply, preview, "VmPlacementGroup", args=params)
        results.append((task, "VmPlacementGroup", preview))
    return ctx.result(results)


@handles("update_vm_placement_group")
def update_vm_placement_group(ctx):
    store = ctx.store
    values = _placement_values(store, ctx.body.get("data") or {})
    results = []
    for group in store.find("VmPlacementGroup", ctx.body.get("where")):
        def apply(group_id=group["id"]):
            current = need(store, "VmPlacementGroup", group_id, "placement group")
            _check_placement(store, current.get("cluster"), values)
            store.update("VmPlacementGroup", current, dict(values, local_updated_at=store.now_iso()))
        task = ctx.schedule(apply, group, "VmPlacementGroup")
        results.append((task, "VmPlacementGroup", group))
    return ctx.result(results)


def _label_targets(store, data):
    """{label field: [row ids]} from ``AddLabelsToResourcesParamsData``."""
    fields = store.table("Label").schema.fields
    result = {}
    for key in sorted(data or {}):
        field = fields.get(key)
        if field is None or field.ref is None or data[key] is None:
            continue
        result[key] = [row["id"] for row in store.find(field.ref, data[key], path="body.data." + key)]
    return result


def _labels(adding):
    def handler(ctx):
        store = ctx.store
        targets = _label_targets(store, ctx.body.get("data"))
        results = []
        for label in store.find("Label", ctx.body.get("where")):
            def apply(label_id=label["id"]):
                current = need(store, "Label", label_id, "label")
                for key, ids in targets.items():
                    present = list(current.get(key) or ())
                    if adding:
                        store.set_ref("Label", current, key, present + ids)
                    else:
                        store.set_ref("Label", current, key, [i for i in present if i not in ids])
            task = ctx.schedule(apply, label, "Label")
            results.append((task, "Label", label))
        return ctx.result(results)
    return handler


handles("add_labels_to_resources")(_labels(True))
handles("remove_labels_from_resources")(_labels(False))


def _datacenter_clusters(adding):
    def handler(ctx):
        store = ctx.store
        results = []
        for index, item in enumerate(ctx.body):
            where, data = item.get("where"), item.get("data") or {}
            path = "body[%d].data.clusters" % index
            clusters = [c["id"] for c in store.find("Cluster", data.get("clusters"), path=path)]
            for datacenter in store.find("Datacenter", where, "DatacenterWhereUniqueInput",
                                         "body[%d].where" % index):
                # ``clusters`` bound now: a late-bound closure gave every item the last one's
                def apply(datacenter_id=datacenter["id"], clusters=clusters):
                    current = need(store, "Datacenter", datacenter_id, "datacenter")
                    present = list(current.get("clusters") or ())
                    if adding:
                        wanted = present + [c for c in clusters if c not in present]
                    else:
                        wanted = [c for c in present if c not in clusters]
                    store.set_ref("Datacenter", current, "clusters", wanted)
                task = ctx.schedule(apply, datacenter, "Datacenter", args=item)
                results.append((task, "Datacenter", datacenter))
        return ctx.result(results)
    return handler


handles("add_clusters_to_datacenter")(_datacenter_clusters(True))
handles("remove_clusters_from_datacenter")(_datacenter_clusters(False))


@handles("create_user")
def create_user(ctx):
    # what logging in needs besides the generic mapping (the password is never served)
    def extra(params):
        # the user's role: the preset of the role given (a custom role has none)
        role = ctx.store.get("UserRoleNext", params.get("role_id")) if params.get("role_id") else None
        return {"_password": params.get("password"), "source": params.get("source") or "LOCAL",
                "display_username": params.get("username"), "internal": False,
                "role": role.get("preset") if role is not None else None,
                "roles": [role["id"]] if role is not None else []}
    return create(ctx, extra)


@handles("create_role")
def create_role(ctx):
    # a role made by a user is no built-in one: no preset, only its actions
    return create(ctx, lambda params: {"preset": None, "platform": "MANAGEMENT",
                                       "actions": list(params.get("actions") or [])})


# -- iSCSI LUNs from snapshots and copies ------------------------------------------------

_LUN_FIGURES = ("assigned_size", "replica_num", "thin_provision", "stripe_num", "stripe_size",
                "allowed_initiators", "io_size", "bps", "bps_max", "bps_max_length", "bps_rd",
                "bps_rd_max", "bps_rd_max_length", "bps_wr", "bps_wr_max", "bps_wr_max_length",
                "iops", "iops_max", "iops_max_length", "iops_rd", "iops_rd_max",
                "iops_rd_max_length", "iops_wr", "iops_wr_max", "iops_wr_max_length")


def _new_lun(ctx, params, target_id, source_id, source_table, name):
    """A LUN like the source LUN (or the LUN of a source snapshot) in ``target_id``."""
    store = ctx.store
    source = store.get(source_table, source_id) or {}
    lun = source if source_table == "IscsiLun" else (store.ref(source_table, source, "iscsi_lun") or {})
    values = dict((key, lun[key]) for key in _LUN_FIGURES if lun.get(key) is not None)
    values.update({"id": store.new_id(), "name": name, "iscsi_target": target_id,
                   "local_id": store.new_uuid(), "zbs_volume_id": store.new_uuid(),
                   "local_created_at": store.now_iso(), "consistency_group": None,
                   "entityAsyncStatus": None, "snapshot_num": 0,
                   "lun_id": 1 + max([int(other.get("lun_id") or 0) for other in store.rows["IscsiLun"].values()
                                      if other.get("iscsi_target") == target_id] or [0])})
    if "assigned_size" not in values and source.get("unique_size"):
        values["assigned_size"] = int(source["unique_size"])
    row = fill_row(store, "IscsiLun", values)

    def apply(row=row):
        need(store, source_table, source_id, "iSCSI LUN" if source_table == "IscsiLun"
             else "iSCSI LUN snapshot")
        need(store, "IscsiTarget", target_id, "iSCSI target")
        store.insert("IscsiLun", dict(row))
    target = store.get("IscsiTarget", target_id) if target_id else None
    task = ctx.schedule(apply, row, "IscsiLun", cluster_id=(target or {}).get("cluster"),
                        description=describe(ctx.op.name, row), args=params)
    if target is None or store.get(source_table, source_id) is None:
        return task, "IscsiLun", None  # it will fail: an answer of the right shape
    return task, "IscsiLun", dict(row, entityAsyncStatus="CREATING")


@handles("clone_iscsi_lun_from_snapshot")
def clone_iscsi_lun_from_snapshot(ctx):
    return ctx.result([_new_lun(ctx, params, params.get("iscsi_target_id"),
                                params.get("snapshot_id"), "IscsiLunSnapshot", params.get("name"))
                       for params in ctx.body])


@handles("copy_iscsi_lun")
def copy_iscsi_lun(ctx):
    store = ctx.store
    results = []
    for params in ctx.body:
        source = store.get("IscsiLun", params.get("src_lun_id")) or {}
        target_id = params.get("dest_iscsi_target_id") or source.get("iscsi_target")
        results.append(_new_lun(ctx, params, target_id, params.get("src_lun_id"), "IscsiLun",
                                params.get("name")))
    return ctx.result(results)


@handles("rollback_iscsi_lun_from_snapshot")
def rollback_iscsi_lun_from_snapshot(ctx):
    """The LUN takes its snapshot's data back: the same LUN, same id and target."""
    store = ctx.store
    results = []
    for params in ctx.body:
        lun = store.get("IscsiLun", params.get("lun_id"))

        def apply(params=params):
            current = need(store, "IscsiLun", params.get("lun_id"), "iSCSI LUN")
            snapshot = need(store, "IscsiLunSnapshot", params.get("snapshot_id"), "iSCSI LUN snapshot")
            if snapshot.get("iscsi_lun") != current["id"]:
                refuse("ISCSI_LUN_SNAPSHOT_NOT_OF_LUN", "snapshot %s is not a snapshot of LUN %s"
                       % (snapshot["id"], current.get("name")))
        task = ctx.schedule(apply, lun, "IscsiLun", args=params)
        results.append((task, "IscsiLun", lun))
    return ctx.result(results)
