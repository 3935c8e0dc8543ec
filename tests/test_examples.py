# coding: utf-8
"""Every script in examples/ runs, as a user would run it, against the simulator.

Each example is a separate ``python examples/<name>.py`` process pointed at
the session's simulator through CLOUDTOWER_ENDPOINT/USERNAME/PASSWORD (one
test also lets an example start its own embedded simulator). An example
exits non-zero when any of its own checks fails, and each test also checks
what it printed, against what the test reads from the same simulator.
"""
import os
import re
import subprocess
import sys
import threading

import pytest

import cloudtower
from cloudtower import AlertApi, ClusterApi, DiskApi, VmApi

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples")
# the cloudtower this test imported (the installed one under tox), for the child too
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(cloudtower.__file__)))
CLOUDTOWER_VARS = ("CLOUDTOWER_ENDPOINT", "CLOUDTOWER_ENDPOINTS", "CLOUDTOWER_USERNAME",
                   "CLOUDTOWER_PASSWORD", "CLOUDTOWER_USER_SOURCE", "CLOUDTOWER_EXAMPLES_MAY_CHANGE")

# every scenario of the usage guide, by the example function that shows it
GUIDE_SCENARIOS = {
    "get_vms": ["all_vms", "all_vms_page_by_page", "second_page_of_vms", "running_vms",
                "vms_by_name_or_description", "vms_with_more_than_4_vcpus"],
    "create_vm_from_template": ["from_template_ids_only", "from_template_other_nics"],
    "create_blank_vm": ["simple_vm", "vm_with_iso", "vm_with_existing_volume",
                        "vm_with_new_disk", "vm_with_nic_settings"],
    "edit_vm": ["edit_basic_info", "add_and_remove_cd_rom", "add_new_disk",
                "mount_existing_volume", "unmount_disk", "add_edit_and_remove_nics"],
    "migrate_vm": ["migrate_to_chosen_host", "migrate_anywhere"],
    "delete_vm": ["recycle_bin_and_back", "delete_for_good"],
}


def run_example(name, *args, **options):
    """Run examples/<name>.py; returns (exit code, stdout, stderr) as text.

    ``options``: ``simulator`` (whose endpoint and root credentials go into
    the environment), ``env`` (more variables), ``timeout`` (seconds).
    """
    env = dict((k, v) for k, v in os.environ.items() if k not in CLOUDTOWER_VARS)
    env["PYTHONPATH"] = os.pathsep.join([PACKAGE_PARENT] + [
        p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["PYTHONIOENCODING"] = "utf-8"
    simulator = options.get("simulator")
    if simulator is not None:
        env.update(CLOUDTOWER_ENDPOINT=simulator.endpoint, CLOUDTOWER_USERNAME=simulator.username,
                   CLOUDTOWER_PASSWORD=simulator.password, CLOUDTOWER_EXAMPLES_MAY_CHANGE="yes")
    env.update(options.get("env") or {})
    process = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, name + ".py")] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # Python 2's communicate() has no timeout: a timer kills a hung example
    timer = threading.Timer(options.get("timeout", 120), process.kill)
    timer.start()
    try:
        out, err = process.communicate()
    finally:
        timer.cancel()
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


def run_ok(name, *args, **options):
    code, out, err = run_example(name, *args, **options)
    assert code == 0, "examples/%s.py exited %s\n--- stdout\n%s\n--- stderr\n%s" % (
        name, code, out, err)
    return out


def _scratch_vms(api_client):
    return VmApi(api_client).get_vms({"where": {"name_starts_with": "sdk-example-"}})


@pytest.mark.parametrize("name", sorted(GUIDE_SCENARIOS))
def test_example_runs_every_scenario_and_cleans_up(name, simulator, api_client):
    out = run_ok(name, simulator=simulator)
    ran = re.findall(r"^== (\w+)$", out, re.M)
    # the guide's scenarios, in order (an example may show a little more)
    assert [scenario for scenario in ran if scenario in GUIDE_SCENARIOS[name]] \
        == GUIDE_SCENARIOS[name]
    # the examples delete what they create
    assert _scratch_vms(api_client) == []


def test_get_vms_prints_what_the_server_holds(simulator, api_client):
    out = run_ok("get_vms", simulator=simulator)
    vm_api = VmApi(api_client)
    total = len(vm_api.get_vms({}))
    running = len(vm_api.get_vms({"where": {"status": "RUNNING"}}))
    big = len(vm_api.get_vms({"where": {"vcpu_gt": 4}}))
    assert "%d VMs in all" % total in out
    assert "%d VMs read in pages of 50" % total in out
    assert "%d running VMs" % running in out
    assert "%d VMs with more than 4 vCPUs" % big in out
    assert total > 10 and running > 0 and big > 0


def test_one_scenario_can_be_chosen_and_a_wrong_one_is_named(simulator):
    out = run_ok("get_vms", "running_vms", simulator=simulator)
    assert re.findall(r"^== (\w+)$", out, re.M) == ["running_vms"]
    code, out, err = run_example("get_vms", "no_such_scenario", simulator=simulator)
    assert code == 1
    assert "unknown scenario no_such_scenario" in err


