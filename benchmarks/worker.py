"""One measurement for one client, in its own process.

Run by ``run.py`` with the interpreter of a benchmark virtualenv, so that
``import cloudtower`` is this project's SDK in one venv and the official
``cloudtower-sdk`` 2.20.0 in the other (the two are drop-in compatible: the
same code below drives both). ``floor`` is raw urllib3 + ``json.loads``.

Usage: ``python worker.py MEASUREMENT CLIENT [options]``; the result is one
JSON object on the last line of stdout.
"""
import argparse
import gc
import json
import resource
import sys
import time

TOKEN = "bench-token"


def peak_rss_mb():
    """This process's peak RSS (VmHWM). Not ru_maxrss: Linux carries into it the
    RSS of the parent image that forked this process before exec."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM in /proc/self/status")


def rss_mb():
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / (1024.0 * 1024.0)


def sdk_client(url, pool_threads=1):
    import cloudtower
    from cloudtower import ApiClient, Configuration, VmApi
    configuration = Configuration(host=url + "/v2/api")
    configuration.api_key["Authorization"] = TOKEN
    client = ApiClient(configuration, pool_threads=pool_threads)
    return cloudtower, client, VmApi(client)


class Floor(object):
    """The least any Python client must do for a call: one urllib3 request and json.loads."""

    def __init__(self, url, maxsize=1):
        import urllib3
        self.pool = urllib3.PoolManager(maxsize=maxsize)
        self.url = url + "/v2/api/get-vms"
        self.headers = {"Content-Type": "application/json", "Accept": "application/json",
                        "Authorization": TOKEN}

    def get_vms(self, body):
        response = self.pool.request("POST", self.url, body=json.dumps(body).encode("utf-8"),
                                     headers=self.headers)
        if response.status != 200:
            raise RuntimeError("status %d" % response.status)
        return json.loads(response.data)


def where_from(client_kind):
    """Proof that the SDK under test is the installed one, not a source tree."""
    if client_kind == "floor":
        import urllib3
        return urllib3.__file__
    import cloudtower
    return cloudtower.__file__


# -- 3: get_vms answering 2,000 fully populated VMs ------------------------

def big_get_vms(args):
    if args.client == "floor":
        floor = Floor(args.url)
        call = lambda: floor.get_vms({})  # noqa: E731
    else:
        _, _, vm_api = sdk_client(args.url)
        call = lambda: vm_api.get_vms({})  # noqa: E731
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    vms = call()
    first = time.perf_counter() - started
    peak = peak_rss_mb()
    check = describe_vms(args.client, vms, args.count, args.first_id)
    del vms
    gc.collect()
    repeats = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        vms = call()
        repeats.append(time.perf_counter() - started)
        del vms
        gc.collect()
    return {"first": first, "repeats": repeats, "rss_before_mb": before, "peak_rss_mb": peak,
            "check": check}


def describe_vms(client_kind, vms, count, first_id):
    """Fail loudly unless the answer is the 2,000 VMs served, read as real objects."""
    if len(vms) != count:
        raise AssertionError("expected %d VMs, got %d" % (count, len(vms)))
    vm = vms[0]
    if client_kind == "floor":
        if vm["id"] != first_id:
            raise AssertionError("first VM id %r != %r" % (vm["id"], first_id))
        return {"vm": "dict"}
    from cloudtower import Vm
    if not isinstance(vm, Vm) or vm.id != first_id:
        raise AssertionError("first VM is %r (id %r), expected a Vm with id %r"
                             % (type(vm), getattr(vm, "id", None), first_id))
    # nested references must be model objects too, not dicts
    return {"vm": type(vm).__name__, "cluster": type(vm.cluster).__name__,
            "vm_disks": type(vm.vm_disks[0]).__name__ if vm.vm_disks else None}


# -- 4: serializing a create_vm request with 100 VMs ----------------------

def vm_request_dicts(count):
    """The create_vm body as plain data: what the models below must serialize to."""
    result = []
    for i in range(count):
        result.append({
            "cluster_id": "ckl0u4gsq0u1v0958smsgz6w0", "name": "bench-vm-%03d" % i,
            "description": "created by the benchmark", "ha": True,
            "cpu_cores": 2, "cpu_sockets": 2, "vcpu": 4, "memory": 8 * 1024 ** 3,
            "status": "STOPPED", "firmware": "BIOS", "guest_os_type": "LINUX",
            "vm_disks": {
                "mount_cd_roms": [{"index": 0, "boot": 0,
                                   "elf_image_id": "ckl0u4h1p0u2a0958ys7b5zlq"}],
                "mount_new_create_disks": [
                    {"boot": 1 + d, "bus": "VIRTIO", "index": d,
                     "vm_volume": {"elf_storage_policy": "REPLICA_2_THIN_PROVISION",
                                   "size": (20 + 10 * d) * 1024 ** 3,
                                   "name": "bench-vm-%03d-disk-%d" % (i, d)}}
                    for d in range(2)],
            },
            "vm_nics": [{"connect_vlan_id": "ckl0u4hbd0u2k0958mbj9b5kd", "mirror": False,
                         "model": "VIRTIO", "enabled": True}],
        })
    return result


def build_vm_models(count):
    from cloudtower import (
        Bus,
        MountNewCreateDisksParams,
        MountNewCreateDisksParamsVmVolume,
        VmCdRomParams,
        VmCreationParams,
        VmDiskParams,
        VmFirmware,
        VmGuestsOperationSystem,
        VmNicModel,
        VmNicParams,
        VmStatus,
        VmVolumeElfStoragePolicyType,
    )
    result = []
    for i in range(count):
        result.append(VmCreationParams(
            cluster_id="ckl0u4gsq0u1v0958smsgz6w0", name="bench-vm-%03d" % i,
            description="created by the benchmark", ha=True,
            cpu_cores=2, cpu_sockets=2, vcpu=4, memory=8 * 1024 ** 3,
            status=VmStatus.STOPPED, firmware=VmFirmware.BIOS,
            guest_os_type=VmGuestsOperationSystem.LINUX,
            vm_disks=VmDiskParams(
                mount_cd_roms=[VmCdRomParams(index=0, boot=0,
                                             elf_image_id="ckl0u4h1p0u2a0958ys7b5zlq")],
                mount_new_create_disks=[
                    MountNewCreateDisksParams(
                        boot=1 + d, bus=Bus.VIRTIO, index=d,
                        vm_volume=MountNewCreateDisksParamsVmVolume(
                            elf_storage_policy=VmVolumeElfStoragePolicyType._2_THIN_PROVISION,
                            size=(20 + 10 * d) * 1024 ** 3,
                            name="bench-vm-%03d-disk-%d" % (i, d)))
                    for d in range(2)]),
            vm_nics=[VmNicParams(connect_vlan_id="ckl0u4hbd0u2k0958mbj9b5kd", mirror=False,
                                 model=VmNicModel.VIRTIO, enabled=True)]))
    return result


def serialize(args):
    builds, serials = [], []
    expected = json.dumps(vm_request_dicts(args.count), sort_keys=True)
    if args.client == "floor":
        # the floor: the same body as plain dicts, only json.dumps
        for _ in range(args.repeats):
            started = time.perf_counter()
            body = vm_request_dicts(args.count)
            middle = time.perf_counter()
            payload = json.dumps(body)
            serials.append(time.perf_counter() - middle)
            builds.append(middle - started)
    else:
        # nothing is sent: the client is only the serializer
        _, client, _ = sdk_client("http://127.0.0.1:9")
        build_vm_models(1)  # the lazy imports of the model classes belong to the import measurement
        for _ in range(args.repeats):
            started = time.perf_counter()
            models = build_vm_models(args.count)
            middle = time.perf_counter()
            # what the SDK does to a body before sending it
            payload = json.dumps(client.sanitize_for_serialization(models))
            serials.append(time.perf_counter() - middle)
            builds.append(middle - started)
    same = json.dumps(json.loads(payload), sort_keys=True) == expected
    if not same:
        raise AssertionError("the serialized request differs from the expected body")
    return {"build": builds, "serialize": serials, "bytes": len(payload)}


# -- 5 and 6: many small calls ----------------------------------------------

def small_calls(args):
    if args.client == "floor":
        floor = Floor(args.url)
        call = lambda: floor.get_vms({"first": 1})  # noqa: E731
    else:
        _, _, vm_api = sdk_client(args.url)
        call = lambda: vm_api.get_vms({"first": 1})  # noqa: E731
    for _ in range(args.warmup):
        result = call()
    check_small(args.client, result, args.first_id)
    batches = []
    for _ in range(args.batches):
        started = time.perf_counter()
        for _ in range(args.calls):
            call()
        batches.append(time.perf_counter() - started)
    return {"batches": batches}


def check_small(client_kind, result, first_id):
    item = result[0]
    got = item["id"] if client_kind == "floor" else item.id
    if len(result) != 1 or got != first_id:
        raise AssertionError("a small call answered %d items, first id %r" % (len(result), got))


def async_calls(args):
    if args.client == "floor":
        from multiprocessing.pool import ThreadPool
        floor = Floor(args.url, maxsize=args.threads)
        pool = ThreadPool(args.threads)
        submit = lambda: pool.apply_async(floor.get_vms, ({"first": 1},))  # noqa: E731
    else:
        _, client, vm_api = sdk_client(args.url, pool_threads=args.threads)
        submit = lambda: vm_api.get_vms({"first": 1}, async_req=True)  # noqa: E731
    for handle in [submit() for _ in range(args.warmup)]:
        check_small(args.client, handle.get(), args.first_id)
    batches = []
    for _ in range(args.batches):
        started = time.perf_counter()
        handles = [submit() for _ in range(args.calls)]
        results = [handle.get() for handle in handles]
        batches.append(time.perf_counter() - started)
        for result in results:
            check_small(args.client, result, args.first_id)
    return {"batches": batches}


# -- 7: wait_tasks -------------------------------------------------------------

def wait_tasks_run(args):
    """Log in, say READY, read task ids from stdin, wait for them, report when done."""
    from cloudtower import ApiClient, Configuration, UserApi
    from cloudtower.utils import wait_tasks
    configuration = Configuration(host=args.url)
    client = ApiClient(configuration)
    login = UserApi(client).login({"username": args.username, "password": args.password,
                                   "source": "LOCAL"})
    configuration.api_key["Authorization"] = login.data.token
    print("READY", flush=True)
    ids = json.loads(sys.stdin.readline())
    started = time.time()
    error = None
    try:
        wait_tasks(list(ids), client)  # the helper's defaults, as the guide calls it
    except Exception as exc:  # reported, and judged by run.py
        error = "%s: %s" % (type(exc).__name__, exc)
    return {"started": started, "returned": time.time(), "error": error}


# -- 8: paginate over 10,000 VMs on the simulator -------------------------------

def paginate_run(args):
    """Log in, then read every VM a page at a time (``--page-size``): ours with
    ``cloudtower.utils.paginate``; the official SDK, which has no such helper, and the
    floor by hand with ``first`` + ``after``, as a script would. Only the reading is timed."""
    body = json.dumps({"username": args.username, "password": args.password, "source": "LOCAL"})
    if args.client == "floor":
        import urllib3
        pool = urllib3.PoolManager(maxsize=1)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        answer = pool.request("POST", args.url + "/login", body=body.encode("utf-8"), headers=headers)
        headers["Authorization"] = json.loads(answer.data)["data"]["token"]

        def get_vms(request):
            response = pool.request("POST", args.url + "/get-vms", headers=headers,
                                    body=json.dumps(request).encode("utf-8"))
            if response.status != 200:
                raise RuntimeError("status %d" % response.status)
            return json.loads(response.data)
        ident = lambda vm: vm["id"]  # noqa: E731
    else:
        from cloudtower import ApiClient, Configuration, UserApi, VmApi
        configuration = Configuration(host=args.url)
        client = ApiClient(configuration)
        token = UserApi(client).login(json.loads(body)).data.token
        configuration.api_key["Authorization"] = token
        get_vms = VmApi(client).get_vms
        ident = lambda vm: vm.id  # noqa: E731
    ids = []
    pages = 0
    started = time.perf_counter()
    if args.client == "ours":
        from cloudtower.utils import paginate
        ids = [vm.id for vm in paginate(get_vms, {}, page_size=args.page_size)]
        pages = len(ids) // args.page_size + 1
    else:
        after = None
        while True:
            request = {"first": args.page_size}
            if after is not None:
                request["after"] = after
            page = get_vms(request)
            pages += 1
            ids.extend(ident(vm) for vm in page)
            if len(page) < args.page_size:
                break
            after = ids[-1]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(ids), "distinct": len(set(ids)), "pages": pages,
            "in_order": ids == sorted(ids)}


MEASUREMENTS = {"big": big_get_vms, "serialize": serialize, "small": small_calls,
                "async": async_calls, "wait": wait_tasks_run, "paginate": paginate_run}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("measurement", choices=sorted(MEASUREMENTS))
    parser.add_argument("client", choices=["ours", "official", "floor"])
    parser.add_argument("--url")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--first-id")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--username")
    parser.add_argument("--password")
    args = parser.parse_args()
    result = MEASUREMENTS[args.measurement](args)
    result["module"] = where_from(args.client)
    result["peak_rss_mb_end"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
