# coding: utf-8
"""Estates of any size (``Simulator(size=...)``, cloudtower.simulator.scale),
checked over HTTP: the 10,000-VM estate satisfies every schema and relation,
pages by cursor and by skip, and filters as the small one does."""
import json

import pytest

from cloudtower import ClusterApi, DatacenterApi, HostApi, VmApi
from cloudtower.simulator import Simulator
from cloudtower.simulator.scale import Size, describe, parse
from cloudtower.simulator.store import Store
from cloudtower.utils import paginate
from tests.test_simulator_query import every_row_problems


@pytest.fixture(scope="module")
def large():
    with Simulator(port=0, seed=3, size="large", task_seconds=0.05) as sim:
        yield sim


@pytest.fixture
def large_client(large):
    client = large.client()
    yield client
    client.close()


def test_sizes_read_as_documented():
    assert parse(None) is None
    assert parse("small") is None
    assert parse(21) is None
    assert parse("medium") == Size(1000, 10)
    assert parse("LARGE") == Size(10000, 50)
    assert parse(10000) == Size(10000, 50)
    assert parse("2500") == Size(2500, 13)
    assert parse(30) == Size(30, 5)
    assert parse("5000x20") == Size(5000, 20)
    assert [describe(s) for s in ("small", 10000, "5000x20", "1000x10")] == \
        ["small", "large", "5000x20", "medium"]
    for wrong in ("huge", "20", 5, "100x4", "30x40", True, "10x", -1):
        with pytest.raises(ValueError):
            parse(wrong)


def test_the_same_seed_and_size_give_the_same_estate():
    first, second = Store(5, size="300x6"), Store(5, size="300x6")
    assert json.dumps(first.rows, sort_keys=True) == json.dumps(second.rows, sort_keys=True)
    small = Store(5)
    # a larger estate keeps the seeded one as it is and adds to it (relations to the
    # added rows aside: the seeded labels are on added VMs too)
    for name, rows in small.rows.items():
        if name == "ContentLibraryImage":
            continue  # lists the images of every cluster
        refs = set(field.key for field in small.tables[name].refs)
        for row_id, row in rows.items():
            grown = first.rows[name][row_id]
            assert dict((k, v) for k, v in grown.items() if k not in refs) == \
                dict((k, v) for k, v in row.items() if k not in refs), (name, row.get("name"))
            for key in refs:
                value = row.get(key)
                if isinstance(value, list):
                    assert grown[key][:len(value)] == value
                else:
                    assert grown[key] == value
    assert len(first.rows["Vm"]) == 300
    assert len(first.rows["Cluster"]) == 6


def test_a_large_estate_has_what_was_asked_over_http(large, large_client):
    vm_api = VmApi(large_client)
    assert vm_api.get_vms_connection({}).aggregate.count == 10000
    clusters = ClusterApi(large_client).get_clusters({})
    assert len(clusters) == 50
    assert len(DatacenterApi(large_client).get_datacenters({})) == 2 + 5
    assert HostApi(large_client).get_hosts_connection({}).aggregate.count == 11 + 46 * 4
    # the added clusters hold the rest, spread evenly, in every power state
    added = [c for c in clusters if c.name.startswith("cluster-elf-0")]
    assert len(added) == 46
    counts = sorted(len(c.vms) for c in added)
    assert sum(counts) == 10000 - 21 and counts[-1] - counts[0] <= 1
    for status in ("RUNNING", "STOPPED", "SUSPENDED", "UNKNOWN"):
        where = {"status": status, "cluster": {"name": "cluster-elf-017"}}
        assert vm_api.get_vms_connection({"where": where}).aggregate.count > 0
    recycled = vm_api.get_vms_connection({"where": {"in_recycle_bin": True}}).aggregate.count
    assert recycled == 2 + 46 * 2  # the seeded two, and every 100th of each added cluster
    one = vm_api.get_vms({"where": {"name": "elf-017-db-0003"}})
    assert len(one) == 1 and one[0].cluster.name == "cluster-elf-017"
    assert len(one[0].vm_disks) == 3 and len(one[0].vm_nics) == 2


