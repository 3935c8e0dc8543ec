# coding: utf-8
"""One SDK for every CloudTower version: the client learns or is told which
version it talks to and refuses, before sending, what that version lacks;
the simulator can be any version."""
import json
import warnings

import pytest

import cloudtower
from cloudtower import (
    ApiClient,
    ApiVersionError,
    ClusterApi,
    Configuration,
    IsolationPolicyApi,
    LabelApi,
    VmApi,
)
from cloudtower.api.operations import OPERATIONS, VERSIONS
from cloudtower.simulator import Simulator
from cloudtower.utils import login
from cloudtower.versions import contains, index_of
from tests.loopback import LoopbackServer

SIMULATED = ("2.8.0", "4.3.0", "4.8.1")


def first_version(name):
    op = OPERATIONS[name]
    return VERSIONS[op.versions[0][0]] if op.versions else VERSIONS[0]


@pytest.fixture(scope="module", params=SIMULATED)
def tower(request):
    with Simulator(port=0, seed=3, task_seconds=0.01, api_version=request.param) as sim:
        yield sim


def client_for(sim, pinned):
    conf = Configuration(host=sim.endpoint, api_version=sim.api_version if pinned else None)
    client = ApiClient(conf)
    login(client, sim.username, sim.password)
    return client


def lacking(version):
    """A few operations the version does not have (newer and removed ones)."""
    index = index_of(version)
    names = [n for n in sorted(OPERATIONS) if not contains(OPERATIONS[n].versions, index)]
    return [n for n in ("create_isolation_policy", "get_sync_replication_plans",
                        "get_business_hosts", "get_migrate_transmitters") if n in names]


@pytest.mark.parametrize("pinned", [True, False], ids=["pinned", "detected"])
def test_operations_the_version_lacks_are_refused_before_sending(tower, pinned):
    client = client_for(tower, pinned)
    assert client.cloudtower_version() == tower.api_version
    names = lacking(tower.api_version)
    assert names, tower.api_version
    for name in names:
        op = OPERATIONS[name]
        api = getattr(cloudtower, op.tag + "Api")(client)
        before = len(tower.requests)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(ApiVersionError) as caught:
                getattr(api, name)({} if not op.body or not op.body[1].startswith("list[") else [{}])
        assert len(tower.requests) == before, "%s reached the server" % name
        message = str(caught.value)
        assert name in message and "this CloudTower is %s" % tower.api_version in message
        assert caught.value.server_version == tower.api_version
        assert isinstance(caught.value, cloudtower.ApiException)
    client.close()


@pytest.mark.parametrize("pinned", [True, False], ids=["pinned", "detected"])
def test_operations_the_version_has_work(tower, pinned):
    client = client_for(tower, pinned)
    vms = VmApi(client).get_vms({"first": 3})
    assert len(vms) == 3 and all(vm.id for vm in vms)
    assert ClusterApi(client).get_clusters_connection({}).aggregate.count > 0
    answer = LabelApi(client).create_label([{"key": "version-test", "value": tower.api_version}])
    assert answer[0].data.key == "version-test"
    client.close()


def test_the_message_names_the_version_needed():
    with Simulator(port=0, api_version="4.3.0") as sim:
        client = client_for(sim, pinned=False)
        with pytest.raises(ApiVersionError) as caught:
            IsolationPolicyApi(client).create_isolation_policy({"vm_id": "x"})
        assert str(caught.value) == ("create_isolation_policy needs CloudTower 4.6.0 or later; "
                                     "this CloudTower is 4.3.0")


def test_the_version_is_asked_once_per_client():
    with Simulator(port=0, api_version="4.3.0") as sim:
        client = client_for(sim, pinned=False)
        for _ in range(3):
            with pytest.raises(ApiVersionError):
                IsolationPolicyApi(client).create_isolation_policy({"vm_id": "x"})
            VmApi(client).get_vms({"where": {"name_starts_with": "x"}})
        asked = [r for r in sim.requests if r.get("path", "").endswith("/get-version")]
        assert len(asked) == 1, asked


def newer_string_filter(than):
    """(first version, attribute, JSON key) of a string filter of VmWhereInput newer than ``than``."""
    from cloudtower.models import VmWhereInput
    found = sorted((r[0][0], attr) for attr, r in VmWhereInput._field_versions.items()
                   if r[-1][1] is None and r[0][0] > index_of(than)
                   and VmWhereInput.openapi_types[attr] == "str")
    index, attr = found[0]
    return VERSIONS[index], attr, VmWhereInput.attribute_map[attr]


