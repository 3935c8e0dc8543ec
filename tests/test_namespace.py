# coding: utf-8
"""Names users import: all reachable, each paid for only when used."""
import subprocess
import sys
import textwrap


def run_python(code):
    code = "from __future__ import print_function\n" + textwrap.dedent(code)
    output = subprocess.check_output([sys.executable, "-c", code])
    return output.decode("utf-8").strip()


def test_importing_the_package_builds_no_model_and_imports_no_model_module():
    out = run_python("""
        import sys
        import cloudtower
        from cloudtower import ApiClient, Configuration, VmApi, VmStatus
        import cloudtower.models as models
        # (Python 2 leaves None placeholders for relative-import attempts)
        modules = [m for m in sys.modules if m.startswith("cloudtower.models.") and sys.modules[m]]
        built = [n for n in models.MODEL_MODULES if n in vars(models)]
        print(sorted(modules), sorted(built))
    """)
    # the class comes from the shared table; not even its module is imported
    assert out == "['cloudtower.models._enum_tables'] ['VmStatus']"


def test_every_import_style_of_the_guide_works():
    out = run_python("""
        from cloudtower import ApiClient, Configuration, VmApi, VmStatus, Bus, VmFirmware, VmNicModel
        from cloudtower import VmVolumeElfStoragePolicyType
        from cloudtower.api import VmApi as A, ClusterApi, AlertApi, HostApi, DiskApi
        from cloudtower.api import ClusterSettingsApi, GlobalSettingsApi
        from cloudtower.api.vm_api import VmApi as B
        from cloudtower.api.user_api import UserApi
        from cloudtower.api.vm_snapshot_api import VmSnapshotApi
        from cloudtower.api.iscsi_lun_snapshot_api import IscsiLunSnapshotApi
        from cloudtower.models import UserSource, SeverityEnum, ClusterType, Hypervisor, DiskType
        from cloudtower.models import DiskUsageStatus, DiskHealthStatus, ConsistentType, VmToolsStatus
        from cloudtower.configuration import Configuration as C
        from cloudtower.utils import wait_tasks, wait_task, login
        from cloudtower.models.vm import Vm
        import cloudtower
        assert A is B is VmApi and C is Configuration and Vm is cloudtower.Vm
        print(str(UserSource.LOCAL), str(VmStatus.RUNNING), Vm.__module__)
    """)
    assert out == "LOCAL RUNNING cloudtower.models.vm"


def test_star_imports_and_dir_list_everything():
    out = run_python("""
        import cloudtower, cloudtower.models, cloudtower.api
        namespace = {}
        exec("from cloudtower.models import *", namespace)
        models = [n for n in namespace if not n.startswith("__")]
        namespace = {}
        exec("from cloudtower.api import *", namespace)
        apis = [n for n in namespace if not n.startswith("__")]
        print(sorted(models) == sorted(cloudtower.models.MODEL_MODULES),
              sorted(apis) == sorted(cloudtower.api.API_MODULES),
              len(models) > 2000, len(apis) > 130,
              "Vm" in dir(cloudtower), "VmApi" in dir(cloudtower),
              "Vm" in dir(cloudtower.models), len(cloudtower.__all__) >= len(models) + len(apis))
    """)
    assert out == "True True True True True True True True"


def test_classes_are_built_once_even_under_concurrency():
    out = run_python("""
        import threading
        import cloudtower.models as models
        seen = []
        def grab():
            seen.append(models.VmWhereInput)
        threads = [threading.Thread(target=grab) for _ in range(16)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print(len(set(id(c) for c in seen)))
    """)
    assert out == "1"


def test_unknown_names_raise_attribute_error():
    import pytest

    import cloudtower
    with pytest.raises(AttributeError):
        cloudtower.NoSuchModel  # noqa: B018 - the attribute access is the test
    with pytest.raises(ImportError):
        exec("from cloudtower.models import NoSuchModel", {})


def test_a_stub_only_typeddict_read_at_run_time_says_how_to_import_it():
    import pytest

    import cloudtower
    import cloudtower.models
    for module in (cloudtower, cloudtower.models):
        with pytest.raises(AttributeError) as raised:
            module.GetVmsRequestBodyDict  # noqa: B018 - the attribute access is the test
        assert "typing.TYPE_CHECKING" in str(raised.value)
    with pytest.raises(AttributeError) as raised:
        cloudtower.models.NoSuchThingDict  # noqa: B018
    assert "TYPE_CHECKING" not in str(raised.value)
