# coding: utf-8
"""State you can keep (cloudtower.simulator.state): export and import, files
written atomically, tasks that ran at save time, and ``--state`` on the
command line. Estates are compared over HTTP, every table row for row."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from cloudtower import ClusterApi, ElfImageApi, LabelApi, VmApi, VmSnapshotApi, VmTemplateApi
from cloudtower.api.task_api import TaskApi
from cloudtower.simulator import Simulator
from cloudtower.simulator.state import FORMAT, INTERRUPTED, StateError
from tests.conftest import wait_for_tasks
from tests.test_simulator_query import every_row_problems

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def estate(simulator, client):
    """Every row of every table, as the API serves them (checked against their schemas)."""
    rows = {}
    checked, problems = every_row_problems(
        client, simulator, page_size=400, visit=lambda name, row: rows.setdefault(name, []).append(row))
    assert problems == [] and checked > 300
    return rows


def change_everything(client):
    """Creations, edits, deletions and uploads, one of each kind the handlers model."""
    vm_api = VmApi(client)
    cluster = ClusterApi(client).get_clusters({"where": {"name": "cluster-elf-a"}})[0]
    template = VmTemplateApi(client).get_vm_templates(
        {"where": {"cluster": {"id": cluster.id}, "cloud_init_supported": True}})[0]
    source = vm_api.get_vms({"where": {"name": "elf-a-web-01"}})[0]
    stopped = vm_api.get_vms({"where": {"name": "elf-a-test-01"}})[0]
    tasks = [a.task_id for a in vm_api.create_vm_from_template([
        {"template_id": template.id, "name": "kept-1", "is_full_copy": False}])]
    tasks += [a.task_id for a in vm_api.clone_vm([{"src_vm_id": source.id, "name": "kept-2"}])]
    tasks += [a.task_id for a in VmSnapshotApi(client).create_vm_snapshot(
        {"data": [{"vm_id": source.id, "name": "kept-snap"}]})]
    tasks += [a.task_id for a in LabelApi(client).create_label([{"key": "kept", "value": "yes"}])]
    tasks += [a.task_id for a in vm_api.update_vm({"where": {"id": source.id},
                                                  "data": {"vcpu": 6, "description": u"\u4fdd\u7559"}})]
    tasks += [a.task_id for a in vm_api.delete_vm({"where": {"id": stopped.id}})]
    images = ElfImageApi(client)
    images.create_elf_image(("kept.iso", b"whole image"), cluster_id=cluster.id)
    # an upload left half done: its progress is data, and carries on after a reload
    half = images.create_elf_image(("half.iso", b"x" * 10), cluster_id=cluster.id, size="100")[0]
    assert [t.status for t in wait_for_tasks(client, tasks)] == ["SUCCESSED"] * len(tasks)
    return half


def test_a_saved_and_reloaded_estate_equals_the_original(tmp_path):
    path = str(tmp_path / "estate.json")
    with Simulator(port=0, seed=2, task_seconds=0.05) as first:
        client = first.client()
        half = change_everything(client)
        before = estate(first, client)
        assert first.save_state(path) == path
        exported = first.export_state()
        rows = json.loads(json.dumps(first.store.rows))
        client.close()
    assert sorted(os.listdir(str(tmp_path))) == ["estate.json"]  # no temporary file left
    if os.name == "posix":  # it holds the accounts' passwords
        assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path) as handle:
        saved = json.load(handle)
    assert saved["format"] == FORMAT and saved["seed"] == 2 and saved["size"] == "small"
    assert saved["tables"] == exported["tables"]
    assert saved["running_tasks"] == []
    # another seed, another size: the file decides
    with Simulator(port=0, seed=9, size=30, task_seconds=0.05, state_file=path) as second:
        client = second.client()
        after = estate(second, client)
        assert sorted(after) == sorted(before)
        for name in sorted(before):
            assert after[name] == before[name], name
        assert second.store.rows == rows
        assert (second.store.seed, second.store.size) == (2, None)
        # the half-done upload carries on
        answer = ElfImageApi(client).create_elf_image(("half.iso", b"y" * 90), upload_task_id=half.id)
        assert answer[0].status == "SUCCESSED"
        assert ElfImageApi(client).get_elf_images({"where": {"name": "half.iso"}})
        # new rows sort after the loaded ones
        created = LabelApi(client).create_label([{"key": "after-reload"}])
        wait_for_tasks(client, [created[0].task_id])
        labels = LabelApi(client).get_labels({})
        assert labels[-1].key == "after-reload"
        # a reset goes back to the seed the state came from
        second.reset()
        assert not VmApi(client).get_vms({"where": {"name_starts_with": "kept-"}})
        assert VmApi(client).get_vms_connection({}).aggregate.count == 21
        client.close()


def test_export_and_import_in_process():
    with Simulator(port=0, seed=4, task_seconds=0.05) as other:
        client = other.client()
        LabelApi(client).create_label([{"key": "imported"}])
        other.settle()
        data = other.export_state()
        assert json.loads(json.dumps(data)) == data
        text = json.dumps(data)
        client.close()
    # into a running simulator, as a dict and as JSON text
    with Simulator(port=0, seed=5, task_seconds=0.05) as target:
        summary = target.import_state(data)
        assert summary["interrupted_tasks"] == [] and summary["rows"] > 250
        assert target.export_state()["tables"] == data["tables"]
        data["tables"]["Label"][0]["key"] = "changed by the caller"
        assert target.export_state()["tables"]["Label"][0]["key"] != "changed by the caller"
        target.import_state(text.encode("utf-8"))
        client = target.client()
        assert LabelApi(client).get_labels({"where": {"key": "imported"}})
        version = target.store.version
        for wrong in ("not json", "[]", json.dumps({"format": FORMAT, "format_version": 99,
                                                   "tables": {}}),
                      json.dumps({"format": FORMAT, "format_version": 1, "tables": {"Nope": []}}),
                      json.dumps({"format": FORMAT, "format_version": 1,
                                  "tables": {"Label": [{"key": "no id"}]}})):
            with pytest.raises(StateError):
                target.import_state(wrong)
        assert target.store.version == version  # a refused state changes nothing
        client.close()


def test_tasks_running_at_save_time_fail_cleanly_on_load(tmp_path):
    path = str(tmp_path / "busy.json")
    with Simulator(port=0, seed=6, task_seconds=600) as busy:
        client = busy.client()
        source = VmApi(client).get_vms({"where": {"name": "elf-a-web-01"}})[0]
        stopped = VmApi(client).get_vms({"where": {"name": "elf-a-db-02"}})[0]
        running = [a.task_id for a in VmApi(client).clone_vm([{"src_vm_id": source.id,
                                                                "name": "never"}])]
        running += [a.task_id for a in VmApi(client).start_vm({"where": {"id": stopped.id}})]
        busy.save_state(path)
        with open(path) as handle:
            assert json.load(handle)["running_tasks"] == running
        client.close()
    with Simulator(port=0, seed=6, task_seconds=0.05, state_file=path) as loaded:
        client = loaded.client()
        tasks = TaskApi(client).get_tasks({"where": {"id_in": running}})
        assert [(t.status, t.error_code) for t in tasks] == [("FAILED", INTERRUPTED)] * 2
        assert all(t.finished_at for t in tasks)
        assert not VmApi(client).get_vms({"where": {"name": "never"}})
        assert VmApi(client).get_vms({"where": {"id": stopped.id}})[0].status == "STOPPED"
        # the file was written again with the tasks ended; running them again works
        with open(path) as handle:
            statuses = [row["status"] for row in json.load(handle)["tables"]["Task"]
                        if row["id"] in running]
        assert statuses == ["FAILED", "FAILED"]
        again = [a.task_id for a in VmApi(client).start_vm({"where": {"id": stopped.id}})]
        assert wait_for_tasks(client, again)[0].status == "SUCCESSED"
        client.close()


def _start_cli(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-m", "cloudtower.simulator", "--port", "0"] +
                               list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    lines = []
    while not lines or not lines[-1].startswith("Press Ctrl+C"):
        line = process.stdout.readline().decode("utf-8")
        if not line:
            out, err = process.communicate()
            return process, lines, err.decode("utf-8")
        lines.append(line.rstrip("\n"))
    return process, lines, None


def _endpoint(lines):
    return [line.split()[1] for line in lines if line.startswith("endpoint: ")][0]


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate()
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


def _labels_in(path):
    with open(path) as handle:
        return [row["key"] for row in json.load(handle)["tables"].get("Label", ())]


def test_the_command_line_keeps_its_state_file(tmp_path):
    from cloudtower import ApiClient, Configuration
    from cloudtower.utils import login
    path = str(tmp_path / "cli-state.json")
    process, lines, err = _start_cli("--state", path, "--save-interval", "0.1",
                                     "--task-seconds", "0.05", "--seed", "4")
    assert err is None, err
    try:
        assert any(line.startswith("state: %s (new" % path) for line in lines)
        assert _labels_in(path) and "cli-kept" not in _labels_in(path)  # written at the start
        client = ApiClient(Configuration(host=_endpoint(lines)))
        login(client, "root", "HC!r0cks")
        created = LabelApi(client).create_label([{"key": "cli-kept"}])
        wait_for_tasks(client, [created[0].task_id])
        # written again after the change, while it serves
        deadline = time.time() + 60
        while "cli-kept" not in _labels_in(path):
            assert time.time() < deadline, "the state file was not written after a change"
            time.sleep(0.05)
        created = LabelApi(client).create_label([{"key": "cli-last"}])
        wait_for_tasks(client, [created[0].task_id])
        client.close()
    finally:
        code, out, err = _stop(process)
    assert code == 0 and "stopped" in out, err
    assert "cli-last" in _labels_in(path)  # written at exit
    assert sorted(os.listdir(str(tmp_path))) == ["cli-state.json"]

    # started again on the same file: the estate is the one kept
    process, lines, err = _start_cli("--state", path, "--seed", "8", "--size", "40")
    assert err is None, err
    try:
        assert any(line.startswith("state: %s (loaded" % path) for line in lines)
        client = ApiClient(Configuration(host=_endpoint(lines)))
        login(client, "root", "HC!r0cks")
        keys = [label.key for label in LabelApi(client).get_labels({})]
        assert "cli-kept" in keys and "cli-last" in keys
        assert VmApi(client).get_vms_connection({}).aggregate.count == 21
        client.close()
    finally:
        _stop(process)

    # a file that is not a state is refused, and left as it is
    with open(path, "w") as handle:
        handle.write("{not json")
    process, lines, err = _start_cli("--state", path)
    assert process.returncode == 1 and "cannot keep the state" in err and "not JSON" in err
    with open(path) as handle:
        assert handle.read() == "{not json"
