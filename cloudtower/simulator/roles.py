# coding: utf-8
"""Who may change what: CloudTower's built-in roles and custom roles by their actions.

Reading is open to every logged-in user. A change (an operation that is not
read-only) is allowed:

- for ``ROOT`` and ``ADMIN`` users: always;
- for ``READ_ONLY`` (and ``AUDITOR``) users: never;
- for any other role: when one of the user's roles (``UserRoleNext`` rows,
  built-in or made with ``create_role``) lists ``*`` or the action the
  operation needs (:func:`action_for`; e.g. ``CREATE_VM``, ``MANAGE_LABEL``).

A refused change is answered 403, with CloudTower's error body, and changes
nothing.
"""
import re

from cloudtower.simulator.errors import ApiError

ALL_CHANGES = frozenset(["ROOT", "ADMIN"])
NO_CHANGES = frozenset(["READ_ONLY", "AUDITOR"])

_POWER = re.compile(r"^(start|stop|restart|shut_down|shutdown|force_restart|force_shut_down|"
                    r"poweroff|suspend|resume|reboot)_vm")
_EXACT = {
    "create_vm": "CREATE_VM", "create_vm_from_template": "CREATE_VM",
    "create_vm_from_content_library_template": "CREATE_VM", "import_vm": "VM_IMPORT_EXPORT",
    "export_vm": "VM_IMPORT_EXPORT", "delete_vm": "DELETE_VM", "clone_vm": "VM_OPERATION_CLONE",
    "migrate_vm": "VM_OPERATION_MIGRATE", "migrate_vm_across_cluster": "VM_OPERATION_MIGRATE",
    "install_vmtools": "VM_OPERATION_INSTALL_TOOLS", "move_vm_to_recycle_bin": "DELETE_VM",
    "create_vm_snapshot": "MANAGE_VM_SNAPSHOT", "delete_vm_snapshot": "MANAGE_VM_SNAPSHOT",
    "rollback_vm": "MANAGE_VM_SNAPSHOT", "create_elf_image": "MANAGE_ISO",
    "upload_svt_image": "MANAGE_ISO", "create_content_library_image": "MANAGE_ISO",
    "add_labels_to_resources": "MANAGE_LABEL", "remove_labels_from_resources": "MANAGE_LABEL",
    "create_role": "MANAGE_USER_AND_ROLE", "update_role": "MANAGE_USER_AND_ROLE",
    "delete_role": "MANAGE_USER_AND_ROLE",
}
# the resource (operation tag) -> the action that manages it
_BY_TAG = {
    "Label": "MANAGE_LABEL", "VmFolder": "VM_FOLDER_OPERATION", "User": "MANAGE_USER_AND_ROLE",
    "UserRoleNext": "MANAGE_USER_AND_ROLE", "Datacenter": "MANAGE_DATA_CENTER",
    "Host": "MANAGE_HOST", "Disk": "MANAGE_DISK", "Vds": "MANAGE_VDS", "Vlan": "MANAGE_VLAN",
    "ElfImage": "MANAGE_ISO", "ContentLibraryImage": "MANAGE_ISO", "SvtImage": "MANAGE_ISO",
    "VmTemplate": "MANAGE_VM_TEMPLATE", "ContentLibraryVmTemplate": "MANAGE_VM_TEMPLATE",
    "VmSnapshot": "MANAGE_VM_SNAPSHOT", "VmVolume": "MANAGE_VM_VOLUME",
    "VmPlacementGroup": "MANAGE_VM_PLACEMENT_GROUP", "SnapshotPlan": "MANAGE_SNAPSHOT_PLAN",
    "Alert": "MANAGE_ALERT", "AlertRule": "MANAGE_ALERT", "AlertNotifier": "MANAGE_ALERT_NOTIFIER",
    "EntityFilter": "MANAGE_ENTITY_FILTER", "View": "MANAGE_MONITOR_VIEW",
    "ReportTemplate": "MANAGE_REPORT", "ReportTask": "MANAGE_REPORT",
    "IscsiTarget": "MANAGE_ISCSI_DATA_STORE", "IscsiLun": "MANAGE_ISCSI_DATA_STORE",
    "IscsiLunSnapshot": "MANAGE_ISCSI_DATA_STORE", "NfsExport": "MANAGE_NFS_DATA_STORE",
    "NvmfSubsystem": "MANAGE_NVMF_DATA_STORE", "NvmfNamespace": "MANAGE_NVMF_DATA_STORE",
    "ConsistencyGroup": "MANAGE_CONSISTENCY_GROUP", "SecurityPolicy": "MANAGE_SECURITY_POLICY",
    "SecurityGroup": "MANAGE_SECURITY_GROUP", "Cluster": "MANAGE_CLUSTER_BASIC_INFO",
    "VcenterAccount": "MANAGE_VCENTER_ASSOCIATION", "Ipmi": "MANAGE_IPMI",
    "UploadTask": "MANAGE_ISO", "Nic": "MANAGE_NIC", "UsbDevice": "MANAGE_USB_DEVICE",
    "GpuDevice": "MANAGE_GPU_DEVICE", "SnmpTransport": "MANAGE_CLUSTER_SNMP_TRANSPORT",
    "SnmpTrapReceiver": "MANAGE_SNMP_TRAP", "Organization": "MANAGE_ORGANIZATION_NAME",
    "License": "MANAGE_CLOUD_TOWER_LICENSE", "GlobalSettings": "MANAGE_VM_RECYCLE_BIN_SETTING",
}


def action_for(op):
    """The action a custom role needs to run the change ``op`` (None: only ``*``)."""
    name = op.name
    if name in _EXACT:
        return _EXACT[name]
    if op.tag == "Vm":
        if _POWER.match(name):
            return "VM_OPERATION_VM_POWER"
        if name.startswith("delete_"):
            return "DELETE_VM"
        return "UPDATE_VM"
    return _BY_TAG.get(op.tag)


def check(store, op, user):
    """Raise the 403 CloudTower answers when ``user`` may not run the change ``op``."""
    if op.safe or user is None:
        return
    preset = user.get("role")
    if preset in ALL_CHANGES:
        return
    needed = action_for(op)
    if preset not in NO_CHANGES:
        for role_id in user.get("roles") or ():
            role = store.get("UserRoleNext", role_id)
            if role is None:
                continue
            if role.get("preset") in ALL_CHANGES:
                return
            actions = role.get("actions") or ()
            if "*" in actions or (needed is not None and needed in actions):
                return
    raise ApiError(403, "Forbidden: user %s (role %s) is not allowed to run %s%s" % (
        user.get("username"), preset or "custom", op.operation_id,
        " (it needs the %s action)" % needed if needed else ""), code="PERMISSION_DENIED")
