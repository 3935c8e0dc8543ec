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
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("CLOUDTOWER_"))
    # no profile of this machine's ~/.cloudtower/config either: an empty config file
    env["CLOUDTOWER_CONFIG_FILE"] = os.devnull
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


# -- the five scripts of the "script writer's day" trial --------------------------
# (each connects with cloudtower.connect() and type-checks under mypy --strict:
# tests/test_typing.py)

def _trial_vms(api_client, prefix, count, running=True):
    """``count`` new VMs named PREFIX1.., running unless told otherwise; their ids."""
    from cloudtower import ClusterApi, VlanApi
    cluster = ClusterApi(api_client).get_clusters({"where": {
        "type": "SMTX_OS", "hypervisor": "ELF", "connect_state": "CONNECTED"},
        "orderBy": "name_ASC", "first": 1})[0]
    vlan = VlanApi(api_client).get_vlans({"where": {"type": "VM", "vds": {
        "cluster": {"id": cluster.id}}}, "first": 1})[0]
    answer = VmApi(api_client).create_vm([{
        "cluster_id": cluster.id, "name": "%s%d" % (prefix, number), "ha": False,
        "cpu_sockets": 1, "cpu_cores": 1, "vcpu": 1, "memory": 1024 ** 3,
        "status": "RUNNING" if running else "STOPPED", "firmware": "BIOS",
        "vm_nics": [{"connect_vlan_id": vlan.id}],
        "vm_disks": {"mount_new_create_disks": [{"boot": 0, "bus": "VIRTIO", "vm_volume": {
            "name": "%s%d-disk" % (prefix, number), "size": 1024 ** 3,
            "elf_storage_policy": "REPLICA_2_THIN_PROVISION"}}]},
    } for number in range(1, count + 1)])
    cloudtower.wait_for(answer, api_client, interval=0.1)
    return [item.data.id for item in answer]


def _delete(api_client, prefix):
    vm_api = VmApi(api_client)
    vms = vm_api.get_vms({"where": {"name_starts_with": prefix}})
    running = [vm.id for vm in vms if vm.status in ("RUNNING", "SUSPENDED")]
    if running:
        cloudtower.wait_for(vm_api.poweroff_vm({"where": {"id_in": running}}), api_client,
                            interval=0.1)
    if vms:
        cloudtower.wait_for(vm_api.delete_vm({"where": {"id_in": [vm.id for vm in vms]}}),
                            api_client, interval=0.1)


def test_inventory_csv_has_a_row_per_vm(simulator, api_client, tmpdir):
    import csv
    import io
    path = str(tmpdir.join("vms.csv"))
    code, out, err = run_example("inventory_csv", "--output", path, simulator=simulator)
    assert code == 0, err
    with io.open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    vms = VmApi(api_client).get_vms({"where": {"in_recycle_bin": False}})
    assert "%d VMs written to %s" % (len(vms), path) in err
    assert sorted(row["id"] for row in rows) == sorted(vm.id for vm in vms)
    vm = [vm for vm in vms if vm.status == "RUNNING" and vm.host][0]
    row = [row for row in rows if row["id"] == vm.id][0]
    assert (row["name"], row["status"], row["cluster"], row["host"], row["vcpu"]) == (
        vm.name, "RUNNING", vm.cluster.name, vm.host.name, str(vm.vcpu))
    assert float(row["memory_gib"]) == round(vm.memory / 1024.0 ** 3, 1)
    # to stdout when no file is named
    out = run_ok("inventory_csv", simulator=simulator)
    assert out.splitlines()[0] == "name,status,cluster,host,vcpu,memory_gib,disk_gib,ips,guest_os,id"
    assert len(out.splitlines()) == len(vms) + 1


def test_power_off_by_prefix_lists_first_and_stops_them_with_yes(simulator, api_client):
    prefix = "sdk-example-trial-off-"
    ids = _trial_vms(api_client, prefix, 3)
    try:
        before = len(simulator.requests)
        out = run_ok("power_off_by_prefix", prefix, simulator=simulator)
        assert "3 VM(s) would be shut down; add --yes to do it" in out
        changes = [r for r in list(simulator.requests)[before:] if r["path"] in (
            "/v2/api/shut-down-vm", "/v2/api/poweroff-vm")]
        assert changes == []
        out = run_ok("power_off_by_prefix", prefix, "--yes", simulator=simulator)
        assert "3 VM(s) stopped, 0 still on" in out
        assert [vm.status for vm in VmApi(api_client).get_vms({"where": {"id_in": ids}})] == \
            ["STOPPED"] * 3
        out = run_ok("power_off_by_prefix", prefix, "--yes", simulator=simulator)
        assert "no running or suspended VM named %s*" % prefix in out
        code, out, err = run_example("power_off_by_prefix", " ", simulator=simulator)
        assert code == 2 and "must not be empty" in err
    finally:
        _delete(api_client, prefix)