def test_a_field_the_version_lacks_is_refused_with_its_first_version():
    from cloudtower.models import VmWhereInput
    since, attr, key = newer_string_filter("4.3.0")
    with Simulator(port=0, api_version="4.3.0") as sim:
        client = client_for(sim, pinned=True)
        before = len(sim.requests)
        with pytest.raises(ApiVersionError) as caught:
            VmApi(client).get_vms({"where": {"AND": [{key: "x"}]}})
        assert caught.value.field == "where.AND[0].%s" % key
        assert "field `%s` of VmWhereInput" % attr in str(caught.value)
        assert "needs CloudTower %s or later; this CloudTower is 4.3.0" % since in str(caught.value)
        # the same field set on a model is refused the same way
        with pytest.raises(ApiVersionError):
            VmApi(client).get_vms({"where": VmWhereInput(**{attr: "x"})})
        assert len(sim.requests) == before
        # fields every version has go through
        assert VmApi(client).get_vms({"where": VmWhereInput(name="nothing-by-this-name")}) == []


def test_the_simulator_serves_only_its_versions_routes():
    newest_only = "get_sync_replication_plans"
    with Simulator(port=0, api_version="4.8.1") as sim:
        client = ApiClient(Configuration(host=sim.endpoint))
        login(client, sim.username, sim.password)
        # skip the client's own check to see what the server says
        op = OPERATIONS[newest_only]
        with pytest.raises(cloudtower.ApiException) as caught:
            client.call_api(op.path, op.http_method, body={}, header_params={"Content-Type": "application/json"},
                            response_type=op.return_type, auth_settings=op.auth,
                            _return_http_data_only=True)
        assert caught.value.status == 404
        assert client.call_api("/get-version", "GET", response_type="str", auth_settings=[],
                               _return_http_data_only=True) == "4.8.1"


def test_the_simulator_checks_bodies_against_its_versions_schemas():
    since, attr, key = newer_string_filter("2.8.0")
    with Simulator(port=0, api_version="2.8.0") as old, Simulator(port=0) as new:
        for sim in (old, new):
            # pinned to the newest so that the client sends what 2.8.0 lacks
            client = ApiClient(Configuration(host=sim.endpoint, api_version=VERSIONS[-1]))
            login(client, sim.username, sim.password)
            if sim is new:
                assert VmApi(client).get_vms({"where": {key: "x"}}) == []
                continue
            # VmWhereInput is a closed schema: a property 2.8.0 does not have is refused
            with pytest.raises(cloudtower.ApiException) as caught:
                VmApi(client).get_vms({"where": {key: "x"}})
            assert caught.value.status == 400 and key in caught.value.message


def test_older_servers_without_get_version_are_placed_before_2_3_0():
    with LoopbackServer() as server:
        server.default = lambda request: {"status": 404, "body": json.dumps({"message": "Cannot GET"})}
        client = ApiClient(Configuration(host=server.url))
        assert client.cloudtower_version() == "older than 2.3.0"
        with pytest.raises(ApiVersionError) as caught:
            IsolationPolicyApi(client).create_isolation_policy({"vm_id": "x"})
        assert "this CloudTower is older than 2.3.0" in str(caught.value)


def test_an_unreadable_version_checks_nothing():
    with LoopbackServer() as server:
        def answer(request):
            if request.path.endswith("/get-version"):
                return {"status": 200, "body": json.dumps("development build")}
            return {"status": 200, "body": '{"id": "p"}'}
        server.default = answer
        client = ApiClient(Configuration(host=server.url))
        assert client.cloudtower_version() is None
        assert IsolationPolicyApi(client).create_isolation_policy({"vm_id": "x"}).id == "p"


def test_responses_of_any_version_deserialize():
    with LoopbackServer() as server:
        # an old CloudTower's VM: fewer fields; a newer one's: a field we do not know
        rows = [{"id": "a", "name": "old"}, {"id": "b", "name": "new", "brand_new_field": 1}]
        server.default = lambda request: {"status": 200, "body": json.dumps(rows)}
        client = ApiClient(Configuration(host=server.url, api_version="2.0.0"))
        old, new = VmApi(client).get_vms({})
        assert old.name == "old" and old.vcpu is None
        assert new._unknown_fields == {"brand_new_field": 1}


