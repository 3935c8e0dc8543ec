# coding: utf-8
"""The inventory a simulator starts with (the same for the same seed).

Two datacenters; two SMTX OS clusters on ELF, an SMTX ZBS cluster and an
SMTX OS cluster on VMware; hosts with CPU, memory and disks of every type
and health state; VDSes with VLANs (a non-internal ``default`` VLAN in each
ELF cluster); ELF images; VMs in every power state with disks, CD-ROMs and
NICs; VM templates and a content library template; folders, placement
groups, labels, snapshots; iSCSI targets, LUNs and LUN snapshots; NFS
exports; alerts of every severity, ended and not; users and roles; a few
finished tasks. Names are fixed; the seed varies the figures.
"""
from cloudtower.simulator.resources import build_snapshot, build_template
from cloudtower.simulator.vm import attach_cd_rom, attach_disk, attach_nic, new_volume

GIB = 1024 ** 3
TIB = 1024 ** 4

_CLUSTERS = (
    # name, type, hypervisor, datacenter index, host count, third octet
    ("cluster-elf-a", "SMTX_OS", "ELF", 0, 3, 11),
    ("cluster-elf-b", "SMTX_OS", "ELF", 0, 3, 12),
    ("cluster-zbs", "SMTX_ZBS", None, 1, 3, 13),
    ("cluster-vmware", "SMTX_OS", "VMWARE", 1, 2, 14),
)
_DISK_LAYOUT = (
    # name, type, size, usage
    ("sda", "SATA_OR_SAS_SSD", 480 * 10 ** 9, "BOOT"),
    ("nvme0n1", "NVMe_SSD", 1600 * 10 ** 9, "CACHE"),
    ("sdb", "SSD", 960 * 10 ** 9, "CACHE"),
    ("sdc", "HDD", 4 * 10 ** 12, "DATA"),
    ("sdd", "HDD", 4 * 10 ** 12, "DATA"),
    ("sde", "HDD", 4 * 10 ** 12, "DATA"),
    ("sdf", "HDD", 4 * 10 ** 12, "DATA"),
)
# (health, usage status) given to a few HDDs so every state exists
_DISK_TROUBLE = (("UNHEALTHY", "MOUNTED"), ("SUBHEALTHY", "MOUNTED"), ("SMART_FAILED", "ISOLATED"),
                 ("SOFTWARE_RAID_FAILURE", "UNMOUNTING"), ("HEALTHY", "UNMOUNTED"),
                 ("HEALTHY", "PARTIAL_MOUNTED"), ("HEALTHY", "MOUNTING"))
# role, status, guest OS, vcpu, memory GiB, disks GiB, VMTools running
_VMS = (
    ("web", "RUNNING", "LINUX", 4, 8, (40, 100), True),
    ("web", "RUNNING", "LINUX", 4, 8, (40,), True),
    ("db", "RUNNING", "LINUX", 8, 32, (80, 500), True),
    ("db", "STOPPED", "LINUX", 8, 16, (80, 200), False),
    ("cache", "SUSPENDED", "LINUX", 2, 8, (40,), False),
    ("batch", "STOPPED", "LINUX", 4, 8, (60,), False),
    ("win", "RUNNING", "WINDOWS", 4, 16, (120,), False),
    ("test", "STOPPED", "LINUX", 2, 4, (20,), False),
    ("legacy", "UNKNOWN", "UNKNOWN", 1, 2, (20,), False),
)
_ALERTS = (
    ("CRITICAL", False, "host", "Host {host} has a failed disk {disk}",
     "主机 {host} 上的磁盘 {disk} 已损坏"),
    ("CRITICAL", True, "cluster", "Cluster {cluster} storage usage was above 90%",
     "集群 {cluster} 存储使用率曾超过 90%"),
    ("NOTICE", False, "vm", "VM {vm} has had high CPU usage for 30 minutes",
     "虚拟机 {vm} 的 CPU 使用率持续 30 分钟过高"),
    ("NOTICE", False, "host", "Host {host} memory usage is above 80%",
     "主机 {host} 内存使用率超过 80%"),
    ("NOTICE", True, "cluster", "Cluster {cluster} NTP offset was too large",
     "集群 {cluster} NTP 时间偏差过大"),
    ("INFO", False, "cluster", "Cluster {cluster} license expires in 30 days",
     "集群 {cluster} 的许可将在 30 天后过期"),
    ("INFO", True, "vm", "VM {vm} VMTools version is outdated", "虚拟机 {vm} 的 VMTools 版本过旧"),
    ("SEVERITY_UNSPECIFIED", False, "cluster", "Cluster {cluster} has an unclassified event",
     "集群 {cluster} 有未分类事件"),
)