def test_power_off_by_prefix_with_force(simulator, api_client):
    prefix = "sdk-example-trial-force-"
    ids = _trial_vms(api_client, prefix, 2)
    try:
        VmApi(api_client).suspend_vm({"where": {"id": ids[0]}})
        simulator.settle()
        out = run_ok("power_off_by_prefix", prefix, "--yes", "--force", simulator=simulator)
        assert "2 VM(s) stopped, 0 still on" in out
    finally:
        _delete(api_client, prefix)


def test_twenty_vms_from_a_template_with_cloud_init(simulator, api_client):
    prefix = "sdk-example-trial-web-"
    try:
        before = len(simulator.requests)
        out = run_ok("vms_from_template", "--prefix", prefix, simulator=simulator,
                     env={"VM_PASSWORD": "Example-Pass-1"})
        assert "20 VM(s) running" in out
        vms = VmApi(api_client).get_vms({"where": {"name_starts_with": prefix}})
        assert sorted(vm.name for vm in vms) == ["%s%02d" % (prefix, n) for n in range(1, 21)]
        assert all(vm.status == "RUNNING" for vm in vms)
        # one request for all twenty, each with its own cloud-init host name
        creates = [r for r in list(simulator.requests)[before:]
                   if r["path"] == "/v2/api/create-vm-from-template"]
        assert len(creates) == 1 and len(creates[0]["body"]) == 20
        for item in creates[0]["body"]:
            assert item["cloud_init"]["hostname"] == item["name"]
            assert item["cloud_init"]["user_data"].startswith("#cloud-config")
            assert item["cloud_init"]["default_user_password"] == "Example-Pass-1"
        # names in use are refused before anything is created
        code, out, err = run_example("vms_from_template", "--prefix", prefix, "--count", "2",
                                     simulator=simulator)
        assert code == 1 and "exist already" in err
    finally:
        _delete(api_client, prefix)


def test_failed_disks_and_critical_alerts_match_the_inventory(simulator, api_client):
    from cloudtower import DiskApi
    failed = DiskApi(api_client).get_disks({"where": {"OR": [
        {"health_status_in": ["UNHEALTHY", "SUBHEALTHY", "SMART_FAILED", "SOFTWARE_RAID_FAILURE"]},
        {"healthy": False}]}})
    alerts = AlertApi(api_client).get_alerts({"where": {"ended": False, "severity": "CRITICAL"}})
    assert failed and alerts
    out = run_ok("failed_disks_and_alerts", simulator=simulator)
    assert "Failed disks: %d" % len(failed) in out
    assert "Open critical alerts: %d" % len(alerts) in out
    for disk in failed:
        assert "serial %s" % disk.serial in out
    code, out, err = run_example("failed_disks_and_alerts", "--check", simulator=simulator)
    assert code == 2, err


def test_snapshot_retention_keeps_the_newest(simulator, api_client):
    from cloudtower import VmSnapshotApi
    prefix = "sdk-example-trial-snap-"
    ids = _trial_vms(api_client, prefix, 2, running=False)
    try:
        made = []
        for _ in range(3):
            out = run_ok("snapshot_retention", prefix, "--keep", "2", simulator=simulator)
            made.append(sorted(re.findall(r"^snapshot (\S+)$", out, re.M)))
            assert len(made[-1]) == 2
        assert "delete %s" % made[0][0] in out and "2 VM(s), 2 snapshot(s) made, 2 deleted" in out
        kept = VmSnapshotApi(api_client).get_vm_snapshots({"where": {"vm": {"id_in": ids}}})
        assert sorted(s.name for s in kept) == sorted(made[1] + made[2])
        # a dry run changes nothing and says what would go
        before = len(simulator.requests)
        out = run_ok("snapshot_retention", prefix, "--keep", "2", "--dry-run", simulator=simulator)
        assert "would delete %s" % made[1][0] in out
        assert not [r for r in list(simulator.requests)[before:]
                    if r["path"] in ("/v2/api/create-vm-snapshot", "/v2/api/delete-vm-snapshot")]
    finally:
        _delete(api_client, prefix)


def test_the_trial_scripts_run_against_their_own_simulator():
    # no settings at all: each starts the embedded simulator
    for name, args in (("inventory_csv", ()), ("failed_disks_and_alerts", ()),
                       ("vms_from_template", ("--count", "2")),
                       ("power_off_by_prefix", ("sdk-example-", "--yes")),
                       ("snapshot_retention", ("elf-a-db-",))):
        code, out, err = run_example(name, *args)
        assert code == 0, (name, err)
        assert "using the embedded simulator" in err
