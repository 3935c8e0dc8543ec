# coding: utf-8
"""Queries against the simulator through the SDK: every filter operator,
relations, logic, ordering, pagination, counts and the shape of rows.

Expected results are computed here from the unfiltered listing, with plain
Python, and compared with what the server's filter returns.
"""
import pytest

from cloudtower import AlertApi, ApiException, ClusterApi, DiskApi, HostApi, VmApi
from cloudtower.api.operations import OPERATIONS
from cloudtower.model import model_class
from cloudtower.simulator.fake import Faker


def _rows(api_client, method):
    """Every row of a listing, as JSON-keyed dicts."""
    return [m.to_dict(serialize=True) for m in method({})]


def _ids(models):
    return sorted(m.id for m in models)


def _python_filter(rows, field, op, value):
    """The reference semantics of one operator (Prisma over SQL)."""
    result = []
    for row in rows:
        x = row.get(field)
        if op == "eq":
            keep = x == value
        elif op == "not":
            keep = x is not None and x != value
        elif op == "in":
            keep = x is not None and x in value
        elif op == "not_in":
            keep = x is not None and x not in value
        elif op in ("lt", "lte", "gt", "gte"):
            keep = x is not None and {"lt": x < value, "lte": x <= value, "gt": x > value,
                                      "gte": x >= value}[op]
        elif op in ("contains", "starts_with", "ends_with"):
            keep = x is not None and {"contains": value in x, "starts_with": x.startswith(value),
                                      "ends_with": x.endswith(value)}[op]
        else:
            inner = op[4:]
            keep = x is not None and not {"contains": value in x,
                                          "starts_with": x.startswith(value),
                                          "ends_with": x.endswith(value)}[inner]
        if keep:
            result.append(row["id"])
    return sorted(result)


STRING_OPS = ["eq", "not", "in", "not_in", "lt", "lte", "gt", "gte", "contains", "not_contains",
              "starts_with", "not_starts_with", "ends_with", "not_ends_with"]
NUMBER_OPS = ["eq", "not", "in", "not_in", "lt", "lte", "gt", "gte"]
ENUM_OPS = ["eq", "not", "in", "not_in"]


def _key(field, op):
    return field if op == "eq" else "%s_%s" % (field, op)


def _value(op, sample, other):
    if op in ("in", "not_in"):
        return [sample, other]
    return sample


CASES = [
    # (api, list method, field, operators, sample picker)
    (VmApi, "get_vms", "name", STRING_OPS, lambda rows: ("elf-a-db-01", "elf-b-web-02", "db")),
    (VmApi, "get_vms", "vcpu", NUMBER_OPS, lambda rows: (4, 8, None)),
    (VmApi, "get_vms", "memory", NUMBER_OPS, lambda rows: (8 * 1024 ** 3, 2 * 1024 ** 3, None)),
    (VmApi, "get_vms", "status", ENUM_OPS, lambda rows: ("RUNNING", "SUSPENDED", None)),
    (VmApi, "get_vms", "ha", ["eq", "not"], lambda rows: (True, False, None)),
    (HostApi, "get_hosts", "name", STRING_OPS, lambda rows: ("elf-b-node-2", "zbs-node-1", "node-1")),
    (HostApi, "get_hosts", "status", ENUM_OPS, lambda rows: ("CONNECTED_WARNING", "CONNECTED_HEALTHY", None)),
    (HostApi, "get_hosts", "total_memory_bytes", NUMBER_OPS, lambda rows: (256 * 1024 ** 3, 1, None)),
    (DiskApi, "get_disks", "type", ENUM_OPS, lambda rows: ("HDD", "PMem", None)),
    (DiskApi, "get_disks", "size", NUMBER_OPS, lambda rows: (4 * 10 ** 12, 480 * 10 ** 9, None)),
    (DiskApi, "get_disks", "path", STRING_OPS, lambda rows: ("/dev/sdc", "/dev/nvme0n1", "/dev/sd")),
    (AlertApi, "get_alerts", "severity", STRING_OPS, lambda rows: ("CRITICAL", "INFO", "I")),
    (AlertApi, "get_alerts", "ended", ["eq", "not"], lambda rows: (True, False, None)),
    (AlertApi, "get_alerts", "value", NUMBER_OPS, lambda rows: (85.0, 80.0, None)),
]


