# coding: utf-8
"""What models check before anything is sent, as the official SDK checks it.

The official SDK (openapi-generator) checks each value it is given, in the
constructor and in the attribute setters: ``None`` for a required field, a
value outside an inline enum, bounds, lengths and patterns. A required field
that is never given is not its business: the model is built, the field is
not sent, and CloudTower decides. Responses are not checked here at all.
"""
import pytest

from cloudtower import ApiException, ApiValueError, Configuration
from cloudtower.api.operations import OPERATIONS
from cloudtower.model import model_class, sanitize
from cloudtower.models import (
    ContentLibraryVmTemplateImportParams,
    GetTopNMetricInput,
    GetZoneMetricInput,
    IscsiLunCloneParams,
    IscsiLunDeletionParams,
    IscsiLunWhereInput,
    ManagementVlanUpdationParamsData,
    RoleCreationParams,
    SecurityPolicyApplyToInput,
    SecurityPolicyCreateParams,
    VmCreateVmFromContentLibraryTemplateBatchParams,
    VmCreateVmFromContentLibraryTemplateBatchVmParams,
    VmImportParams,
    VmOwnerParams,
    VmStartParams,
    VmStartParamsData,
    VmUpdateNicParams,
    VmUpdateNicParamsData,
    VmUpdateOwnerParams,
    VmUpdateOwnerParamsData,
    VmWhereInput,
)
from cloudtower.models._tables import TABLES


def _off():
    conf = Configuration()
    conf.client_side_validation = False
    return conf


# -- required fields -----------------------------------------------------------

def test_a_required_field_left_out_is_built_and_not_sent():
    clone = IscsiLunCloneParams(iscsi_target_id="t1", snapshot_id="s1")
    assert clone.name is None
    assert sanitize(clone) == {"iscsi_target_id": "t1", "snapshot_id": "s1"}
    deletion = IscsiLunDeletionParams(where=IscsiLunWhereInput(id="l1"))
    assert sanitize(deletion) == {"where": {"id": "l1"}}
    assert sanitize(VmStartParams(data=VmStartParamsData(host_id="h"))) == {"data": {"host_id": "h"}}
    # validate() checks the values that are there, not the ones left out
    clone.validate()


def test_none_for_a_required_field_is_refused_in_the_constructor_and_on_assignment():
    with pytest.raises(ApiValueError) as info:
        IscsiLunCloneParams(iscsi_target_id="t1", snapshot_id="s1", name=None)
    assert str(info.value) == "Invalid value for `name` of IscsiLunCloneParams, must not be `None`"
    clone = IscsiLunCloneParams(iscsi_target_id="t1")
    with pytest.raises(ApiValueError) as info:
        clone.snapshot_id = None
    assert "`snapshot_id` of IscsiLunCloneParams" in str(info.value)
    clone.snapshot_id = "s1"
    clone.name = "copy"
    assert sanitize(clone) == {"iscsi_target_id": "t1", "snapshot_id": "s1", "name": "copy"}
    with pytest.raises(ApiValueError):
        VmStartParams(where=None)
    # optional fields take None, as before
    assert VmUpdateNicParamsData(nic_index=0, model=None).model is None


def test_checks_follow_client_side_validation_per_model_and_by_default():
    clone = IscsiLunCloneParams(name=None, local_vars_configuration=_off())
    clone.iscsi_target_id = None
    assert ManagementVlanUpdationParamsData(vlan_id=5000, local_vars_configuration=_off()).vlan_id == 5000
    default = Configuration.get_default_copy()
    try:
        Configuration.set_default(_off())
        assert IscsiLunCloneParams(name=None).name is None
        RoleCreationParams().name = ""
    finally:
        Configuration.set_default(default)
    with pytest.raises(ApiValueError):
        IscsiLunCloneParams(name=None)


# -- constraints ----------------------------------------------------------------

def test_bounds_lengths_items_and_inline_enums_are_checked_naming_field_value_and_limit():
    with pytest.raises(ApiValueError) as info:
        ManagementVlanUpdationParamsData(vlan_id=5000)
    assert str(info.value) == ("Invalid value for `vlan_id` of ManagementVlanUpdationParamsData "
                               "(5000), must be a value less than or equal to `4095`")
    assert isinstance(info.value, ValueError)
    with pytest.raises(ApiValueError) as info:
        ManagementVlanUpdationParamsData(vlan_id=-1)
    assert "must be a value greater than or equal to `0`" in str(info.value)
    assert ManagementVlanUpdationParamsData(vlan_id=4095).vlan_id == 4095
    assert ManagementVlanUpdationParamsData(vlan_id=0).vlan_id == 0
    with pytest.raises(ApiValueError) as info:
        RoleCreationParams(name="", actions=[])
    assert str(info.value) == ("Invalid value for `name` of RoleCreationParams (''), "
                               "length must be greater than or equal to `1`")
    with pytest.raises(ApiValueError) as info:
        SecurityPolicyCreateParams(name="p", apply_to=[])
    assert ("`apply_to` of SecurityPolicyCreateParams ([]), number of items must be greater than "
            "or equal to `1`") in str(info.value)
    with pytest.raises(ApiValueError) as info:
        VmUpdateOwnerParamsData(search_for="email")
    assert "`search_for` of VmUpdateOwnerParamsData ('email'), must be one of [" in str(info.value)
    assert "'username'" in str(info.value) and "'id'" in str(info.value)
    # an inline enum refuses None even where the field is optional, as the official setter does
    with pytest.raises(ApiValueError):
        VmOwnerParams(value="root", search_for=None)
    assert VmOwnerParams(value="root").search_for is None


