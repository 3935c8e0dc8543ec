# coding: utf-8
"""What the examples share: the embedded simulator when no CloudTower is
configured, a scenario runner, and a few lookups.

Each example connects with ``cloudtower.connect()``, the one line a script
of yours needs too: it reads CLOUDTOWER_ENDPOINT, CLOUDTOWER_USERNAME and
CLOUDTOWER_PASSWORD (CLOUDTOWER_USER_SOURCE=LDAP for a directory user), or a
profile of ~/.cloudtower/config (docs/authentication.md). When none of that
names a CloudTower, the examples start the SDK's embedded simulator on
127.0.0.1 and point those variables at it, so they run anywhere.

The examples that change things only touch VMs they create themselves
(named ``sdk-example-...``) and delete them at the end. Against a real
CloudTower they still create VMs, so they refuse to run there unless
CLOUDTOWER_EXAMPLES_MAY_CHANGE=yes is set too.

Python 2.7 and 3.x.
"""
from __future__ import print_function

import contextlib
import os
import random
import string
import sys

import cloudtower
from cloudtower.session import SettingsError, load_settings

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy; Python 2.7 may have no typing module
    from typing import Any, Iterator, NoReturn  # noqa: F401 (type comments)

GiB = 1024 ** 3

if sys.version_info[0] == 2 and getattr(sys.stdout, "encoding", None) is None:
    # Python 2 writing to a pipe or file knows no encoding and fails on the
    # first non-ASCII name (CloudTower's texts can be Chinese): use UTF-8.
    import codecs
    sys.stdout = codecs.getwriter("utf-8")(sys.stdout)


def fail(message):
    # type: (str) -> NoReturn
    """Stop the example with a message instead of a traceback."""
    sys.stderr.write("error: %s\n" % message)
    sys.exit(1)


@contextlib.contextmanager
def simulator_unless_configured(changes_things=False, **simulator_options):
    # type: (bool, **Any) -> Iterator[None]
    """Run the block against the configured CloudTower, or else against an
    embedded simulator that the CLOUDTOWER_* variables of this process point at.

    ``simulator_options`` go to the simulator (``seed``, ``task_seconds`` ...).
    """
    try:
        endpoint = load_settings().endpoint
    except SettingsError as error:
        fail(str(error))
    if endpoint:
        if changes_things and os.environ.get("CLOUDTOWER_EXAMPLES_MAY_CHANGE") != "yes":
            fail("this example creates, changes and deletes VMs on %s; "
                 "set CLOUDTOWER_EXAMPLES_MAY_CHANGE=yes to let it" % endpoint)
        yield
        return
    # No CloudTower given: run one here (standard library only, 127.0.0.1).
    from cloudtower.simulator import Simulator
    with Simulator(port=0, **simulator_options) as simulator:
        sys.stderr.write("(no CLOUDTOWER_ENDPOINT: using the embedded simulator at %s)\n"
                         % simulator.endpoint)
        settings = {"CLOUDTOWER_ENDPOINT": simulator.endpoint,
                    "CLOUDTOWER_USERNAME": simulator.username,
                    "CLOUDTOWER_PASSWORD": simulator.password,
                    "CLOUDTOWER_USER_SOURCE": "LOCAL"}
        before = dict((name, os.environ.get(name)) for name in settings)
        os.environ.update(settings)
        try:
            yield
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@contextlib.contextmanager
def connect(changes_things=False, **simulator_options):
    """``with connect() as api_client:`` -- ``cloudtower.connect()``, with the
    embedded simulator when no CloudTower is configured."""
    with simulator_unless_configured(changes_things, **simulator_options):
        try:
            api_client = cloudtower.connect()
        except SettingsError as error:
            fail(str(error))
        with api_client:
            yield api_client


def run(scenarios, changes_things=False, **simulator_options):
    """Run ``scenarios`` (functions taking the client) in order, or those named on the command line."""
    chosen = sys.argv[1:]
    names = [scenario.__name__ for scenario in scenarios]
    unknown = [name for name in chosen if name not in names]
    if unknown:
        fail("unknown scenario %s; choose from: %s" % (", ".join(unknown), ", ".join(names)))
    with connect(changes_things, **simulator_options) as api_client:
        for scenario in scenarios:
            if not chosen or scenario.__name__ in chosen:
                print("== %s" % scenario.__name__)
                scenario(api_client)