@pytest.mark.parametrize("api_class,method,field,ops,samples", CASES,
                         ids=["%s.%s" % (c[1], c[2]) for c in CASES])
def test_every_operator_matches_the_reference_semantics(api_client, api_class, method, field, ops,
                                                        samples):
    call = getattr(api_class(api_client), method)
    rows = _rows(api_client, call)
    sample, other, text = samples(rows)
    checked = 0
    for op in ops:
        value = text if op in ("contains", "not_contains", "starts_with", "not_starts_with",
                               "ends_with", "not_ends_with") else _value(op, sample, other)
        got = _ids(call({"where": {_key(field, op): value}}))
        expected = _python_filter(rows, field, op, value)
        assert got == expected, "%s %s_%s %r" % (method, field, op, value)
        checked += 1
    assert checked == len(ops)


def test_filters_actually_narrow_the_listing(api_client):
    # guards the reference test above against a degenerate inventory
    vm_api = VmApi(api_client)
    everything = vm_api.get_vms({})
    running = vm_api.get_vms({"where": {"status": "RUNNING"}})
    assert 0 < len(running) < len(everything)
    assert all(vm.status == "RUNNING" for vm in running)
    assert len(vm_api.get_vms({"where": {"vcpu_gt": 4}})) < len(everything)


def test_string_matches_are_case_sensitive(api_client):
    vm_api = VmApi(api_client)
    assert vm_api.get_vms({"where": {"name_contains": "db"}})
    assert vm_api.get_vms({"where": {"name_contains": "DB"}}) == []


def test_null_is_matched_only_by_null(api_client):
    vm_api = VmApi(api_client)
    everything = vm_api.get_vms({})
    without_host = [vm.id for vm in everything if vm.host is None]
    assert without_host and len(without_host) < len(everything)
    assert _ids(vm_api.get_vms({"where": {"host": None}})) == sorted(without_host)
    # comparisons never match a null field
    no_ip = [vm for vm in everything if vm.vm_tools_version is None]
    assert no_ip
    matched = vm_api.get_vms({"where": {"vm_tools_version_not": "9.9.9"}})
    assert not set(_ids(matched)) & set(vm.id for vm in no_ip)
    assert _ids(vm_api.get_vms({"where": {"vm_tools_version": None}})) == sorted(vm.id for vm in no_ip)


def test_relation_filter_follows_the_reference(api_client):
    vm_api = VmApi(api_client)
    clusters = ClusterApi(api_client).get_clusters({"where": {"name": "cluster-elf-a"}})
    assert len(clusters) == 1
    cluster = clusters[0]
    vms = vm_api.get_vms({"where": {"cluster": {"id_in": [cluster.id]}}})
    assert vms and all(vm.cluster.id == cluster.id for vm in vms)
    assert _ids(vms) == _ids(vm_api.get_vms({"where": {"cluster": {"name": "cluster-elf-a"}}}))
    # two levels: disks of hosts of the cluster (the dashboard's query)
    disks = DiskApi(api_client).get_disks({"where": {"host": {"cluster": {"id_in": [cluster.id]}}}})
    host_ids = set(h.id for h in cluster.hosts)
    assert disks and all(d.host.id in host_ids for d in disks)


