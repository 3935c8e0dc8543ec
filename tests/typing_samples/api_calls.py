# Type-checked by tests/test_typing.py with mypy, never run. On a line, `# R: T`
# is what reveal_type must show there and `# E: code` the error mypy must
# report there; an error on any other line fails the test.
from typing import TYPE_CHECKING, Any, Dict, List, cast

from cloudtower.api.vm_api import VmApi
from cloudtower.api_client import ApiClient
from cloudtower.configuration import Configuration
from cloudtower.models.get_vms_request_body import GetVmsRequestBody
from cloudtower.models.vm_where_input import VmWhereInput

if TYPE_CHECKING:
    from cloudtower.models import GetVmsRequestBodyDict, VmCreationParamsDict

client = ApiClient(Configuration(host="http://127.0.0.1:8090/v2/api"))
vm_api = VmApi(client)

# the call users write most: a dict body, a list of Vm back
vms = vm_api.get_vms({})
reveal_type(vms)  # R: builtins.list[cloudtower.models.Vm]
reveal_type(vms[0])  # R: cloudtower.models.Vm
reveal_type(vms[0].name)  # R: builtins.str
reveal_type(vms[0].vcpu)  # R: builtins.int
cluster = vms[0].cluster
if cluster is not None:
    reveal_type(cluster.name)  # R: builtins.str

# a model body, and dicts nested at any depth
vm_api.get_vms(GetVmsRequestBody(where=VmWhereInput(id="vm-1"), first=1))
# a request model keeps a nested dict as given, and its stub says so
query = GetVmsRequestBody(where={"id": "vm-1"})
query.where.id  # E: union-attr
if isinstance(query.where, VmWhereInput):
    reveal_type(query.where.id)  # R: builtins.str | None
GetVmsRequestBody(where={"idd": "vm-1"})  # E: arg-type
vm_api.get_vms({"where": {"id": "vm-1"}, "first": 1}, content_language="zh-CN")

# async_req=True gives an ApplyResult of the same type
pending = vm_api.get_vms({}, async_req=True)
reveal_type(pending)  # R: multiprocessing.pool.ApplyResult[builtins.list[cloudtower.models.Vm]]
reveal_type(pending.get())  # R: builtins.list[cloudtower.models.Vm]

# *_with_http_info: (data, status, headers)
data, status, headers = vm_api.get_vms_with_http_info({})
reveal_type(data)  # R: builtins.list[cloudtower.models.Vm]
reveal_type(status)  # R: builtins.int

# a dict body is checked against the body's TypedDict (VmWhereInputDict ...):
# its keys are JSON keys, at any depth
vm_api.get_vms({"where": {"name_starts_with": "web-", "vcpu_gt": 2,
                          "AND": [{"memory_gte": 1024}], "OR": {"in_recycle_bin": False}},
                "orderBy": "name_ASC", "first": 10})
vm_api.get_vms({"wher": {"id": "vm-1"}})  # E: call-overload
vm_api.get_vms({"where": {"vcpu_gt": "four"}})  # E: call-overload
vm_api.get_vms({"where": {"AND": [{"nmae": "web-1"}]}})  # E: call-overload
vm_api.get_vms({"order_by": "name_ASC"})  # E: call-overload
# past a relation (vm -> cluster) the filter is the model or any mapping, unchecked
vm_api.get_vms({"where": {"cluster": {"name": "c1"}}})

# a body held in a variable: annotate it with the TypedDict (imported under
# TYPE_CHECKING), and its keys are checked where it is built
body: "GetVmsRequestBodyDict" = {"where": {"id": "vm-1"}, "first": 1}
vm_api.get_vms(body)
params: List["VmCreationParamsDict"] = []
params.append({"cluster_id": "c1", "name": "web-2", "vcpu": 2})
params.append({"cluster_id": "c1", "name": "web-3", "vcpus": 2})  # E: typeddict-unknown-key
params.append({"cluster_id": None})  # E: typeddict-item
vm_api.create_vm(params)
# a plain Dict[str, Any] says nothing about its keys; the stubs refuse it
untyped: List[Dict[str, Any]] = [{"name": "web-2"}]
vm_api.create_vm(untyped)  # E: arg-type
vm_api.get_vms(cast("GetVmsRequestBodyDict", dict(first=1)))

# mutations return the task-carrying wrappers
created = vm_api.create_vm([{"name": "web-1"}])
reveal_type(created)  # R: builtins.list[cloudtower.models.WithTaskVm]

# mistakes mypy catches
vm_api.get_vms(42)  # E: call-overload
vm_api.get_vmz({})  # E: attr-defined
vms[0].nmae  # E: attr-defined
