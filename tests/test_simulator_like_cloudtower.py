# coding: utf-8
"""Where the simulator behaves as a real CloudTower does, and where it used to
be stricter or different: logical operators given one object, cold
migration, device ids that stay valid, global settings and the recycle bin,
the status of new VMs, LUN snapshots, and the refusals a real CloudTower
does not make. Everything goes through the SDK over HTTP."""
import pytest

from cloudtower import (
    ClusterApi,
    GlobalSettingsApi,
    HostApi,
    IscsiLunApi,
    IscsiLunSnapshotApi,
    VlanApi,
    VmApi,
    VmSnapshotApi,
    VmTemplateApi,
)
from cloudtower.api.vm_disk_api import VmDiskApi
from cloudtower.api.vm_nic_api import VmNicApi
from cloudtower.models import VmNicWhereInput, VmWhereInput
from tests.conftest import GIB, a_vm, one, vm_by_id
from tests.strict import problems


def _done(finish, answers):
    """The tasks of ``answers`` once ended (each must have succeeded)."""
    tasks = finish([a.task_id for a in answers])
    assert [(t.status, t.error_code) for t in tasks] == [("SUCCESSED", None)] * len(tasks)
    return tasks


def _cluster(api_client, name="cluster-elf-a"):
    return one(ClusterApi(api_client).get_clusters({"where": {"name": name}}))


# -- AND / OR / NOT -------------------------------------------------------------------

def test_logical_operators_take_one_object_as_well_as_a_list(api_client):
    nic_api = VmNicApi(api_client)
    everything = nic_api.get_vm_nics({})
    e1000 = set(n.id for n in everything if n.model == "E1000")
    assert e1000 and len(e1000) < len(everything)
    for key in ("NOT", "AND", "OR"):
        one = nic_api.get_vm_nics({"where": {key: {"model": "E1000"}}})
        listed = nic_api.get_vm_nics({"where": {key: [{"model": "E1000"}]}})
        assert sorted(n.id for n in one) == sorted(n.id for n in listed), key
    assert set(n.id for n in nic_api.get_vm_nics({"where": {"NOT": {"model": "E1000"}}})) \
        == set(n.id for n in everything) - e1000
    # the models, as a script writes them (None is not sent: NOT {} matches nothing)
    assert nic_api.get_vm_nics({"where": VmNicWhereInput(_not=VmNicWhereInput(vm=None))}) == []
    kept = nic_api.get_vm_nics({"where": VmNicWhereInput(_not=VmNicWhereInput(model="E1000"))})
    assert set(n.id for n in kept) == set(n.id for n in everything) - e1000
    vms = VmApi(api_client).get_vms({"where": VmWhereInput(
        _and=VmWhereInput(status="RUNNING"), _or=VmWhereInput(name_starts_with="elf-a"))})
    assert vms and all(vm.status == "RUNNING" and vm.name.startswith("elf-a") for vm in vms)


# -- migration ------------------------------------------------------------------------

def test_a_stopped_vm_migrates_cold(api_client, finish):
    vm_api = VmApi(api_client)
    vm = [vm for vm in vm_api.get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False,
                                                 "cluster": {"name": "cluster-elf-a"}}})
          if vm.host is not None][0]
    hosts = HostApi(api_client).get_hosts({"where": {"cluster": {"id": vm.cluster.id}}})
    target = [h for h in hosts if h.id != vm.host.id][0]
    _done(finish, vm_api.migrate_vm({"where": {"id": vm.id}, "data": {"host_id": target.id}}))
    after = vm_by_id(api_client, vm.id)
    assert (after.status, after.host.id) == ("STOPPED", target.id)
    assert after.last_shutdown_time == vm.last_shutdown_time
    assert vm.id in [v.id for v in HostApi(api_client).get_hosts({"where": {"id": target.id}})[0].vms]
    # without a host: another one of the cluster
    _done(finish, vm_api.migrate_vm({"where": {"id": vm.id}}))
    after = vm_by_id(api_client, vm.id)
    assert after.status == "STOPPED" and after.host.id != target.id
    assert after.host.id in [h.id for h in hosts]


# -- device ids -----------------------------------------------------------------------