def test_power_walks_every_power_operation(simulator, api_client):
    out = run_ok("power", simulator=simulator)
    for step in ("start, any host", "start on host", "shut down one", "shut down both",
                 "start both", "restart one", "restart both", "force restart one",
                 "force restart both", "suspend one", "resume one", "suspend both",
                 "resume both", "power off one", "power off both"):
        assert step in out
    assert re.search(r"^suspend one: +sdk-example-vm-\w+ SUSPENDED", out, re.M)
    assert re.search(r"^power off both: +sdk-example-vm-\w+ STOPPED.*, sdk-example-vm-\w+ STOPPED",
                     out, re.M)
    assert _scratch_vms(api_client) == []


def test_snapshot_backup_finds_the_lun_snapshots(simulator, api_client):
    out = run_ok("snapshot_backup", simulator=simulator)
    match = re.search(r"snapshot (sdk-example-snapshot-\w+) of VM \S+ \((\w+)\), (\d+) disk", out)
    assert match, out
    assert match.group(2) in ("CRASH_CONSISTENT", "FILE_SYSTEM_CONSISTENT")
    assert len(re.findall(r"^  LUN snapshot ", out, re.M)) >= 1
    # the scratch VM and its snapshot are gone again
    assert _scratch_vms(api_client) == []


def test_snapshot_backup_of_a_named_vm_keeps_the_snapshot(simulator, api_client):
    from cloudtower import VmSnapshotApi
    vm = VmApi(api_client).get_vms({"where": {"status": "RUNNING"}, "orderBy": "name_ASC",
                                    "first": 1})[0]
    out = run_ok("snapshot_backup", vm.name, simulator=simulator)
    name = re.search(r"snapshot (sdk-example-snapshot-\w+) of VM", out).group(1)
    kept = VmSnapshotApi(api_client).get_vm_snapshots({"where": {"name": name}})
    assert [s.vm.id for s in kept] == [vm.id]


def test_upload_image_uploads_in_three_chunks(simulator, api_client):
    out = run_ok("upload_image", simulator=simulator)
    assert re.search(r"SUCCESSED, 3 chunk\(s\) of 8388608 bytes", out)
    assert "100%  20971520 of 20971520 bytes" in out
    assert "deleted it again" in out


def _number(pattern, text):
    match = re.search(pattern, text, re.M)
    assert match, "%r not in:\n%s" % (pattern, text)
    return match.groups()


def test_dashboard_numbers_match_the_inventory(simulator, api_client):
    out = run_ok("dashboard", simulator=simulator)
    clusters = ClusterApi(api_client).get_clusters({})
    cluster_ids = [c.id for c in clusters]

    clusters_seen, = _number(r"^  (\d+) cluster\(s\)", out)
    assert int(clusters_seen) == len(clusters)
    vms, running = _number(r"(\d+) VM\(s\), (\d+) running", out)
    vm_api = VmApi(api_client)
    assert int(vms) == len(vm_api.get_vms({"where": {"cluster": {"id_in": cluster_ids}}}))
    assert int(running) == len(vm_api.get_vms({"where": {"status": "RUNNING",
                                                        "cluster": {"id_in": cluster_ids}}}))

    open_alerts = AlertApi(api_client).get_alerts({"where": {"ended": False,
                                                             "cluster": {"id_in": cluster_ids}}})
    for severity in ("CRITICAL", "NOTICE", "INFO"):
        shown, = _number(r"^  %s +(\d+)$" % severity.lower(), out)
        assert int(shown) == len([a for a in open_alerts if a.severity == severity])
    assert len(open_alerts) > 0

    hdds = DiskApi(api_client).get_disks({"where": {"type": "HDD"}})
    healthy, warning, error, total = [int(x) for x in _number(
        r"healthy (\d+), warning (\d+), error (\d+), total (\d+)", out)]
    assert total == len(hdds) > 0
    assert healthy + warning + error == total
    assert error > 0 and healthy > 0

    used_hz, total_hz, cores = _number(
        r"^  CPU +([\d.]+ [kMGT]?Hz) of ([\d.]+ [kMGT]?Hz) used \([\d.]+%\), (\d+) cores", out)
    assert not used_hz.startswith("0.00") and not total_hz.startswith("0.00")
    assert int(cores) == sum(c.total_cpu_cores or 0 for c in clusters if c.type == "SMTX_OS")
    used_mem, total_mem = _number(
        r"^  Memory +([\d.]+ [KMGTP]?i?B) of ([\d.]+ [KMGTP]?i?B) used \([\d.]+%\)", out)
    assert used_mem.endswith("iB") and total_mem.endswith("iB")
    storage = _number(r"^  Storage +([\d.]+ \w+) of ([\d.]+ \w+) used \(([\d.]+)%\)", out)
    assert float(storage[2]) > 0
    # one line per cluster
    for cluster in clusters:
        assert re.search(r"^  %s +%s " % (re.escape(cluster.name), cluster.type), out, re.M)