def test_some_every_none_on_lists(api_client):
    vm_api = VmApi(api_client)
    everything = vm_api.get_vms({})
    labelled = [vm for vm in everything if vm.labels]
    assert labelled and len(labelled) < len(everything)
    some = vm_api.get_vms({"where": {"labels_some": {"key": "team"}}})
    assert _ids(some) == sorted(vm.id for vm in everything if any(label.key == "team" for label in vm.labels))
    none = vm_api.get_vms({"where": {"labels_none": {"key": "team"}}})
    assert _ids(none) == sorted(vm.id for vm in everything if not any(label.key == "team" for label in vm.labels))
    # _every holds for a VM without labels (an empty list), as in SQL
    every = vm_api.get_vms({"where": {"labels_every": {"key": "team"}}})
    expected = sorted(vm.id for vm in everything if all(label.key == "team" for label in vm.labels))
    assert _ids(every) == expected
    assert set(vm.id for vm in everything if not vm.labels) <= set(expected)
    # on a list of rows of another table: VMs with a CD-ROM that has an image
    with_iso = vm_api.get_vms({"where": {"vm_disks_some": {"type": "CD_ROM", "elf_image": {"name_ends_with": ".iso"}}}})
    assert with_iso and len(with_iso) < len(everything)


def test_and_or_not(api_client):
    vm_api = VmApi(api_client)
    everything = vm_api.get_vms({})
    running = set(vm.id for vm in everything if vm.status == "RUNNING")
    big = set(vm.id for vm in everything if vm.vcpu > 4)
    assert running & big and running - big
    assert set(_ids(vm_api.get_vms({"where": {"AND": [{"status": "RUNNING"}, {"vcpu_gt": 4}]}}))) == running & big
    assert set(_ids(vm_api.get_vms({"where": {"OR": [{"status": "RUNNING"}, {"vcpu_gt": 4}]}}))) == running | big
    assert set(_ids(vm_api.get_vms({"where": {"NOT": [{"status": "RUNNING"}]}}))) == set(
        vm.id for vm in everything) - running
    assert set(_ids(vm_api.get_vms({"where": {"NOT": [{"status": "RUNNING"}, {"vcpu_gt": 4}]}}))) == set(
        vm.id for vm in everything) - running - big
    # the empty forms: AND [] is true, OR [] is false
    assert len(vm_api.get_vms({"where": {"AND": []}})) == len(everything)
    assert vm_api.get_vms({"where": {"OR": []}}) == []
    nested = vm_api.get_vms({"where": {"OR": [{"AND": [{"status": "RUNNING"}, {"ha": True}]},
                                              {"name_starts_with": "elf-b-test"}]}})
    assert set(_ids(nested)) == set(vm.id for vm in everything if (vm.status == "RUNNING" and vm.ha)
                                    or vm.name.startswith("elf-b-test"))


def test_order_by_each_direction_with_nulls(api_client):
    vm_api = VmApi(api_client)
    by_name = [vm.name for vm in vm_api.get_vms({"orderBy": "name_ASC"})]
    assert by_name == sorted(by_name)
    assert [vm.name for vm in vm_api.get_vms({"orderBy": "name_DESC"})] == by_name[::-1]
    by_memory = [vm.memory for vm in vm_api.get_vms({"orderBy": "memory_DESC"})]
    assert by_memory == sorted(by_memory, reverse=True)
    # nulls last when ascending, first when descending
    versions = [vm.vm_tools_version for vm in vm_api.get_vms({"orderBy": "vm_tools_version_ASC"})]
    assert versions[0] is not None and versions[-1] is None
    versions = [vm.vm_tools_version for vm in vm_api.get_vms({"orderBy": "vm_tools_version_DESC"})]
    assert versions[0] is None and versions[-1] is not None


def test_default_order_is_stable_creation_order(api_client):
    vm_api = VmApi(api_client)
    first = [vm.id for vm in vm_api.get_vms({})]
    assert first == sorted(first)
    assert first == [vm.id for vm in vm_api.get_vms({})]


