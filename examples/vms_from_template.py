# coding: utf-8
"""Twenty VMs from a template, each given its host name (and SSH key, password
and user data) through cloud-init, started, and waited for until they run.

    python examples/vms_from_template.py
    python examples/vms_from_template.py --template tpl-ubuntu-22.04 --count 20 \\
        --prefix web- --ssh-key ~/.ssh/id_ed25519.pub

The template must support cloud-init (``cloud_init_supported``); without
``--template`` the first one that does is used. The VMs are linked clones,
created in one request; the script waits for its tasks (with progress), then
until every VM reads RUNNING, and prints them. ``VM_PASSWORD`` in the
environment becomes the default user's password. Networks come from DHCP;
add ``networks`` to the cloud-init settings below for static addresses.

Connects with ``cloudtower.connect()`` (docs/authentication.md); with nothing
configured it runs against the embedded simulator. Against a real CloudTower
it also needs CLOUDTOWER_EXAMPLES_MAY_CHANGE=yes.
"""
from __future__ import print_function

import argparse
import io
import os
import sys

import cloudtower
from cloudtower import VmApi, VmStatus, VmTemplateApi, wait_for, wait_until

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy; Python 2.7 may have no typing module
    from typing import List, Optional, Sequence  # noqa: F401 (type comments)

    from cloudtower import ApiClient, VmTemplate  # noqa: F401 (type comments)

    # what a dict body may hold, for the type checker: a misspelt key or a
    # value of the wrong type in these dicts is an error under mypy
    from cloudtower.models import (  # noqa: F401 (type comments)
        TemplateCloudInitDict,
        VmCreateVmFromTemplateParamsDict,
        VmTemplateWhereInputDict,
    )

USER_DATA = """#cloud-config
package_update: true
packages: [qemu-guest-agent]
runcmd:
  - [systemctl, enable, --now, qemu-guest-agent]
"""


def find_template(client, name):
    # type: (ApiClient, Optional[str]) -> VmTemplate
    where = {"cloud_init_supported": True}  # type: VmTemplateWhereInputDict
    if name:
        where["name"] = name
    templates = VmTemplateApi(client).get_vm_templates({"where": where, "orderBy": "name_ASC",
                                                        "first": 1})
    if not templates:
        raise SystemExit("error: no VM template %ssupports cloud-init" % (
            "named %s that " % name if name else ""))
    return templates[0]


def vm_params(template, names, public_keys):
    # type: (VmTemplate, List[str], List[str]) -> List[VmCreateVmFromTemplateParamsDict]
    if template.cluster is None:
        raise SystemExit("error: template %s is on no cluster" % template.name)
    params = []  # type: List[VmCreateVmFromTemplateParamsDict]
    for name in names:
        cloud_init = {"hostname": name, "user_data": USER_DATA}  # type: TemplateCloudInitDict
        if public_keys:
            cloud_init["public_keys"] = public_keys
        if os.environ.get("VM_PASSWORD"):
            cloud_init["default_user_password"] = os.environ["VM_PASSWORD"]
        params.append({
            "template_id": template.id,
            "cluster_id": template.cluster.id,
            "name": name,
            "is_full_copy": False,      # a linked clone: quick, shares the template's data
            "status": VmStatus.RUNNING,  # started once created
            "cloud_init": cloud_init,
        })
    return params


def main(argv=None):
    # type: (Optional[Sequence[str]]) -> int
    parser = argparse.ArgumentParser(description="VMs from a template, with cloud-init.")
    parser.add_argument("--template", help="the template's name (default: the first with cloud-init)")
    parser.add_argument("--count", type=int, default=20, help="how many VMs (20)")
    parser.add_argument("--prefix", default="sdk-example-web-",
                        help="the VMs are named PREFIX01, PREFIX02 ... (sdk-example-web-)")
    parser.add_argument("--ssh-key", action="append", default=[],
                        help="a public key file for the default user (may be repeated)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait (1800)")
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 200:
        parser.error("--count must be between 1 and 200")
    public_keys = []
    for path in args.ssh_key:
        with io.open(os.path.expanduser(path), encoding="utf-8") as handle:
            public_keys.append(handle.read().strip())
    names = ["%s%02d" % (args.prefix, number) for number in range(1, args.count + 1)]

    with cloudtower.connect() as client:
        vm_api = VmApi(client)
        taken = vm_api.get_vms({"where": {"name_in": names}})
        if taken:
            raise SystemExit("error: VMs with these names exist already: %s"
                             % ", ".join(sorted(vm.name or "" for vm in taken)))
        template = find_template(client, args.template)
        print("creating %d VM(s) from %s" % (len(names), template.name))
        created = wait_for(vm_api.create_vm_from_template(vm_params(template, names, public_keys)),
                           client, timeout=args.timeout, show_progress=True)
        ids = [item.data.id for item in created if item.data]
        vms = wait_until(vm_api.get_vms, {"where": {"id_in": ids}, "orderBy": "name_ASC"},
                         {"status": VmStatus.RUNNING}, count=len(ids), timeout=args.timeout,
                         interval=5, show_progress=True)
        for vm in vms:
            print("%-28s %-8s %s" % (vm.name, vm.status, vm.host.name if vm.host else "-"))
    print("%d VM(s) running" % len(vms))
    return 0


if __name__ == "__main__":
    from _common import simulator_unless_configured  # the examples' local CloudTower
    with simulator_unless_configured(changes_things=True):
        sys.exit(main())
