# coding: utf-8
"""The recycle bin and its settings (global and per cluster), and deleting VMs
and snapshots.
"""
from cloudtower.simulator.handlers import describe, fill_row, handles, need, refuse
from cloudtower.simulator.vm import detach_disk, disks
from cloudtower.simulator.vm_power import for_each_vm, must_be_off

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


