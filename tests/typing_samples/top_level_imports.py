# Type-checked by tests/test_typing.py with mypy, never run (see api_calls.py).
# The imports of the usage guide resolve to the real classes, not to Any.
from cloudtower import ApiClient, Configuration, VmApi, VmStatus
from cloudtower.api import ClusterApi
from cloudtower.models import UserSource

reveal_type(VmApi(ApiClient(Configuration())))  # R: cloudtower.api.vm_api.VmApi
reveal_type(VmStatus.STOPPED)  # R: builtins.str
reveal_type(ClusterApi().get_clusters({}))  # R: builtins.list[cloudtower.models.Cluster]
reveal_type(UserSource.LOCAL)  # R: builtins.str