def test_device_ids_from_answers_stay_valid_once_the_task_has_ended(api_client, finish):
    vm_api = VmApi(api_client)
    vm = a_vm(api_client, name="elf-a-batch-01")
    added = vm_api.add_vm_disk({"where": {"id": vm.id}, "data": {"vm_disks": {
        "mount_new_create_disks": [{"vm_volume": {"elf_storage_policy": "REPLICA_2_THIN_PROVISION",
                                                  "size": 5 * GIB, "name": "ids-disk"},
                                    "boot": 3, "bus": "VIRTIO"}]}}})
    _done(finish, added)
    # the id of a disk read from the answer works in the next call
    first = added[0].data.vm_disks[0].id
    updated = vm_api.update_vm_disk({"where": {"id": vm.id}, "data": {"vm_disk_id": first,
                                                                     "bus": "SCSI"}})
    _done(finish, updated)
    assert one(VmDiskApi(api_client).get_vm_disks({"where": {"id": first}})).bus == "SCSI"
    after = vm_by_id(api_client, vm.id)
    assert [d.id for d in after.vm_disks][:len(vm.vm_disks)] == [d.id for d in vm.vm_disks]
    new = [d.id for d in after.vm_disks if d.id not in set(x.id for x in vm.vm_disks)]
    assert len(new) == 1
    # the new disk: updated, then removed, with the ids the answers show
    updated = vm_api.update_vm_disk({"where": {"id": vm.id}, "data": {"vm_disk_id": new[0],
                                                                     "bus": "SCSI"}})
    _done(finish, updated)
    assert new[0] in [d.id for d in updated[0].data.vm_disks]
    _done(finish, vm_api.remove_vm_disk({"where": {"id": vm.id}, "data": {"disk_ids": new}}))
    assert [d.id for d in vm_by_id(api_client, vm.id).vm_disks] == [d.id for d in vm.vm_disks]
    # NICs and CD-ROMs keep theirs when others come and go
    vlan = one(VlanApi(api_client).get_vlans({"where": {"name": "vlan-200",
                                                         "vds": {"cluster": {"id": vm.cluster.id}}}}))
    answers = vm_api.add_vm_nic({"where": {"id": vm.id}, "data": {"vm_nics": [
        {"connect_vlan_id": vlan.id}]}})
    _done(finish, answers)
    nics = vm_by_id(api_client, vm.id).vm_nics
    assert [n.id for n in nics][:len(vm.vm_nics)] == [n.id for n in vm.vm_nics]
    _done(finish, vm_api.update_vm_nic({"where": {"id": vm.id}, "data": {"nic_index": 0,
                                                                         "enabled": False}}))
    _done(finish, vm_api.remove_vm_nic({"where": {"id": vm.id}, "data": {"nic_index": [0]}}))
    left = VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm.id}}})
    assert [n.id for n in left] == [n.id for n in nics[1:]]
    assert [n.order for n in left] == list(range(len(left)))
    _done(finish, vm_api.add_vm_cd_rom({"where": {"id": vm.id}, "data": {"vm_cd_roms": [
        {"boot": 4, "index": 1}]}}))
    assert [d.id for d in vm_by_id(api_client, vm.id).vm_disks][:len(vm.vm_disks)] == \
        [d.id for d in vm.vm_disks]


# -- global settings and the recycle bin ------------------------------------------------------

