# coding: utf-8
"""Changes to an existing VM's configuration: its settings, disks, CD-ROMs, NICs
and folder. Devices keep their ids; only new devices get new ones.
"""
import six

from cloudtower.simulator.handlers import handles, need, refuse, to_bytes
from cloudtower.simulator.vm import (
    VmSpec,
    add_nic,
    attach_cd_rom,
    attach_disk,
    check_image,
    check_nic,
    check_vlan,
    check_volume,
    detach_disk,
    disk_params,
    disks,
    new_volume,
    nic_params,
    renumber_nics,
)
from cloudtower.simulator.vm_power import for_each_vm, not_in_recycle_bin

# -- configuration -------------------------------------------------------------------

@handles("update_vm")
def update_vm(ctx):
    store = ctx.store
    data = ctx.body.get("data") or {}

    def change(vm):
        not_in_recycle_bin(vm)
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
        not_in_recycle_bin(vm)
        spec = VmSpec()
        disk_params(spec, data.get("vm_disks"), vm.get("name"))
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
        not_in_recycle_bin(vm)
        for disk in _owned(store, vm, ids, None, "VM_DISK_NOT_FOUND"):
            detach_disk(store, disk)
    return for_each_vm(ctx, ctx.body.get("where"), change)


@handles("update_vm_disk")
def update_vm_disk(ctx):
    store = ctx.store
    data = ctx.body.get("data") or {}

    def change(vm):
        not_in_recycle_bin(vm)
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
        not_in_recycle_bin(vm)
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
        not_in_recycle_bin(vm)
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
    nics = nic_params((ctx.body.get("data") or {}).get("vm_nics"))

    def change(vm):
        not_in_recycle_bin(vm)
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
        not_in_recycle_bin(vm)
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
        not_in_recycle_bin(vm)
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
