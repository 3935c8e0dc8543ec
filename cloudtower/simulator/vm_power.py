# coding: utf-8
"""Power and placement of existing VMs: start, the other power operations, migration
(live for a running VM, cold for a stopped one).
"""
from cloudtower.simulator.handlers import handles, need, refuse
from cloudtower.simulator.vm import ACTIVE, HEALTHY_HOSTS, check_host, pick_host

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


def not_in_recycle_bin(vm):
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
        not_in_recycle_bin(vm)
        if vm.get("status") == "RUNNING":
            refuse("VM_ALREADY_RUNNING", "VM %s is already running" % vm.get("name"))
        if vm.get("status") == "DELETED":
            refuse("VM_STATUS_INVALID", "VM %s no longer exists in its cluster" % vm.get("name"))
        # STOPPED starts; SUSPENDED (it resumes) and UNKNOWN are not refused either
        if host_id:
            host = check_host(store, host_id, vm.get("cluster"))
        else:
            current = store.get("Host", vm.get("host"))
            host = current if current is not None and current.get("status") in HEALTHY_HOSTS \
                else pick_host(store, vm.get("cluster"))
        _status(store, vm, "RUNNING", host["id"])
    return for_each_vm(ctx, ctx.body.get("where"), change)


def _power(required, new_status, code, verb):
    def handler(ctx):
        store = ctx.store

        def change(vm):
            not_in_recycle_bin(vm)
            if vm.get("status") not in required:
                refuse(code, "VM %s is %s: it cannot be %s" % (vm.get("name"), vm.get("status"), verb))
            if new_status is not None:
                _status(store, vm, new_status)
        return for_each_vm(ctx, ctx.body.get("where"), change)
    return handler


handles("shut_down_vm")(_power(("RUNNING",), "STOPPED", "VM_NOT_RUNNING", "shut down"))
handles("poweroff_vm")(_power(ACTIVE, "STOPPED", "VM_NOT_RUNNING", "powered off"))
handles("restart_vm")(_power(("RUNNING",), None, "VM_NOT_RUNNING", "restarted"))
handles("force_restart_vm")(_power(ACTIVE, "RUNNING", "VM_NOT_RUNNING", "restarted"))
handles("suspend_vm")(_power(("RUNNING",), "SUSPENDED", "VM_NOT_RUNNING", "suspended"))
handles("resume_vm")(_power(("SUSPENDED",), "RUNNING", "VM_NOT_SUSPENDED", "resumed"))


@handles("migrate_vm")
def migrate_vm(ctx):
    store = ctx.store
    host_id = ((ctx.body or {}).get("data") or {}).get("host_id")

    def change(vm):
        not_in_recycle_bin(vm)
        if host_id:
            host = check_host(store, host_id, vm.get("cluster"))
        else:
            host = pick_host(store, vm.get("cluster"), exclude=vm.get("host"))
        # a running VM moves live; any other is a cold migration: its host
        # changes, its status does not
        store.update("Vm", vm, {"host": host["id"], "node_ip": host.get("management_ip") or ""})
    return for_each_vm(ctx, ctx.body.get("where"), change)


def must_be_off(vm, verb):
    if vm.get("status") in ACTIVE:
        refuse("VM_IS_RUNNING", "VM %s is %s: power it off before it is %s"
               % (vm.get("name"), vm.get("status"), verb))