def test_global_settings_hold_the_recycle_bin_and_moving_to_it_follows_them(api_client, finish):
    settings_api = GlobalSettingsApi(api_client)
    vm_api = VmApi(api_client)
    settings = one(settings_api.get_global_settingses({}))
    assert settings.id and settings.vm_recycle_bin.enabled is True
    assert settings.vm_recycle_bin.retain == 7 and settings.auth.access_mode in ("ALLOW", "DENY", "NONE")
    assert settings_api.get_global_settingses_connection({}).aggregate.count == 1
    binned = vm_api.get_vms({"where": {"in_recycle_bin": True}})
    assert binned
    stopped = vm_api.get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False,
                                        "cluster": {"name": "cluster-elf-a"}}, "first": 2})
    # on: a stopped VM goes to the bin and comes back
    _done(finish, vm_api.move_vm_to_recycle_bin({"where": {"id": stopped[0].id}}))
    assert vm_by_id(api_client, stopped[0].id).in_recycle_bin
    _done(finish, vm_api.recover_vm_from_recycle_bin({"where": {"id": stopped[0].id}}))
    assert not vm_by_id(api_client, stopped[0].id).in_recycle_bin
    # off: the answer is the settings row; the change lands with the task
    answer = settings_api.update_global_recycle_bin_setting({"enabled": False, "retain": 7})
    assert answer.data.id == settings.id and answer.task_id
    _done(finish, [answer])
    assert one(settings_api.get_global_settingses({})).vm_recycle_bin.enabled is False
    # the VMs the bin held are deleted for good: nothing left to recover
    assert vm_api.get_vms({"where": {"id_in": [vm.id for vm in binned]}}) == []
    refused = vm_api.move_vm_to_recycle_bin({"where": {"id": stopped[1].id}})
    task = one(finish([refused[0].task_id]))
    assert (task.status, task.error_code) == ("FAILED", "VM_RECYCLE_BIN_DISABLED")
    assert not vm_by_id(api_client, stopped[1].id).in_recycle_bin
    # on again, with a cluster that keeps its own bin off
    _done(finish, [settings_api.update_global_recycle_bin_setting({"enabled": True, "retain": 30})])
    assert one(settings_api.get_global_settingses({})).vm_recycle_bin.retain == 30
    elf_b = _cluster(api_client, "cluster-elf-b")
    own = settings_api.create_cluster_recycle_bin_setting({"where": {"id": elf_b.id},
                                                           "data": {"enabled": False, "retain": 1}})
    _done(finish, own)
    assert own[0].data.cluster.id == elf_b.id
    assert _cluster(api_client, "cluster-elf-b").settings.id == own[0].data.id
    in_b = a_vm(api_client, status="STOPPED", cluster={"id": elf_b.id})
    answers = vm_api.move_vm_to_recycle_bin({"where": {"id_in": [stopped[1].id, in_b.id]}})
    codes = dict((a.data.id, t.error_code) for a, t in zip(answers, finish([a.task_id for a in answers])))
    assert codes == {stopped[1].id: None, in_b.id: "VM_RECYCLE_BIN_DISABLED"}
    # without its own setting the cluster follows the global one again
    _done(finish, settings_api.delete_cluster_recycle_bin_setting({"where": {"id": elf_b.id}}))
    _done(finish, vm_api.move_vm_to_recycle_bin({"where": {"id": in_b.id}}))
    assert vm_by_id(api_client, in_b.id).in_recycle_bin


def test_global_settings_hold_the_login_and_session_rules(api_client, finish):
    settings_api = GlobalSettingsApi(api_client)
    before = one(settings_api.get_global_settingses({}))
    answers = [settings_api.update_session_timeout({"session_max_age": 3600}),
               settings_api.update_access_restriction({"access_list": ["10.0.0.0/8"],
                                                       "access_mode": "ALLOW"}),
               settings_api.update_password_security({"password_complexity": "HIGH",
                                                      "password_expire_days": 90})]
    assert all(answer.data.id == before.id for answer in answers)
    _done(finish, answers)
    auth = one(settings_api.get_global_settingses({})).auth
    assert (auth.session_max_age, auth.access_list, auth.access_mode) == (3600, ["10.0.0.0/8"], "ALLOW")
    assert (auth.password_complexity, auth.password_expire_days) == ("HIGH", 90)
    assert auth.login_miss_num_threshold == before.auth.login_miss_num_threshold


# -- the status of new VMs -----------------------------------------------------------------

def test_a_vm_converted_from_a_template_is_stopped_and_deleted_at_once(api_client, finish):
    vm_api = VmApi(api_client)
    template_api = VmTemplateApi(api_client)
    template = template_api.get_vm_templates({"where": {"cluster": {"name": "cluster-elf-a"}}})[0]
    answer = one(vm_api.convert_vm_template_to_vm([{"name": "from-template",
                                                     "converted_from_template_id": template.id}]))
    assert answer.data.status == "STOPPED"
    _done(finish, [answer])
    vm = vm_by_id(api_client, answer.data.id)
    assert (vm.name, vm.status, vm.cluster.id, vm.host) == ("from-template", "STOPPED",
                                                             template.cluster.id, None)
    assert len(vm.vm_disks) == len(template.vm_disks)
    assert template_api.get_vm_templates({"where": {"id": template.id}}) == []
    _done(finish, vm_api.delete_vm({"where": {"id": vm.id}}))
    assert vm_by_id(api_client, vm.id) is None


