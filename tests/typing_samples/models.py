# Type-checked by tests/test_typing.py with mypy, never run (see api_calls.py).
from cloudtower.models.get_vms_request_body import GetVmsRequestBody
from cloudtower.models.vm import Vm
from cloudtower.models.vm_status import VmStatus

# keyword constructors with typed parameters
vm = Vm(name="web-1", vcpu=2, memory=4 << 30)
reveal_type(vm)  # R: cloudtower.models.Vm
reveal_type(vm.memory)  # R: builtins.int
body = GetVmsRequestBody(first=10, skip=20)
reveal_type(body.first)  # R: Union[builtins.int, None]

# an unknown keyword and a wrong type are rejected
Vm(nmae="web-1")  # E: call-arg
Vm(name=1)  # E: arg-type
GetVmsRequestBody(first="10")  # E: arg-type

# enum constants are the plain strings the API sends
reveal_type(VmStatus.RUNNING)  # R: builtins.str

# the official module paths name the same classes
from cloudtower.models import Vm as VmFromPackage  # noqa: E402
from cloudtower.models.vm import Vm as VmFromItsModule  # noqa: E402

same: VmFromPackage = VmFromItsModule(name="web-2")
reveal_type(VmFromItsModule(name="web-3"))  # R: cloudtower.models.Vm
