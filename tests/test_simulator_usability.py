# coding: utf-8
"""Small things users tripped on: cloud-init refused on a template that does
not support it."""
from cloudtower import VmApi, VmTemplateApi


def test_cloud_init_on_a_template_without_it_is_refused(api_client, finish):
    vm_api = VmApi(api_client)
    templates = VmTemplateApi(api_client).get_vm_templates(
        {"where": {"cluster": {"name": "cluster-elf-a"}}, "orderBy": "name_ASC"})
    without = [t for t in templates if not t.cloud_init_supported][0]
    supported = [t for t in templates if t.cloud_init_supported][0]
    cloud_init = {"hostname": "ci-host", "user_data": "#cloud-config\n"}
    before = vm_api.get_vms_connection({}).aggregate.count
    answers = vm_api.create_vm_from_template([
        {"template_id": without.id, "name": "ci-refused", "is_full_copy": False,
         "cloud_init": cloud_init},
        {"template_id": without.id, "name": "ci-none", "is_full_copy": False},
        {"template_id": supported.id, "name": "ci-ok", "is_full_copy": False,
         "cloud_init": cloud_init}])
    tasks = finish([a.task_id for a in answers])
    assert [t.status for t in tasks] == ["FAILED", "SUCCESSED", "SUCCESSED"]
    assert tasks[0].error_code == "VM_TEMPLATE_CLOUD_INIT_NOT_SUPPORTED"
    assert without.name in tasks[0].error_message
    assert vm_api.get_vms_connection({}).aggregate.count == before + 2
    assert not vm_api.get_vms({"where": {"name": "ci-refused"}})