def test_every_vm_creating_operation_takes_the_status_asked_or_stopped(api_client, finish):
    vm_api = VmApi(api_client)
    cluster = _cluster(api_client)
    vlan = one(VlanApi(api_client).get_vlans({"where": {"name": "default",
                                                         "vds": {"cluster": {"id": cluster.id}}}}))
    template = VmTemplateApi(api_client).get_vm_templates({"where": {"cluster": {"id": cluster.id}}})[0]
    from cloudtower import ContentLibraryVmTemplateApi
    library = ContentLibraryVmTemplateApi(api_client).get_content_library_vm_templates({})[0]
    source = a_vm(api_client, name="elf-a-web-01")
    snapshot = VmSnapshotApi(api_client).get_vm_snapshots({"where": {"vm": {"id": source.id}}})[0]
    ovf = {"name": "ovf", "firmware": "BIOS", "memory": 2 * GIB, "vcpu": 2,
           "cpu": {"sockets": 1, "cores": 2}, "disks": [{"name": "d.vmdk", "size": 4 * GIB,
                                                         "type": "DISK", "bus": "VIRTIO"}],
           "nics": [{"mac": "52:54:00:aa:bb:cc"}]}
    blank = {"cluster_id": cluster.id, "ha": True, "cpu_cores": 1, "cpu_sockets": 1, "vcpu": 1,
             "memory": GIB, "firmware": "BIOS", "vm_nics": [{"connect_vlan_id": vlan.id}],
             "vm_disks": {"mount_new_create_disks": [{"boot": 0, "bus": "VIRTIO", "vm_volume": {
                 "elf_storage_policy": "REPLICA_2_THIN_PROVISION", "size": GIB, "name": "d"}}]}}
    cases = []
    for status in (None, "RUNNING"):
        asked = {"status": status} if status else {}
        expected = status or "STOPPED"
        if status:
            cases.append(("create_vm", vm_api.create_vm([dict(blank, name="s-create", **asked)]), expected))
        cases.append(("clone_vm", vm_api.clone_vm([dict(
            {"src_vm_id": source.id, "name": "s-clone"}, **asked)]), expected))
        cases.append(("create_vm_from_template", vm_api.create_vm_from_template([dict(
            {"template_id": template.id, "name": "s-tpl", "is_full_copy": False}, **asked)]), expected))
        cases.append(("create_vm_from_content_library_template",
                      vm_api.create_vm_from_content_library_template([dict(
                          {"template_id": library.id, "cluster_id": cluster.id, "name": "s-cl",
                           "is_full_copy": False}, **asked)]), expected))
        batch = vm_api.create_vm_from_content_library_template_batch({
            "template_id": library.id, "vms": [dict({"cluster_id": cluster.id, "name": "s-batch-%d" % i,
                                                     "is_full_copy": False}, **asked) for i in (1, 2)]})
        cases.append(("create_vm_from_content_library_template_batch", [batch], expected))
        cases.append(("import_vm", vm_api.import_vm([dict(
            {"name": "s-import", "cluster_id": cluster.id, "upload_tasks": ["u1"], "parsed_ovf": ovf,
             "vm_nics": [{"connect_vlan_id": vlan.id}]}, **asked)]), expected))
        cases.append(("rebuild_vm", vm_api.rebuild_vm([dict(
            {"rebuild_from_snapshot_id": snapshot.id, "name": "s-rebuild"}, **asked)]), expected))
    _done(finish, [answer for _, answers, _ in cases for answer in answers])
    for name, answers, expected in cases:
        for answer in answers:
            created = answer.data if isinstance(answer.data, list) else [answer.data]
            for preview in created:
                vm = vm_by_id(api_client, preview.id)
                assert vm is not None, name
                assert vm.status == expected, (name, vm.status, expected)
                assert (vm.host is not None) == (expected == "RUNNING"), name
    batch_vms = [vm for name, answers, _ in cases if name.endswith("batch") for vm in answers[0].data]
    assert len(batch_vms) == 4
    imported = vm_api.get_vms({"where": {"name": "s-import"}})[0]
    assert (imported.vcpu, imported.memory, len(imported.vm_disks)) == (2, 2 * GIB, 1)
    assert imported.vm_nics and VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": imported.id}}})[
        0].mac_address == "52:54:00:aa:bb:cc"


# -- LUN snapshots ------------------------------------------------------------------------