def scratch_name(what="vm"):
    """A name no one else uses: examples never touch VMs they did not create."""
    suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(6))
    return "sdk-example-%s-%s" % (what, suffix)


def finished_ids(api_client, answer):
    """Wait for the tasks of a change's answer; the ids of the objects they made or changed."""
    return [item.data.id for item in cloudtower.wait_for(answer, api_client)]


# -- lookups: real ids come from the server, never from the source code ----

def elf_cluster(api_client):
    """A connected SMTX OS cluster running ELF (where VMs live)."""
    from cloudtower import ClusterApi
    clusters = ClusterApi(api_client).get_clusters({
        "where": {"type": "SMTX_OS", "hypervisor": "ELF", "connect_state": "CONNECTED"},
        "orderBy": "name_ASC",
        "first": 1,
    })
    if not clusters:
        fail("no connected SMTX OS cluster with ELF to run the example in")
    return clusters[0]


def vm_vlan(api_client, cluster_id, skip=0):
    """A VM network (a non-internal VLAN) of the cluster; ``skip`` picks another one."""
    from cloudtower import VlanApi
    vlans = VlanApi(api_client).get_vlans({
        "where": {"type": "VM", "vds": {"cluster": {"id": cluster_id}}},
        "orderBy": "name_ASC",
    })
    if not vlans:
        fail("cluster %s has no VM network" % cluster_id)
    return vlans[min(skip, len(vlans) - 1)]


def connected_hosts(api_client, cluster_id):
    from cloudtower import HostApi
    return HostApi(api_client).get_hosts({
        "where": {"cluster": {"id": cluster_id}, "status": "CONNECTED_HEALTHY"},
        "orderBy": "name_ASC",
    })


def create_stopped_vm(api_client, cluster_id, name=None, disk_gib=1, nics=1):
    """A small blank VM (one new thin disk, ``nics`` NICs), powered off; returns its ``Vm``."""
    from cloudtower import VmApi
    vm_api = VmApi(api_client)
    vlan_id = vm_vlan(api_client, cluster_id).id
    created = vm_api.create_vm([{
        "cluster_id": cluster_id,
        "name": name or scratch_name(),
        "ha": False,
        "cpu_sockets": 1,
        "cpu_cores": 1,
        "vcpu": 1,
        "memory": 1 * GiB,
        "status": "STOPPED",
        "firmware": "BIOS",
        "vm_nics": [{"connect_vlan_id": vlan_id} for _ in range(nics)],
        "vm_disks": {
            "mount_new_create_disks": [{
                "boot": 0,
                "bus": "VIRTIO",
                "vm_volume": {"name": scratch_name("disk"), "size": disk_gib * GiB,
                              "elf_storage_policy": "REPLICA_2_THIN_PROVISION"},
            }],
        },
    }])
    vm_id = finished_ids(api_client, created)[0]
    return vm_api.get_vms({"where": {"id": vm_id}})[0]


@contextlib.contextmanager
def scratch_vm(api_client, **options):
    """``with scratch_vm(api_client) as vm:`` -- a new powered-off VM, deleted afterwards."""
    vm = create_stopped_vm(api_client, elf_cluster(api_client).id, **options)
    try:
        yield vm
    finally:
        delete_vms(api_client, [vm.id])


def delete_vms(api_client, vm_ids):
    """Delete VMs for good, powering them off first if they run."""
    from cloudtower import VmApi
    if not vm_ids:
        return
    vm_api = VmApi(api_client)
    running = vm_api.get_vms({"where": {"id_in": list(vm_ids),
                                        "status_in": ["RUNNING", "SUSPENDED"]}})
    if running:
        cloudtower.wait_for(vm_api.poweroff_vm({"where": {"id_in": [vm.id for vm in running]}}),
                            api_client)
    cloudtower.wait_for(vm_api.delete_vm({"where": {"id_in": list(vm_ids)}}), api_client)
