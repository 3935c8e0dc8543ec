# coding: utf-8
"""Reading VMs: all of them, a page, the running ones, by name, by vCPU count.

    python examples/get_vms.py                  # every scenario
    python examples/get_vms.py running_vms      # just one

See _common.py for how to point it at a real CloudTower.
"""
from __future__ import print_function

from _common import run
from cloudtower import VmApi, VmStatus
from cloudtower.utils import paginate


def _show(vms, limit=5):
    for vm in vms[:limit]:
        print("  %-32s %-9s vcpu=%-3s memory=%.1f GiB" % (
            vm.name, vm.status, vm.vcpu, (vm.memory or 0) / 1024.0 ** 3))
    if len(vms) > limit:
        print("  ... and %d more" % (len(vms) - limit))


def all_vms(api_client):
    # An empty request returns every VM in one answer; fine for hundreds.
    vms = VmApi(api_client).get_vms({})
    print("%d VMs in all" % len(vms))
    _show(vms)


def all_vms_page_by_page(api_client):
    # For tens of thousands of VMs, read them a page at a time: memory stays
    # bounded by the page size. `first` + `after` (the last id) under the hood.
    count = 0
    for _vm in paginate(VmApi(api_client).get_vms, {"orderBy": "name_ASC"}, page_size=50):
        count += 1
    print("%d VMs read in pages of 50" % count)


def second_page_of_vms(api_client):
    # One page by offset: skip the first 10, take the next 10. A stable order
    # makes consecutive pages line up.
    vms = VmApi(api_client).get_vms({"orderBy": "name_ASC", "skip": 10, "first": 10})
    print("page 2 (10 a page, by name): %d VMs" % len(vms))
    _show(vms)


def running_vms(api_client):
    vms = VmApi(api_client).get_vms({"where": {"status": VmStatus.RUNNING}})
    assert all(vm.status == VmStatus.RUNNING for vm in vms)
    print("%d running VMs" % len(vms))
    _show(vms)


def vms_by_name_or_description(api_client):
    # Search for a real VM's name without its trailing number ("web-01" ->
    # "web-"), so the example finds that VM and its siblings.
    vm_api = VmApi(api_client)
    sample = vm_api.get_vms({"orderBy": "name_ASC", "first": 1})
    if not sample:
        print("no VMs at all")
        return
    word = sample[0].name.rstrip("0123456789") or sample[0].name
    vms = vm_api.get_vms({"where": {"OR": [{"name_contains": word},
                                           {"description_contains": word}]}})
    print("%d VMs with %r in the name or description" % (len(vms), word))
    _show(vms)


def vms_with_more_than_4_vcpus(api_client):
    vms = VmApi(api_client).get_vms({"where": {"vcpu_gt": 4}, "orderBy": "vcpu_DESC"})
    assert all(vm.vcpu > 4 for vm in vms)
    print("%d VMs with more than 4 vCPUs" % len(vms))
    _show(vms)


def count_and_async(api_client):
    # The count without the rows, and a request sent in the background
    # (async_req=True returns at once; .get() waits for the result).
    vm_api = VmApi(api_client)
    pending = vm_api.get_vms({"where": {"status": VmStatus.STOPPED}, "first": 1},
                             async_req=True)
    total = vm_api.get_vms_connection({}).aggregate.count
    stopped = pending.get()
    print("%d VMs; first stopped one: %s" % (total, stopped[0].name if stopped else "none"))


if __name__ == "__main__":
    run([all_vms, all_vms_page_by_page, second_page_of_vms, running_vms,
         vms_by_name_or_description, vms_with_more_than_4_vcpus, count_and_async])