def test_dashboard_for_one_cluster_in_chinese(simulator, api_client):
    alerts = AlertApi(api_client).get_alerts({"where": {"ended": False, "severity": "CRITICAL"}})
    cluster_id = [alert.cluster.id for alert in alerts if alert.cluster][0]
    cluster = ClusterApi(api_client).get_clusters({"where": {"id": cluster_id}})[0]
    out = run_ok("dashboard", "--cluster", cluster.name, "--language", "zh-CN",
                 simulator=simulator)
    assert _number(r"^  (\d+) cluster\(s\)", out) == ("1",)
    critical = re.findall(r"^    ! (.*)$", out, re.M)
    assert critical
    # the alert text came back translated: content-language reached the server
    assert all(re.search(u"[\u4e00-\u9fff]", line) for line in critical)


def test_dashboard_names_a_cluster_that_does_not_exist(simulator):
    code, out, err = run_example("dashboard", "--cluster", "no-such-cluster", simulator=simulator)
    assert code == 1
    assert "no cluster matches" in err


def test_dashboard_starts_its_own_simulator_without_settings():
    # no CLOUDTOWER_* variables at all: the example runs the embedded simulator
    code, out, err = run_example("dashboard")
    assert code == 0, err
    assert re.search(r"using the embedded simulator at http://127\.0\.0\.1:\d+/v2/api", err)
    assert re.search(r"^CloudTower inventory at http://127\.0\.0\.1:\d+/v2/api$", out, re.M)
    assert re.search(r"^  critical +[1-9]", out, re.M)


def test_active_passive_walks_discovery_and_failover():
    # no settings: the example starts the simulated pair and changes its roles
    out = run_ok("active_passive")
    assert re.findall(r"^== (\w+)$", out, re.M) == [
        "discover", "failover_on_switch", "node_down", "manual_failover"]
    assert "active: node 0; read 3 VMs there" in out
    assert "after the switch: node 1; the change went there once (1 task)" in out
    assert "node 0 is down; node 1 answered (3 VMs)" in out
    assert "failover required: node 0 answered 307" in out
    assert "client.failover() -> node 1" in out


def test_active_passive_against_a_given_pair():
    from cloudtower.simulator import Simulator
    with Simulator.pair(seed=1, active=1) as pair:
        out = run_ok("active_passive", env={
            "CLOUDTOWER_ENDPOINTS": ",".join(pair.root_urls),
            "CLOUDTOWER_USERNAME": pair.username, "CLOUDTOWER_PASSWORD": pair.password})
        assert "active node: %s" % pair.root_urls[1] in out
        assert re.search(r"^\d+ VMs$", out, re.M)
        # it only read: the roles are as they were
        assert pair.roles == ["passive", "active"]


def test_changing_examples_need_consent_on_a_given_tower(simulator):
    before = len(simulator.requests)
    code, out, err = run_example("create_blank_vm", simulator=simulator,
                                 env={"CLOUDTOWER_EXAMPLES_MAY_CHANGE": ""})
    assert code == 1
    assert "set CLOUDTOWER_EXAMPLES_MAY_CHANGE=yes" in err
    # refused before anything was sent
    assert len(simulator.requests) == before


def test_a_given_endpoint_needs_credentials(simulator):
    code, out, err = run_example("get_vms", env={"CLOUDTOWER_ENDPOINT": simulator.endpoint})
    assert code == 1
    assert "set CLOUDTOWER_USERNAME and CLOUDTOWER_PASSWORD" in err


def test_wrong_password_is_an_api_error(simulator):
    code, out, err = run_example("get_vms", simulator=simulator,
                                 env={"CLOUDTOWER_PASSWORD": "not-the-password"})
    assert code != 0
    assert "ApiException" in err


def test_examples_contact_no_address_but_loopback():
    # documentation hosts are allowed in prose; no IP literal but 127.0.0.1
    for name in sorted(os.listdir(EXAMPLES)):
        if name.endswith(".py"):
            with open(os.path.join(EXAMPLES, name)) as handle:
                text = handle.read()
            for address in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", text):
                assert address == "127.0.0.1", "%s mentions %s" % (name, address)


def test_the_readme_quick_start_runs_as_it_is():
    readme = os.path.join(EXAMPLES, os.pardir, "README.md")
    if not os.path.exists(readme):
        pytest.skip("no README.md beside the tests (an installed copy of the tests)")
    with open(readme, "rb") as handle:
        text = handle.read().decode("utf-8")
    code = re.search(r"## Quick start.*?```python\n(.*?)```", text, re.S).group(1)
    env = dict((k, v) for k, v in os.environ.items() if k not in CLOUDTOWER_VARS)
    env["PYTHONPATH"] = PACKAGE_PARENT
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env)
    out, err = process.communicate()
    assert process.returncode == 0, err.decode("utf-8")
    lines = out.decode("utf-8").splitlines()
    # two VMs that were stopped, now running on a host
    assert len(lines) == 2 and all(re.match(r"\S+ RUNNING \S+$", line) for line in lines), lines