def test_constraints_are_checked_on_assignment_too():
    data = ManagementVlanUpdationParamsData(vlan_id=10)
    with pytest.raises(ApiValueError):
        data.vlan_id = 4096
    assert data.vlan_id == 10
    data.vlan_id = 4095
    role = RoleCreationParams(name="ops", actions=[])
    with pytest.raises(ApiValueError):
        role.name = ""
    assert role.name == "ops"
    role.anything_else = 1  # not a field: not checked, as before


def _breaking(constraint, limit, type_name):
    """(a value that breaks the constraint, one that meets it exactly)."""
    if constraint == "maximum":
        return limit + 1, limit
    if constraint == "minimum":
        return limit - 1, limit
    if constraint == "minLength":
        return "x" * (limit - 1), "x" * limit
    if constraint == "maxLength":
        return "x" * (limit + 1), "x" * limit
    if constraint == "minItems":
        return [], None
    if constraint == "maxItems":
        return [None] * (limit + 1), None
    return None, None


def test_every_constraint_of_the_api_document_is_checked():
    import json
    checked = 0
    for name in sorted(TABLES):
        constraints = json.loads(TABLES[name]).get("c")
        if not constraints:
            continue
        cls = model_class(name)
        for attr, rules in sorted(constraints.items()):
            for constraint, limit in sorted(rules.items()):
                bad, good = _breaking(constraint, limit, cls.openapi_types[attr])
                if bad is None and good is None:
                    continue
                with pytest.raises(ApiValueError) as info:
                    cls(**{attr: bad})
                assert "`%s` of %s" % (attr, name) in str(info.value)
                assert "`%s`" % limit in str(info.value)
                if good is not None:
                    assert getattr(cls(**{attr: good}), attr) == good
                checked += 1
    assert checked >= 20


def test_responses_are_not_checked():
    data = ManagementVlanUpdationParamsData.from_json({"vlan_id": 5000})
    assert data.vlan_id == 5000
    assert IscsiLunCloneParams.from_json({"name": None}).name is None
    assert RoleCreationParams._adopt({"name": "", "actions": []}).name == ""


def test_constructing_checks_only_what_is_given(monkeypatch):
    # a where-input of hundreds of fields costs the fields given, not all of them
    import cloudtower.model
    checked = []
    real = cloudtower.model._check_value
    monkeypatch.setattr(cloudtower.model, "_check_value",
                        lambda model, attr, value, check: checked.append(attr) or real(model, attr, value, check))
    VmWhereInput(name="a", status="RUNNING")
    assert sorted(checked) == ["status"]  # name has nothing to check; the other fields are not looked at


# -- the operations the official SDK sends and we used to refuse -----------------

def _sent(simulator, api_client, name, body, missing):
    """Call ``name`` with ``body``: nothing refuses it here, and the simulator
    answers 400 naming the first required field that is missing."""
    simulator.requests.clear()
    op = OPERATIONS[name]
    with pytest.raises(ApiException) as info:
        api_client.call_operation(op, (body,), {})
    assert info.value.status == 400, (name, info.value)
    assert missing in info.value.message, (name, info.value.message)
    # besides, once per client, the question which CloudTower version this is
    sent = [r["path"] for r in simulator.requests if r["path"] != "/v2/api/get-version"]
    assert sent == ["/v2/api" + op.path]


def test_the_eight_operations_are_sent_without_what_the_official_sdk_lets_you_omit(
        simulator, api_client):
    vm = VmWhereInput(name="elf-a-web-01")
    clusters = {"name": "cluster-elf-a"}
    _sent(simulator, api_client, "update_vm_nic",
          VmUpdateNicParams(where=vm, data=VmUpdateNicParamsData(enabled=False)),
          "body.data.nic_index is required")
    _sent(simulator, api_client, "update_vm_owner",
          VmUpdateOwnerParams(where=vm, data=VmUpdateOwnerParamsData(value="root")),
          "body.data.search_for is required")
    _sent(simulator, api_client, "create_security_policy",
          SecurityPolicyCreateParams(name="deny-all", apply_to=[
              SecurityPolicyApplyToInput(communicable=False)]),
          "body.everoute_cluster_id is required")
    _sent(simulator, api_client, "create_vm_from_content_library_template_batch",
          VmCreateVmFromContentLibraryTemplateBatchParams(template_id="t", vms=[
              VmCreateVmFromContentLibraryTemplateBatchVmParams(name="b-1", cluster_id="c")]),
          "body.vms[0].is_full_copy is required")
    _sent(simulator, api_client, "get_zone_metrics",
          GetZoneMetricInput(metrics=["zone_latency"], clusters=clusters, range="1h"),
          "body.type is required")
    _sent(simulator, api_client, "get_top_nvm_volume_metrics",
          GetTopNMetricInput(metrics=["volume_iops"], clusters=clusters, range="1h", type="top"),
          "body.n is required")
    _sent(simulator, api_client, "import_vm",
          [VmImportParams(name="imported", cluster_id="c", upload_tasks=["u"])],
          "body[0].parsed_ovf is required")
    _sent(simulator, api_client, "import_content_library_vm_template",
          [ContentLibraryVmTemplateImportParams(name="imported", cluster_id="c",
                                                upload_tasks=["u"])],
          "body[0].parsed_ovf is required")


def test_scripts_that_leave_out_a_name_or_data_reach_the_server(simulator, api_client):
    _sent(simulator, api_client, "clone_iscsi_lun_from_snapshot",
          [IscsiLunCloneParams(iscsi_target_id="t1", snapshot_id="s1")], "body[0].name is required")
    _sent(simulator, api_client, "delete_iscsi_lun",
          IscsiLunDeletionParams(where=IscsiLunWhereInput(name="nothing")), "body.data is required")