def test_lun_clone_and_rollback_keep_the_lun_whole(api_client, finish):
    lun_api = IscsiLunApi(api_client)
    snapshot = IscsiLunSnapshotApi(api_client).get_iscsi_lun_snapshots(
        {"where": {"iscsi_lun": {"name_starts_with": ""}}})[0]
    lun = one(lun_api.get_iscsi_luns({"where": {"id": snapshot.iscsi_lun.id}}))
    assert lun.snapshot_num >= 1
    clone = lun_api.clone_iscsi_lun_from_snapshot([{"iscsi_target_id": lun.iscsi_target.id,
                                                    "snapshot_id": snapshot.id, "name": "lun-clone"}])
    _done(finish, clone)
    cloned = one(lun_api.get_iscsi_luns({"where": {"id": clone[0].data.id}}))
    assert (cloned.iscsi_target.id, cloned.assigned_size) == (lun.iscsi_target.id, lun.assigned_size)
    rollback = lun_api.rollback_iscsi_lun_from_snapshot([{"lun_id": lun.id, "snapshot_id": snapshot.id}])
    assert rollback[0].data.id == lun.id
    _done(finish, rollback)
    after = one(lun_api.get_iscsi_luns({"where": {"id": lun.id}}))
    assert after.iscsi_target.id == lun.iscsi_target.id and after.name == lun.name
    found = set()
    for row in lun_api.get_iscsi_luns({}):
        problems("IscsiLun", row.to_dict(serialize=True), "IscsiLun", found)
    assert sorted(found) == []
    # a snapshot of another LUN does not roll it back
    other = lun_api.get_iscsi_luns({"where": {"id_not_in": [lun.id, cloned.id]}})[0]
    task = one(finish([lun_api.rollback_iscsi_lun_from_snapshot(
        [{"lun_id": other.id, "snapshot_id": snapshot.id}])[0].task_id]))
    assert task.error_code == "ISCSI_LUN_SNAPSHOT_NOT_OF_LUN"


# -- refusals a real CloudTower does not make -----------------------------------------------------

@pytest.mark.parametrize("case", ["start_suspended", "migrate_to_its_host", "recover_not_binned",
                                  "bin_twice", "add_no_disk", "template_cluster_id", "vpc_nic"])
def test_what_cloudtower_does_not_refuse_succeeds(api_client, finish, case):
    vm_api = VmApi(api_client)
    if case == "start_suspended":
        vm = a_vm(api_client, status="SUSPENDED")
        _done(finish, vm_api.start_vm({"where": {"id": vm.id}}))
        assert vm_by_id(api_client, vm.id).status == "RUNNING"
    elif case == "migrate_to_its_host":
        vm = a_vm(api_client, status="RUNNING")
        _done(finish, vm_api.migrate_vm({"where": {"id": vm.id}, "data": {"host_id": vm.host.id}}))
        assert vm_by_id(api_client, vm.id).host.id == vm.host.id
    elif case == "recover_not_binned":
        vm = a_vm(api_client, status="STOPPED")
        _done(finish, vm_api.recover_vm_from_recycle_bin({"where": {"id": vm.id}}))
        assert not vm_by_id(api_client, vm.id).in_recycle_bin
    elif case == "bin_twice":
        vm = a_vm(api_client, in_recycle_bin=True)
        _done(finish, vm_api.move_vm_to_recycle_bin({"where": {"id": vm.id}}))
        assert vm_by_id(api_client, vm.id).deleted_at == vm.deleted_at
    elif case == "add_no_disk":
        vm = a_vm(api_client, status="STOPPED")
        _done(finish, vm_api.add_vm_disk({"where": {"id": vm.id}, "data": {"vm_disks": {}}}))
        assert len(vm_by_id(api_client, vm.id).vm_disks) == len(vm.vm_disks)
    elif case == "template_cluster_id":
        vm = a_vm(api_client, name="elf-a-test-01")
        other = _cluster(api_client, "cluster-elf-b")
        answers = VmTemplateApi(api_client).clone_vm_template_from_vm([{
            "vm_id": vm.id, "cluster_id": other.id, "name": "t", "cloud_init_supported": False}])
        _done(finish, answers)
        template = one(VmTemplateApi(api_client).get_vm_templates({"where": {"id": answers[0].data.id}}))
        assert template.cluster.id == vm.cluster.id
    elif case == "vpc_nic":
        vm = a_vm(api_client, status="STOPPED")
        _done(finish, vm_api.add_vm_nic({"where": {"id": vm.id}, "data": {"vm_nics": [
            {"type": "VPC", "vpc_nic": {"vpc_id": "v", "vpc_subnet_id": "s"}}]}}))
        nics = VmNicApi(api_client).get_vm_nics({"where": {"vm": {"id": vm.id}}})
        assert len(nics) == len(vm.vm_nics) + 1 and nics[-1].type == "VPC"