class _Seeder(object):
    def __init__(self, store, users):
        self.store = store
        self.rng = store.rng
        self.users = users

    def add(self, table, values):
        return self.store.insert(table, values)

    def run(self):
        store = self.store
        self.organization = self.add("Organization", {"name": "smartx"})
        self.datacenters = [self.add("Datacenter", {"name": name, "organization": self.organization["id"]})
                            for name in ("dc-beijing", "dc-shanghai")]
        self.labels = dict(((key, value), self.add("Label", {"key": key, "value": value,
                                                             "created_at": store.now_iso()}))
                           for key, value in (("env", "production"), ("env", "testing"),
                                              ("team", "database"), ("tier", "web")))
        self.users_and_roles()
        self.clusters = []
        trouble = list(_DISK_TROUBLE)
        for name, kind, hypervisor, dc_index, host_count, octet in _CLUSTERS:
            cluster = self.cluster(name, kind, hypervisor, self.datacenters[dc_index], octet)
            hosts = [self.host(cluster, index, octet, host_count) for index in range(host_count)]
            if hypervisor != "VMWARE":
                for host in hosts:
                    self.disks(host, trouble)
            self.finish_cluster(cluster, hosts)
            self.clusters.append((cluster, hosts))
        self.content_library_image()
        for cluster, hosts in self.clusters:
            if cluster["hypervisor"] == "ELF":
                self.elf_cluster(cluster, hosts)
        self.content_library_template()
        self.storage()
        self.alerts()
        self.history()
        self.settings()

    # -- people --------------------------------------------------------------

    def users_and_roles(self):
        roles = dict((preset, self.add("UserRoleNext", {
            "name": name, "preset": preset, "platform": "MANAGEMENT", "actions": ["*"] if
            preset == "ROOT" else ["VM_READ", "CLUSTER_READ"]}))
            for preset, name in (("ROOT", "root"), ("ADMIN", "admin"), ("READ_ONLY", "read-only")))
        users = list(self.users)
        taken = set(user["username"] for user in users)
        # one account per built-in role besides root's, unless a given one has its name
        users.extend(dict(account) for account in BUILTIN_ACCOUNTS if account["username"] not in taken)
        for user in users:
            role = user.get("role") or "ADMIN"
            self.add("User", {
                "username": user["username"], "name": user.get("name") or user["username"],
                "display_username": user["username"], "source": user.get("source") or "LOCAL",
                "role": role, "roles": [roles.get(role, roles["ADMIN"])["id"]], "internal": False,
                "password_expired": False, "auth_config_id": None, "ldap_dn": user.get("ldap_dn"),
                "_password": user["password"], "email_address": "%s@example.com" % user["username"],
                "mobile_phone": None, "password_recover_qa": None})

    # -- clusters, hosts, disks ------------------------------------------------------

    def cluster(self, name, kind, hypervisor, datacenter, octet):
        return self.add("Cluster", {
            "name": name, "type": kind, "hypervisor": hypervisor, "connect_state": "CONNECTED",
            "architecture": "X86_64", "version": "6.1.0" if kind == "SMTX_OS" else "5.6.0",
            "ip": "10.0.%d.10" % octet, "management_vip": "10.0.%d.10" % octet,
            "iscsi_vip": "10.1.%d.10" % octet, "datacenters": [datacenter["id"]],
            "dns": ["10.0.0.2"], "ntp_servers": ["ntp.example.com"], "ntp_mode": "EXTERNAL",
            "recommended_cpu_models": ["Cascadelake-Server"], "total_cpu_models": ["Cascadelake-Server"],
            "current_cpu_model": "Cascadelake-Server", "stretch": False, "witness": None,
            "vcenter_account": None, "settings": None, "everoute_cluster": None,
            "metro_availability_checklist": None, "has_metrox": False, "is_all_flash": False,
            "entityAsyncStatus": None, "disconnected_date": None, "disconnected_reason": None,
            "license_type": "SUBSCRIPTION", "software_edition": "ENTERPRISE",
            "upgrade_tool_version": None, "application_highest_version": None,
            "labels": [self.labels[("env", "production")]["id"]] if octet == 11 else [],
            "local_id": self.store.new_uuid()})

    def host(self, cluster, index, octet, count):
        rng = self.rng
        cores = 32
        hz_per_core = 2400000000
        total_hz = cores * hz_per_core
        return self.add("Host", {
            "name": "%s-node-%d" % (cluster["name"].replace("cluster-", ""), index + 1),
            "cluster": cluster["id"], "management_ip": "10.0.%d.%d" % (octet, 21 + index),
            "data_ip": "10.2.%d.%d" % (octet, 21 + index), "access_ip": "10.0.%d.%d" % (octet, 21 + index),
            "vmotion_ip": "10.3.%d.%d" % (octet, 21 + index), "hypervisor_ip": None,
            "status": "CONNECTED_WARNING" if (octet, index) == (12, 2) else "CONNECTED_HEALTHY",
            "state": "IN_USE", "model": "SMTX-HCI-2200", "cpu_model": "Intel Xeon Gold 6230",
            "cpu_brand": "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", "cpu_vendor": "GenuineIntel",
            "total_cpu_cores": cores, "total_cpu_sockets": 2, "cpu_hz_per_core": hz_per_core,
            "total_cpu_hz": total_hz, "used_cpu_hz": float(int(total_hz * rng.uniform(0.15, 0.55))),
            "total_memory_bytes": 256 * GIB, "os_memory_bytes": 24 * GIB,
            "scvm_memory": 16 * GIB if cluster["hypervisor"] == "VMWARE" else None,
            "scvm_cpu": None, "scvm_name": None, "nested_virtualization": False,
            "compatible_cpu_models": ["Cascadelake-Server"], "cpu_fan_speed": [7200.0, 7100.0],
            "cpu_fan_speed_unit": "RPM", "cpu_temperature_celsius": [55, 57],
            "ipmi": None, "vsphere_esxi_account": None, "zone": None, "host_state": None,
            "entityAsyncStatus": None, "iommu": "ENABLE", "is_os_in_raid1": True,
            "pmem_dimm_capacity": 0, "pmem_dimm_count": 0, "pmem_disk_count": 0,
            "nic_count": 2, "chunk_id": str(index + 1), "local_id": self.store.new_uuid(),
            "serial": "SN%d%02d" % (octet, index), "lsm_cap_disk_safe_umount": True,
            "labels": [self.labels[("env", "production")]["id"]] if octet == 11 else [],
        })

    def disks(self, host, trouble):
        data_total = 0
        counts = {"HDD": 0, "SSD": 0}
        layout = list(_DISK_LAYOUT)
        if host["name"] == "zbs-node-1":
            layout.append(("pmem0", "PMem", 256 * GIB, "CACHE"))
        for slot, (name, kind, size, usage) in enumerate(layout):
            health, state = "HEALTHY", "MOUNTED"
            if kind == "HDD" and trouble and slot == 3:
                health, state = trouble.pop(0)
            self.add("Disk", {
                "host": host["id"], "name": name, "path": "/dev/" + name, "type": kind, "size": size,
                "usage": usage, "recommended_usage": usage, "function": None,
                "health_status": health, "healthy": health == "HEALTHY", "usage_status": state,
                "mounted": state in ("MOUNTED", "PARTIAL_MOUNTED"), "offline": False,
                "model": {"HDD": "ST4000NM0035", "PMem": "NMA1XBD512G2S"}.get(kind, "SAMSUNG MZ7LH960"),
                "serial": "%s-%s" % (host["serial"], name), "firmware": "GA0B",
                "failure_information": None, "physical_slot_on_brick": slot, "numa_node": 0,
                "partitions": [], "pmem_dimms": [], "persistent_memory_type": None,
                "remaining_life_percent": 100 if kind == "HDD" else 97,
                "entityAsyncStatus": None, "local_id": self.store.new_uuid()})
            if usage == "DATA":
                data_total += size
            if kind == "HDD":
                counts["HDD"] += 1
            elif usage != "BOOT":
                counts["SSD"] += 1
        self.store.update("Host", host, {
            "total_data_capacity": data_total, "hdd_data_capacity": data_total,
            "ssd_data_capacity": 0, "hdd_disk_count": counts["HDD"], "ssd_disk_count": counts["SSD"],
            "used_data_space": int(data_total * self.rng.uniform(0.25, 0.45)),
            "failure_data_space": 0, "total_cache_capacity": 2560 * 10 ** 9,
            "with_faster_ssd_as_cache": True})

    def finish_cluster(self, cluster, hosts):
        rng = self.rng
        total_data = sum(h.get("total_data_capacity") or 0 for h in hosts)
        if not total_data:  # VMware: storage comes from the SCVMs' disks
            total_data = len(hosts) * 16 * 10 ** 12
        used = int(total_data * rng.uniform(0.3, 0.5))
        failure = int(total_data * 0.01) if cluster["name"] == "cluster-elf-b" else 0
        self.store.update("Cluster", cluster, {
            "total_cpu_cores": sum(h["total_cpu_cores"] for h in hosts),
            "total_cpu_sockets": sum(h["total_cpu_sockets"] for h in hosts),
            "total_cpu_hz": sum(h["total_cpu_hz"] for h in hosts),
            "used_cpu_hz": float(sum(h["used_cpu_hz"] for h in hosts)),
            "total_memory_bytes": sum(h["total_memory_bytes"] for h in hosts),
            "total_data_capacity": total_data, "used_data_space": used,
            "failure_data_space": failure, "valid_data_space": total_data - failure,
            "total_cache_capacity": len(hosts) * 2560 * 10 ** 9,
            "max_physical_data_capacity": total_data * 2,
            "max_physical_data_capacity_per_node": total_data * 2 // max(len(hosts), 1),
            "provisioned_ratio": round(rng.uniform(0.4, 0.9), 2)})

    # -- ELF clusters: networks, images, VMs, templates --------------------------------

    def elf_cluster(self, cluster, hosts):
        short = cluster["name"].replace("cluster-", "")
        vlans, images, folders = self.elf_fabric(cluster, hosts, short)
        vms = self.vms(cluster, hosts, vlans, images, folders, short)
        self.elf_extras(cluster, vms, short, vms[:2])

    def elf_fabric(self, cluster, hosts, short):
        """An ELF cluster's VDSes, host NICs, VLANs, images, folders and shared volumes:
        ({VLAN name: row}, [image rows], [folder rows])."""
        store = self.store
        mgmt = self.add("Vds", {"name": "vds-mgmt-" + short, "cluster": cluster["id"], "internal": True,
                                "type": "MANAGEMENT", "bond_mode": "active-backup",
                                "ovsbr_name": "ovsbr-mgmt", "work_mode": "active-backup",
                                "everoute_cluster": None, "local_id": store.new_uuid()})
        vm_vds = self.add("Vds", {"name": "vds-vm-" + short, "cluster": cluster["id"], "internal": False,
                                  "type": "VM", "bond_mode": "balance-tcp", "ovsbr_name": "ovsbr-vm",
                                  "work_mode": "balance-tcp", "everoute_cluster": None,
                                  "local_id": store.new_uuid()})
        for host in hosts:
            for index, vds in enumerate((mgmt, vm_vds)):
                self.add("Nic", {"host": host["id"], "vds": vds["id"], "name": "eth%d" % index,
                                 "physical": True, "running": True, "up": True, "mtu": 1500,
                                 "speed": 10000, "mac_address": "0c:c4:7a:%02x:%02x:%02x" % (
                                     self.rng.randint(0, 255), self.rng.randint(0, 255), index),
                                 "type": vds["type"], "is_sriov": False, "rdma_enabled": False,
                                 "entityAsyncStatus": None, "local_id": store.new_uuid()})
        vlans = {}
        for vds, name, vlan_id, kind in ((mgmt, "mgmt-network", 0, "MANAGEMENT"),
                                         (mgmt, "storage-network", 10, "STORAGE"),
                                         (mgmt, "migration-network", 20, "MIGRATION"),
                                         (vm_vds, "default", 0, "VM"), (vm_vds, "vlan-100", 100, "VM"),
                                         (vm_vds, "vlan-200", 200, "VM")):
            vlans[name] = self.add("Vlan", {
                "name": name, "vds": vds["id"], "vlan_id": vlan_id, "type": kind,
                "mode_type": "VLAN_ACCESS", "network_ids": [], "local_id": store.new_uuid(),
                "gateway_ip": None, "gateway_subnetmask": None, "subnetmask": None,
                "qos_burst": None, "qos_max_bandwidth": None, "qos_min_bandwidth": None,
                "qos_priority": None, "entityAsyncStatus": None})
        images = [self.add("ElfImage", {
            "name": name, "cluster": cluster["id"], "size": size, "description": "",
            "local_id": store.new_uuid(), "path": "/usr/share/smartx/images/%s" % name,
            "local_created_at": store.now_iso(), "entityAsyncStatus": None,
            "content_library_image": self.library_image["id"] if name.startswith("ubuntu") else None})
            for name, size in (("ubuntu-22.04-server.iso", 1474873344),
                               ("centos-7.9-minimal.iso", 1020264448),
                               ("windows-server-2019.iso", 5296713728))]
        folders = [self.add("VmFolder", {"name": name, "cluster": cluster["id"],
                                         "local_id": store.new_uuid()})
                   for name in ("production", "testing")]
        for index in range(2):
            volume = new_volume(store, cluster["id"], "%s-shared-data-%02d" % (short, index + 1),
                                (50 + 50 * index) * GIB, sharing=index == 1)
            store.update("VmVolume", volume, {"local_created_at": store.now_iso()})
        return vlans, images, folders

    def elf_extras(self, cluster, vms, short, snapshotted):
        """An ELF cluster's placement group, its two templates (made from its first VM)
        and a snapshot of each VM of ``snapshotted``."""
        store = self.store
        self.add("VmPlacementGroup", {
            "name": "%s-db-anti-affinity" % short, "cluster": cluster["id"], "enabled": True,
            "description": "keep database VMs apart", "vm_vm_policy": "MUST_DIFFERENT",
            "vm_vm_policy_enabled": True, "vm_host_must_enabled": False, "vm_host_must_policy": False,
            "vm_host_prefer_enabled": False, "vm_host_prefer_policy": False,
            "vm_host_must_host_uuids": [], "vm_host_prefer_host_uuids": [],
            "vms": [vm["id"] for vm in vms if "-db-" in vm["name"]],
            "local_id": store.new_uuid(), "local_created_at": store.now_iso(),
            "local_updated_at": store.now_iso(), "entityAsyncStatus": None})
        template_source = vms[0]
        for name in ("tpl-ubuntu-22.04", "tpl-centos-7.9"):
            template = build_template(store, template_source, {
                "name": "%s-%s" % (name, short), "cloud_init_supported": name.startswith("tpl-ubuntu"),
                "description": "seeded template"})
            self.templates.setdefault(name, []).append(template)
        for vm in snapshotted:
            build_snapshot(store, vm, "%s-daily" % vm["name"], "CRASH_CONSISTENT")

    templates = {}

    def vms(self, cluster, hosts, vlans, images, folders, short):
        created = []
        counter = {}
        for index, profile in enumerate(_VMS):
            role = profile[0]
            counter[role] = counter.get(role, 0) + 1
            name = "%s-%s-%02d" % (short, role, counter[role])
            network = "10.10.%d" % len(self.clusters)
            created.append(self.vm(cluster, hosts, vlans, images, folders, name, index, profile,
                                   "%s.%d" % (network, 100 + index), network + ".1"))
        store = self.store
        recycled = self.add("Vm", dict(_copy_fields(created[-2]), **{
            "name": "%s-old-01" % short, "status": "STOPPED", "host": None, "in_recycle_bin": True,
            "deleted_at": store.now_iso(), "folder": None, "labels": [], "local_id": store.new_uuid(),
            "vm_placement_group": []}))
        volume = new_volume(store, cluster["id"], "%s-old-01-disk-0" % short, 20 * GIB)
        attach_disk(store, recycled, volume, "VIRTIO", 0)
        attach_nic(store, recycled, vlans["default"]["id"])
        created.append(recycled)
        if short == "elf-a":
            gone = self.add("Vm", dict(_copy_fields(created[-2]), **{
                "name": "%s-gone-01" % short, "status": "DELETED", "host": None, "folder": None,
                "labels": [], "local_id": store.new_uuid(), "vm_placement_group": []}))
            created.append(gone)
        return created

    def vm(self, cluster, hosts, vlans, images, folders, name, index, profile, address, gateway,
           netmask="255.255.255.0"):
        """One VM of a profile of ``_VMS`` with its disks, CD-ROM and NICs at ``address``;
        ``index`` picks its host and image."""
        store = self.store
        rng = self.rng
        role, status, os_type, vcpu, memory, disk_sizes, tools = profile
        host = hosts[index % len(hosts)] if status in ("RUNNING", "SUSPENDED") \
            or index % 2 else None
        cores = 2 if vcpu >= 2 else 1
        vm = self.add("Vm", {
            "name": name, "cluster": cluster["id"], "host": host["id"] if host else None,
            "status": status, "vcpu": vcpu, "cpu": {"cores": cores, "sockets": vcpu // cores},
            "memory": memory * GIB, "guest_os_type": os_type, "firmware": "UEFI" if os_type ==
            "WINDOWS" else "BIOS", "ha": role in ("web", "db"), "description": "%s server" % role,
            "os": {"LINUX": "Ubuntu 22.04 LTS", "WINDOWS": "Windows Server 2019"}.get(os_type),
            "vm_tools_status": "RUNNING" if tools else (
                "NOT_RUNNING" if status == "STOPPED" and role == "db" else "NOT_INSTALLED"),
            "vm_tools_version": "3.2.0" if tools else None,
            "ips": address if status == "RUNNING" else "",
            "node_ip": host["management_ip"] if host else "",
            "folder": folders[0 if role in ("web", "db") else 1]["id"] if role != "legacy" else None,
            "labels": [self.labels[("team", "database")]["id"]] if role == "db" else (
                [self.labels[("tier", "web")]["id"]] if role == "web" else []),
            "in_recycle_bin": False, "deleted_at": None, "internal": False, "vm_usage": None,
            "protected": False, "nested_virtualization": False, "original_name": None,
            "cpu_usage": round(rng.uniform(3, 60), 1) if status == "RUNNING" else 0.0,
            "memory_usage": round(rng.uniform(20, 80), 1) if status == "RUNNING" else 0.0,
            "io_policy": "RESTRICT_EACH_DISK", "max_bandwidth": None, "max_bandwidth_policy": None,
            "max_iops": None, "max_iops_policy": None, "clock_offset": "UTC", "win_opt":
            os_type == "WINDOWS", "video_type": "CIRRUS", "local_id": store.new_uuid(),
            "local_created_at": store.now_iso(), "last_shutdown_time": None,
            "isolation_policy": None, "snapshot_plan": None, "entityAsyncStatus": None,
            "pci_nics": [], "gpu_devices": [], "usb_devices": [], "backup_plans": [],
            "entity_filter_results": [], "vm_placement_group": [], "out_uninstall_usb": [],
        })
        for disk_index, size in enumerate(disk_sizes):
            volume = new_volume(store, cluster["id"], "%s-disk-%d" % (name, disk_index), size * GIB)
            attach_disk(store, vm, volume, "VIRTIO", disk_index)
        image = images[index % len(images)] if index % 3 else None
        attach_cd_rom(store, vm, image["id"] if image else None, len(disk_sizes))
        attach_nic(store, vm, vlans["default"]["id"], ip=address, gateway=gateway, netmask=netmask)
        if role in ("db", "web"):
            attach_nic(store, vm, vlans["vlan-100"]["id"], model="E1000" if role == "web" else None)
        return vm

    def content_library_image(self):
        store = self.store
        self.library_image = self.add("ContentLibraryImage", {
            "name": "ubuntu-22.04-server.iso", "description": "shared installer", "size": 1474873344,
            "path": "/content-library/ubuntu-22.04-server.iso", "created_at": store.now_iso(),
            "clusters": [], "elf_image_uuids": [], "entityAsyncStatus": None})

    def content_library_template(self):
        store = self.store
        templates = self.templates.get("tpl-ubuntu-22.04", [])
        clusters = [t["cluster"] for t in templates]
        self.add("ContentLibraryVmTemplate", {
            "name": "cl-tpl-ubuntu-22.04", "description": "Ubuntu 22.04 for every cluster",
            "architecture": "X86_64", "clusters": clusters, "vm_templates": [t["id"] for t in templates],
            "vm_template_uuids": [t["local_id"] for t in templates], "created_at": store.now_iso(),
            "vcpu": templates[0]["vcpu"] if templates else 2, "memory": templates[0]["memory"]
            if templates else 4 * GIB, "cpu": templates[0]["cpu"] if templates else None,
            "size": templates[0]["size"] if templates else 40 * GIB, "cloud_init_supported": True,
            "os": "Ubuntu 22.04 LTS", "entityAsyncStatus": None, "firmware": "BIOS", "ha": True})
        library = self.library_image
        images = [i for i in store.rows["ElfImage"].values() if i.get("content_library_image") == library["id"]]
        store.update("ContentLibraryImage", library, {
            "clusters": [i["cluster"] for i in images], "elf_image_uuids": [i["local_id"] for i in images]})

    # -- storage -----------------------------------------------------------------

    def storage(self):
        store = self.store
        zbs = next(c for c, _ in self.clusters if c["type"] == "SMTX_ZBS")
        for index, name in enumerate(("iscsi-target-db", "iscsi-target-backup")):
            target = self.add("IscsiTarget", {
                "name": name, "cluster": zbs["id"], "internal": False, "external_use": True,
                "description": "", "thin_provision": True, "replica_num": 2, "stripe_num": 4,
                "stripe_size": 262144, "chap_enabled": False, "ip_whitelist": "10.0.0.0/8",
                "iqn_whitelist": "*/*", "iqn_name": "iqn.2016-02.com.smartx:system:%s" % name,
                "initiator_chaps": [], "entityAsyncStatus": None, "local_id": store.new_uuid()})
            for lun_index in range(2):
                lun = self.add("IscsiLun", {
                    "name": "%s-lun-%d" % (name, lun_index + 1), "iscsi_target": target["id"],
                    "lun_id": lun_index + 1, "assigned_size": (200 + 100 * lun_index) * GIB,
                    "replica_num": 2, "thin_provision": True, "stripe_num": 4, "stripe_size": 262144,
                    "allowed_initiators": "*", "zbs_volume_id": store.new_uuid(),
                    "local_id": store.new_uuid(), "local_created_at": store.now_iso(),
                    "consistency_group": None, "entityAsyncStatus": None, "snapshot_num": 0})
                if index == 0 and lun_index == 0:
                    for day in (1, 2):
                        self.add("IscsiLunSnapshot", {
                            "name": "%s-snap-%d" % (lun["name"], day), "iscsi_lun": lun["id"],
                            "iscsi_target": target["id"], "local_id": store.new_uuid(),
                            "local_created_at": store.now_iso(), "unique_size": 4 * GIB,
                            "consistency_group_snapshot": None, "entityAsyncStatus": None})
        for name in ("nfs-share-01", "nfs-share-02"):
            self.add("NfsExport", {
                "name": name, "cluster": zbs["id"], "description": "", "internal": False,
                "ip_whitelist": "10.0.0.0/8", "replica_num": 2, "thin_provision": True,
                "export_inode_id": store.new_uuid(), "entityAsyncStatus": None,
                "local_id": store.new_uuid()})

    # -- events --------------------------------------------------------------------

    def alerts(self):
        store = self.store
        elf_a, hosts_a = self.clusters[0]
        vms = [v for v in store.rows["Vm"].values() if v.get("cluster") == elf_a["id"]]
        hdds = [d for d in store.rows["Disk"].values()
                if d.get("host") == hosts_a[0]["id"] and d.get("type") == "HDD"]
        for index, alert in enumerate(_ALERTS):
            cluster, hosts = self.clusters[index % 2]
            self.alert(index, alert, cluster, hosts[index % len(hosts)], vms[index],
                       hdds[0] if hdds else None)

    def alert(self, index, alert, cluster, host, vm, disk):
        """An alert row: ``alert`` is (severity, ended, subject, English and
        Chinese message templates); the subject is the cluster, host or vm."""
        store = self.store
        severity, ended, subject, english, chinese = alert
        words = {"cluster": cluster["name"], "host": host["name"], "vm": vm["name"],
                 "disk": disk["name"] if disk else "sdc"}
        start = store.now_iso()
        self.add("Alert", {
            "severity": severity, "ended": ended, "cluster": cluster["id"],
            "host": host["id"] if subject in ("host", "vm") else None,
            "disk": disk["id"] if subject == "host" and disk else None,
            "vms": [vm["id"]] if subject == "vm" else [], "alert_rule": None,
            "message": english.format(**words), "cause": "a monitored value crossed its threshold",
            "impact": "service may degrade", "solution": "check the %s" % subject,
            "threshold": 80.0, "value": round(80 + index * 2.5, 1), "labels": {},
            "local_id": store.new_uuid(), "create_time": start, "local_create_time": start,
            "local_start_time": start, "local_update_time": start,
            "local_end_time": store.now_iso() if ended else "",
            "_i18n": {"zh-CN": {"message": chinese.format(**words), "cause": "监控值超过阈值",
                                "impact": "服务可能受影响", "solution": "请检查相关资源"}}})

    def history(self):
        store = self.store
        root = next(u for u in store.rows["User"].values() if u.get("role") == "ROOT")
        vms = list(store.rows["Vm"].values())
        for index, (description, status) in enumerate((
                ("Create VM", "SUCCESSED"), ("Start VM", "SUCCESSED"), ("Update VM", "SUCCESSED"),
                ("Start VM", "FAILED"), ("Create VM snapshot", "SUCCESSED"))):
            vm = vms[index]
            when = store.now_iso()
            self.add("Task", {
                "description": "%s %s" % (description, vm["name"]), "status": status,
                "progress": 1.0, "local_created_at": when, "started_at": when, "finished_at": when,
                "error_code": "VM_ALREADY_RUNNING" if status == "FAILED" else None,
                "error_message": "VM %s is already running" % vm["name"] if status == "FAILED" else None,
                "resource_id": vm["id"], "resource_type": "Vm", "resource_mutation": None,
                "resource_rollbacked": None, "resource_rollback_error": None,
                "resource_rollback_retry_count": None, "args": {}, "snapshot": "{}", "steps": [],
                "internal": False, "type": None, "key": None, "cluster": vm["cluster"],
                "user": root["id"]})

    def settings(self):
        # the VM recycle bin is on (the seed has VMs in it), keeping VMs 7 days
        self.add("GlobalSettings", {
            "vm_recycle_bin": {"enabled": True, "retain": 7},
            "auth": {"access_list": [], "access_mode": "NONE", "enable_single_session_login": False,
                     "login_miss_num_threshold": 5, "login_miss_time_threshold": 10,
                     "password_complexity": "MIDDLE", "password_expire_days": 0,
                     "session_max_age": 2592000}})


# the accounts seeded for the built-in roles other than ROOT (see docs/simulator.md)
BUILTIN_ACCOUNTS = (
    {"username": "admin", "password": "HC!r0cks-admin", "source": "LOCAL", "role": "ADMIN"},
    {"username": "readonly", "password": "HC!r0cks-readonly", "source": "LOCAL", "role": "READ_ONLY"},
)


def _copy_fields(vm):
    skip = ("id", "vm_disks", "vm_nics", "snapshots", "host", "labels")
    return dict((k, v) for k, v in vm.items() if k not in skip)


def seed_inventory(store):
    users = getattr(store, "users", None) or [
        {"username": "root", "password": "root", "source": "LOCAL", "role": "ROOT"}]
    seeder = _Seeder(store, users)
    seeder.templates = {}
    seeder.run()
    size = getattr(store, "size", None)
    if size is not None:
        from cloudtower.simulator import scale
        with store.bulk():
            scale.grow(seeder, size)