@pytest.mark.slow
def test_every_row_of_the_10000_vm_estate_satisfies_its_schema_and_relations(large, large_client):
    from cloudtower.simulator.schema import tables
    known = tables()
    seen = {}     # table -> set of ids
    links = {}    # (table, key) -> {row id: [target ids]}

    def visit(name, row):
        seen.setdefault(name, set()).add(row["id"])
        for field in known[name].refs:
            value = row.get(field.key)
            if value is None:
                ids = []
            elif field.many:
                ids = [item["id"] for item in value]
            else:
                ids = [value["id"]]
            links.setdefault((name, field.key), {})[row["id"]] = ids

    checked, problems = every_row_problems(large_client, large, page_size=2000, visit=visit)
    assert problems == []
    assert checked > 60000
    assert len(seen["Vm"]) == 10000
    broken = []
    pairs = 0
    for (name, key), by_row in sorted(links.items()):
        other = known[name].inverse.get(key)
        if other is None or other[0] not in seen:
            continue
        back = links[other]
        for row_id, targets in by_row.items():
            for target in targets:
                pairs += 1
                if row_id not in back.get(target, ()):
                    broken.append("%s %s.%s -> %s %s" % (name, row_id, key, other[0], target))
    assert broken[:10] == []
    assert pairs > 100000


def test_paginate_reads_the_10000_vms_by_cursor_and_by_skip(large_client):
    vm_api = VmApi(large_client)
    by_cursor = [vm.id for vm in paginate(vm_api.get_vms, {}, page_size=500)]
    assert len(by_cursor) == 10000 and len(set(by_cursor)) == 10000
    assert by_cursor == sorted(by_cursor)
    by_skip = [vm.id for vm in paginate(vm_api.get_vms, {}, page_size=1000, use_skip=True)]
    assert by_skip == by_cursor
    # by hand, as a script without the helper would
    pages = 0
    after = None
    seen = []
    while True:
        body = {"first": 1000}
        if after:
            body["after"] = after
        page = vm_api.get_vms(body)
        pages += 1
        seen.extend(vm.id for vm in page)
        if len(page) < 1000:
            break
        after = page[-1].id
    assert seen == by_cursor and pages == 11
    last = vm_api.get_vms({"last": 3, "before": by_cursor[5000]})
    assert [vm.id for vm in last] == by_cursor[4997:5000]


def test_a_filtered_and_ordered_page_of_the_large_estate(large_client):
    vm_api = VmApi(large_client)
    where = {"status": "RUNNING", "cluster": {"name_in": ["cluster-elf-001", "cluster-elf-002"]}}
    everything = vm_api.get_vms({"where": where, "orderBy": "name_ASC"})
    assert everything and all(vm.status == "RUNNING" for vm in everything)
    assert [vm.name for vm in everything] == sorted(vm.name for vm in everything)
    page = vm_api.get_vms({"where": where, "orderBy": "name_ASC", "first": 10,
                           "after": everything[9].id})
    assert [vm.id for vm in page] == [vm.id for vm in everything[10:20]]
    count = vm_api.get_vms_connection({"where": where}).aggregate.count
    assert count == len(everything)


def test_a_change_on_the_large_estate_shows_in_the_next_page(large, large_client, ):
    from cloudtower.api.label_api import LabelApi
    from tests.conftest import wait_for_tasks
    vm_api = VmApi(large_client)
    before = vm_api.get_vms_connection({}).aggregate.count
    source = vm_api.get_vms({"where": {"name": "elf-020-web-0001"}})[0]
    tasks = [a.task_id for a in vm_api.clone_vm([{"src_vm_id": source.id, "name": "scale-clone"}])]
    tasks += [a.task_id for a in LabelApi(large_client).create_label([{"key": "scale"}])]
    assert [t.status for t in wait_for_tasks(large_client, tasks)] == ["SUCCESSED"] * 2
    ids = [vm.id for vm in paginate(vm_api.get_vms, {}, page_size=2000)]
    assert len(ids) == before + 1 and len(set(ids)) == len(ids)
    assert vm_api.get_vms({"last": 1})[0].name == "scale-clone"
    large.reset()
    assert vm_api.get_vms_connection({}).aggregate.count == 10000