def test_pagination_first_skip_after_before_last(api_client):
    vm_api = VmApi(api_client)
    ids = [vm.id for vm in vm_api.get_vms({"orderBy": "name_ASC"})]
    assert len(ids) > 10

    def page(**body):
        body.setdefault("orderBy", "name_ASC")
        return [vm.id for vm in vm_api.get_vms(body)]
    assert page(first=5) == ids[:5]
    assert page(first=5, skip=5) == ids[5:10]
    assert page(skip=len(ids) - 2) == ids[-2:]
    assert page(first=3, after=ids[4]) == ids[5:8]
    assert page(before=ids[4]) == ids[:4]
    assert page(last=3) == ids[-3:]
    assert page(last=2, before=ids[6]) == ids[4:6]
    assert page(first=0) == []
    # walking with a cursor visits every row once
    seen, cursor = [], None
    while True:
        body = {"first": 4}
        if cursor:
            body["after"] = cursor
        chunk = page(**body)
        if not chunk:
            break
        seen.extend(chunk)
        cursor = chunk[-1]
    assert seen == ids


def test_negative_page_sizes_are_refused(api_client):
    with pytest.raises(ApiException) as caught:
        VmApi(api_client).get_vms({"first": -1})
    assert caught.value.status == 400
    assert "first" in caught.value.message


def test_connection_counts_with_the_same_filters(api_client):
    vm_api = VmApi(api_client)
    for where in ({}, {"status": "RUNNING"}, {"cluster": {"name": "cluster-elf-b"}},
                  {"OR": [{"vcpu_gte": 8}, {"name_contains": "web"}]}):
        count = vm_api.get_vms_connection({"where": where}).aggregate.count
        assert count == len(vm_api.get_vms({"where": where}))
    assert vm_api.get_vms_connection({"where": {"name": "no-such-vm"}}).aggregate.count == 0
    assert HostApi(api_client).get_hosts_connection({}).aggregate.count == len(
        HostApi(api_client).get_hosts({}))


def test_unsupported_filter_is_refused_loudly(api_client):
    from cloudtower.api.cluster_image_api import ClusterImageApi
    with pytest.raises(ApiException) as caught:
        ClusterImageApi(api_client).get_cluster_images({"where": {"version_semantic_gt": "1.0"}})
    assert caught.value.status == 400
    assert "version_semantic_gt" in caught.value.message and "not supported" in caught.value.message


def test_unknown_filter_key_is_a_validation_error(api_client):
    with pytest.raises(ApiException) as caught:
        VmApi(api_client).get_vms({"where": {"colour": "red"}})
    assert caught.value.status == 400
    assert "body.where.colour" in caught.value.message


def test_every_get_operation_answers_and_rows_have_every_field(simulator, api_client):
    from cloudtower.simulator.schema import tables
    from cloudtower.versions import contains
    known = tables()
    # the operations of the simulator's CloudTower version (the newest)
    names = [n for n in sorted(OPERATIONS) if OPERATIONS[n].path.startswith("/get-")
             and not OPERATIONS[n].path.endswith("-connection")
             and contains(OPERATIONS[n].versions, simulator.version_index)]
    assert len(names) >= 143
    with_rows = 0
    faker = Faker(7)
    for name in names:
        op = OPERATIONS[name]
        # the smallest valid body: required fields only
        args = (faker.value(op.body[1], "", False, 0),) if op.body is not None else ()
        data, status, _ = api_client.call_operation(op, args, {}, with_http_info=True)
        assert status == 200, name
        if not op.return_type.startswith("list["):
            continue
        item = op.return_type[5:-1]
        cls = model_class(item)
        fields = set(cls.openapi_types) if cls is not None else set()
        for row in data:
            present = set(k for k in row.__dict__ if not k.startswith("_"))
            assert present >= fields, (name, fields - present)
            assert not getattr(row, "_unknown_fields", None), (name, row._unknown_fields)
        if item in known and data:
            with_rows += 1
    assert with_rows >= 25