def test_removed_and_renamed_names_warn_once_each_and_still_work():
    with LoopbackServer() as server:
        server.default = lambda request: {"status": 200, "body": "[]"}
        client = ApiClient(Configuration(host=server.url, api_version="1.9.0"))
        # once per name and process: forget what earlier tests were warned about
        from cloudtower import versions
        versions._warned.difference_update(["mig_rate_vm", "GetImagesConnectorRequestBody"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            VmApi(client).mig_rate_vm({"where": {"id": "x"}, "data": {"host_id": "h"}})
            VmApi(client).mig_rate_vm({"where": {"id": "x"}, "data": {"host_id": "h"}})
        assert server.last.path.endswith("/migrate-vm")
        mine = [w for w in caught if "mig_rate_vm" in str(w.message)]
        assert len(mine) == 1 and issubclass(mine[0].category, DeprecationWarning)
        assert mine[0].filename.rstrip("c") == __file__.rstrip("c")  # points at the caller
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from cloudtower.models import GetImagesConnectorRequestBody  # noqa: F401
            cloudtower.models.GetImagesConnectorRequestBody  # noqa: B018 - reading it is the test
        assert len([w for w in caught if "GetImagesConnectorRequestBody" in str(w.message)]) <= 1


def test_parameters_older_releases_named_differently_are_accepted():
    with LoopbackServer() as server:
        server.default = lambda request: {"status": 200, "body": "[]"}
        client = ApiClient(Configuration(host=server.url, api_version=VERSIONS[-1]))
        VmApi(client).delete_vm(vm_operate_params={"where": {"id": "x"}})
        assert server.last.json() == {"where": {"id": "x"}}
        with pytest.raises(cloudtower.ApiTypeError):
            VmApi(client).delete_vm({"where": {"id": "x"}}, vm_operate_params={"where": {"id": "y"}})


def test_positional_parameters_of_older_releases_still_work():
    with LoopbackServer() as server:
        server.default = lambda request: {"status": 200, "body": "[]"}
        client = ApiClient(Configuration(host=server.url, api_version="1.9.0"))
        # 1.9.0: create_elf_image(file, cluster_id, name, size, description, upload_task_id)
        cloudtower.ElfImageApi(client).create_elf_image(("a.iso", b"data"), "cluster-1", "a.iso", "4")
        body = server.last.body
        for field, value in ((b"cluster_id", b"cluster-1"), (b"name", b"a.iso"), (b"size", b"4")):
            assert field in body and value in body


def test_pinning_a_version_that_is_no_version_is_refused():
    with pytest.raises(cloudtower.ApiValueError):
        Configuration(api_version="latest")
    with pytest.raises(ValueError):
        Simulator(api_version="newest")


def test_a_type_that_changed_between_versions_works_in_either_form():
    from cloudtower.models import (
        IscsiTargetCommonParams,
        IscsiTargetUpdationParams,
        IscsiTargetUpdationParamsData,
        TaskDescription,
        TaskUpdateParams,
        TaskUpdateParamsData,
    )
    with LoopbackServer() as server:
        server.default = lambda request: {"status": 200, "body": "[]"}
        client = ApiClient(Configuration(host=server.url, api_version=VERSIONS[-1]))
        tasks = cloudtower.TaskApi(client)
        # a string before 4.5.0, a TaskDescription since
        tasks.update_task(TaskUpdateParams(where={"id": "t"}, data=TaskUpdateParamsData(description="text")))
        assert server.last.json() == {"where": {"id": "t"}, "data": {"description": "text"}}
        tasks.update_task(TaskUpdateParams(where={"id": "t"}, data=TaskUpdateParamsData(
            description=TaskDescription(en_us="text", zh_cn="文本"))))
        assert server.last.json()["data"]["description"] == {"en-US": "text", "zh-CN": u"文本"}
        # IscsiTargetCommonParams before 4.7.0, IscsiTargetUpdationParamsData since
        targets = cloudtower.IscsiTargetApi(client)
        for data in (IscsiTargetCommonParams(description="d"), IscsiTargetUpdationParamsData(description="d")):
            targets.update_iscsi_target(IscsiTargetUpdationParams(where={"id": "x"}, data=data))
            assert server.last.json() == {"where": {"id": "x"}, "data": {"description": "d"}}
