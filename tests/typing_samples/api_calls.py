# Type-checked by tests/test_typing.py with mypy, never run. On a line, `# R: T`
# is what reveal_type must show there and `# E: code` the error mypy must
# report there; an error on any other line fails the test.
from typing import Any, Dict, List

from cloudtower.api.vm_api import VmApi
from cloudtower.api_client import ApiClient
from cloudtower.configuration import Configuration
from cloudtower.models.get_vms_request_body import GetVmsRequestBody
from cloudtower.models.vm_where_input import VmWhereInput

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
vm_api.get_vms({"where": {"id": "vm-1"}, "first": 1}, content_language="zh-CN")

# async_req=True gives an ApplyResult of the same type
pending = vm_api.get_vms({}, async_req=True)
reveal_type(pending)  # R: multiprocessing.pool.ApplyResult[builtins.list[cloudtower.models.Vm]]
reveal_type(pending.get())  # R: builtins.list[cloudtower.models.Vm]

# *_with_http_info: (data, status, headers)
data, status, headers = vm_api.get_vms_with_http_info({})
reveal_type(data)  # R: builtins.list[cloudtower.models.Vm]
reveal_type(status)  # R: builtins.int

# a caller's own List[Dict[str, Any]] is accepted where a list of bodies goes
params: List[Dict[str, Any]] = [{"name": "web-2"}]
vm_api.create_vm(params)
vm_api.get_vms(dict(first=1))

# mutations return the task-carrying wrappers
created = vm_api.create_vm([{"name": "web-1"}])
reveal_type(created)  # R: builtins.list[cloudtower.models.WithTaskVm]

# mistakes mypy catches
vm_api.get_vms(42)  # E: call-overload
vm_api.get_vmz({})  # E: attr-defined
vms[0].nmae  # E: attr-defined