def test_references_point_at_real_rows_both_ways(api_client):
    vm_api = VmApi(api_client)
    clusters = dict((c.id, c) for c in ClusterApi(api_client).get_clusters({}))
    hosts = dict((h.id, h) for h in HostApi(api_client).get_hosts({}))
    from cloudtower.api.vm_disk_api import VmDiskApi
    from cloudtower.api.vm_nic_api import VmNicApi
    disks = dict((d.id, d) for d in VmDiskApi(api_client).get_vm_disks({}))
    nics = dict((n.id, n) for n in VmNicApi(api_client).get_vm_nics({}))
    vms = vm_api.get_vms({})
    for vm in vms:
        cluster = clusters[vm.cluster.id]
        assert vm.cluster.name == cluster.name
        assert vm.id in [v.id for v in cluster.vms]
        if vm.host is not None:
            assert vm.id in [v.id for v in hosts[vm.host.id].vms]
            assert hosts[vm.host.id].cluster.id == cluster.id
        for ref in vm.vm_disks:
            assert disks[ref.id].vm.id == vm.id
        for ref in vm.vm_nics:
            assert nics[ref.id].vm.id == vm.id
    assert sum(len(c.vms) for c in clusters.values()) == len(vms)
    assert sorted(disks) == sorted(ref.id for vm in vms for ref in vm.vm_disks)


def test_content_language_translates_alerts(api_client):
    alert_api = AlertApi(api_client)
    english = alert_api.get_alerts({"first": 1})[0]
    chinese = alert_api.get_alerts({"first": 1}, content_language="zh-CN")[0]
    assert english.id == chinese.id
    assert english.message != chinese.message
    assert u"\u96c6\u7fa4" in chinese.message or u"\u4e3b\u673a" in chinese.message or \
        u"\u865a\u62df\u673a" in chinese.message


def _table_ids(simulator):
    """{table name: the id of its first row} for every table that has rows."""
    with simulator.store.lock:
        return dict((name, min(rows)) for name, rows in simulator.store.rows.items() if rows)


def _fill_ids(type_name, value, ids):
    """A generated body with real rows: ``where`` picks one row, ``*_id`` names one."""
    from cloudtower.simulator.schema import schema, split_list, table_of_where
    inner, many = split_list(type_name)
    if many:
        return [_fill_ids(inner, item, ids) for item in value or ()]
    model = schema(inner)
    if model is None or model.is_enum or not isinstance(value, dict):
        return value
    if inner.endswith("WhereInput") or inner.endswith("WhereUniqueInput"):
        table = table_of_where(inner)
        return {"id": ids[table.name]} if table is not None and table.name in ids else value
    result = {}
    for key, item in value.items():
        field = model.fields.get(key)
        if field is None:
            continue
        if key.endswith("_id") and isinstance(item, str):
            # the table the simulator reads the parameter as naming (src_vm_id: Vm)
            from cloudtower.simulator.handlers import named_rows
            for table, _, _ in named_rows({key: item}):
                item = ids.get(table, item)
        result[key] = _fill_ids(field.type, item, ids)
    return result


# operations that would end the session or make the rest meaningless
_NOT_WALKED = ("logout", "create_root_user", "delete_user")


def test_rows_satisfy_their_schema_before_and_after_changes(simulator, api_client, finish):
    # the official SDK builds every object of an answer strictly: a null in a
    # required field, a value outside an enum or a bound fails the whole call
    import json

    from cloudtower import (
        ElfImageApi,
        IscsiLunApi,
        IscsiLunSnapshotApi,
        LabelApi,
        VmSnapshotApi,
        VmTemplateApi,
    )
    from cloudtower.simulator.schema import split_list
    from tests.strict import problems as strict_problems
    vm_api = VmApi(api_client)
    cluster = ClusterApi(api_client).get_clusters({"where": {"name": "cluster-elf-a"}})[0]
    template = VmTemplateApi(api_client).get_vm_templates({"where": {"cluster": {"id": cluster.id}}})[0]
    source = vm_api.get_vms({"where": {"name": "elf-a-web-01"}})[0]
    lun = IscsiLunApi(api_client).get_iscsi_luns({"where": {"snapshot_num_gt": 0}})[0]
    lun_snapshot = IscsiLunSnapshotApi(api_client).get_iscsi_lun_snapshots(
        {"where": {"iscsi_lun": {"id": lun.id}}})[0]
    tasks = [a.task_id for a in vm_api.create_vm_from_template([
        {"template_id": template.id, "name": "schema-1", "is_full_copy": False}])]
    tasks += [a.task_id for a in vm_api.clone_vm([{"src_vm_id": source.id, "name": "schema-2"}])]
    tasks += [a.task_id for a in VmSnapshotApi(api_client).create_vm_snapshot(
        {"data": [{"vm_id": source.id, "name": "schema-snap"}]})]
    tasks += [a.task_id for a in VmTemplateApi(api_client).clone_vm_template_from_vm(
        [{"vm_id": source.id, "name": "schema-tpl", "cloud_init_supported": False}])]
    tasks += [a.task_id for a in LabelApi(api_client).create_label([{"key": "schema"}])]
    tasks += [a.task_id for a in vm_api.update_vm({"where": {"id": source.id}, "data": {"vcpu": 2}})]
    tasks += [a.task_id for a in IscsiLunApi(api_client).clone_iscsi_lun_from_snapshot([
        {"iscsi_target_id": lun.iscsi_target.id, "snapshot_id": lun_snapshot.id, "name": "cloned"}])]
    tasks += [a.task_id for a in IscsiLunApi(api_client).rollback_iscsi_lun_from_snapshot([
        {"lun_id": lun.id, "snapshot_id": lun_snapshot.id}])]
    ElfImageApi(api_client).create_elf_image(("schema.iso", b"iso"), cluster_id=cluster.id)
    assert all(t.status == "SUCCESSED" for t in finish(tasks))

    # then every other mutation, with a generated body naming existing rows
    from cloudtower.simulator.fake import Faker
    faker = Faker(11)
    answered = set()
    found = set()
    for name in sorted(OPERATIONS):
        op = OPERATIONS[name]
        if op.path.startswith("/get-") or op.body is None or name in _NOT_WALKED:
            continue
        ids = _table_ids(simulator)
        body = _fill_ids(op.body[1], faker.value(op.body[1], "", False, 0), ids)
        try:
            response = api_client.call_operation(op, (body,), {"_preload_content": False})
        except ApiException as error:
            assert error.status == 400, (name, error)
            continue
        answered.add(name)
        strict_problems(op.return_type, json.loads(response.data.decode("utf-8")),
                        "%s answer: %s" % (name, split_list(op.return_type)[0]), found)
        simulator.settle()
    assert len(answered) > 200, len(answered)

    checked, problems = every_row_problems(api_client, simulator)
    assert checked > 300
    assert sorted(found) + problems == []


def every_row_problems(api_client, simulator, page_size=None, visit=None):
    """(rows checked, sorted problems) over every table the simulator's version lists,
    read over HTTP (in pages of ``page_size`` by cursor when given) and checked as
    strictly as the official SDK reads them; ``visit(table name, row)`` sees each
    row too."""
    import json

    from cloudtower.simulator.schema import tables
    from cloudtower.versions import contains
    from tests.strict import problems as strict_problems
    problems = set()
    checked = 0
    for name, table in sorted(tables().items()):
        if not contains(table.list_op.versions, simulator.version_index):
            continue  # a table of an older CloudTower version
        body = {}
        while True:
            if page_size:
                body["first"] = page_size
            response = api_client.call_operation(table.list_op, (body,), {"_preload_content": False})
            rows = json.loads(response.data.decode("utf-8"))
            for row in rows:
                strict_problems(name, row, "%s %s" % (name, row["id"]), problems)
                checked += 1
                if visit is not None:
                    visit(name, row)
            if not page_size or len(rows) < page_size:
                break
            body = {"after": rows[-1]["id"]}
    return checked, sorted(problems)
