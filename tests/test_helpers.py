# coding: utf-8
"""The helpers of cloudtower.utils, cloudtower.upload and cloudtower.image_utils,
driven over HTTP against the simulator.

Task waiting (timeouts, failures, unknown ids, transient errors, timing and
the requests it makes), login (LOCAL, LDAP, re-login), pagination, chunked
uploads (with failures and resuming), finding uploaded images, and the
content-language header.
"""
import time

import pytest

from cloudtower import (
    AlertApi,
    ApiClient,
    ApiException,
    ApiValueError,
    Configuration,
    ElfImageApi,
    LabelApi,
    UploadTaskApi,
    UserSource,
    VmApi,
)
from cloudtower.image_utils import (
    get_content_library_image_by_upload_task,
    get_elf_image_by_upload_task,
    get_svt_image_version,
)
from cloudtower.simulator import Simulator
from cloudtower.upload import (
    CHUNK_SIZE,
    upload_content_library_image,
    upload_elf_image,
    upload_svt_image,
)
from cloudtower.utils import login, paginate, wait_task, wait_tasks

MiB = 1024 * 1024
GET_TASKS = "/v2/api/get-tasks"


# -- helpers ------------------------------------------------------------------

def label_tasks(api_client, count, prefix="wait"):
    """``count`` new tasks (label creations: no preconditions), their ids."""
    answer = LabelApi(api_client).create_label(
        [{"key": "%s-%d-%d" % (prefix, i, int(time.time() * 1000)), "value": "v"}
         for i in range(count)])
    return [item.task_id for item in answer]


def stopped_vm(api_client):
    return VmApi(api_client).get_vms({"where": {"status": "STOPPED", "in_recycle_bin": False},
                                      "orderBy": "name_ASC", "first": 1})[0]


def running_vm(api_client):
    return VmApi(api_client).get_vms({"where": {"status": "RUNNING"}, "orderBy": "name_ASC",
                                      "first": 1})[0]


def requests_to(simulator, path, since=0):
    return [r for r in list(simulator.requests)[since:] if r["path"] == path]


def fresh_client(simulator, **settings):
    configuration = Configuration(host=simulator.endpoint)
    for key, value in settings.items():
        setattr(configuration, key, value)
    return ApiClient(configuration)


@pytest.fixture
def fast_retries(api_client):
    """The client's own retries of reads, quick, so a test measures wait_tasks itself."""
    api_client.configuration.retry_backoff = 0.01
    return api_client


# -- wait_tasks / wait_task -----------------------------------------------------

def test_wait_tasks_returns_the_finished_tasks_in_order(simulator, api_client):
    ids = label_tasks(api_client, 3)
    tasks = wait_tasks(ids, api_client, interval=1)
    assert [task.id for task in tasks] == ids
    assert [task.status for task in tasks] == ["SUCCESSED"] * 3
    assert all(task.finished_at for task in tasks)


def test_wait_task_returns_one_task(simulator, api_client):
    task_id = label_tasks(api_client, 1)[0]
    task = wait_task(task_id, api_client, interval=1)
    assert (task.id, task.status) == (task_id, "SUCCESSED")


def test_the_callers_list_is_left_unchanged(simulator, api_client):
    ids = label_tasks(api_client, 3)
    ids.append(ids[0])  # a duplicate, too
    before = list(ids)
    wait_tasks(ids, api_client, interval=1)
    assert ids == before


def test_none_ids_are_skipped(simulator, api_client):
    # a synchronous change answers task_id None
    ids = [None] + label_tasks(api_client, 1)
    assert [t.status for t in wait_tasks(ids, api_client, interval=1)] == ["SUCCESSED"]
    assert wait_tasks([None], api_client) == []


def test_timeout_raises_408_naming_the_tasks(simulator, api_client, fake_clock):
    simulator.task_seconds = 30
    ids = label_tasks(api_client, 2)
    started = fake_clock()
    with pytest.raises(ApiException) as info:
        wait_tasks(ids, api_client, interval=0.2, timeout=0.6)
    assert info.value.status == 408
    assert all(task_id in info.value.reason for task_id in ids)
    # it waits the whole timeout and no longer
    assert fake_clock() - started == pytest.approx(0.6)


def test_failures_raise_500_naming_every_failed_task_after_all_have_ended(simulator, api_client,
                                                                          fake_clock):
    vm_api = VmApi(api_client)
    # a refusal by the system (starting a running VM) and an injected failure
    simulator.fail_tasks("create_label", error_code="LABEL_QUOTA",
                         error_message="no more labels allowed")
    refused = vm_api.start_vm({"where": {"id": running_vm(api_client).id}})[0].task_id
    injected = label_tasks(api_client, 1)[0]
    # a task that succeeds, and ends well after both failures
    simulator.task_seconds = 0.8
    slow = label_tasks(api_client, 1, prefix="slow")[0]
    started = fake_clock()
    with pytest.raises(ApiException) as info:
        wait_tasks([refused, injected, slow], api_client, interval=0.1)
    assert info.value.status == 500
    reason = info.value.reason
    assert refused in reason and "VM_ALREADY_RUNNING" in reason
    assert injected in reason and "LABEL_QUOTA" in reason and "no more labels allowed" in reason
    assert slow not in reason
    # exit_on_error=False: not raised before the slow task had ended
    assert fake_clock() - started >= 0.8
    from cloudtower import TaskApi
    assert TaskApi(api_client).get_tasks({"where": {"id": slow}})[0].status == "SUCCESSED"


def test_exit_on_error_raises_as_soon_as_one_fails(simulator, api_client, fake_clock):
    refused = VmApi(api_client).start_vm({"where": {"id": running_vm(api_client).id}})[0].task_id
    simulator.task_seconds = 5
    slow = label_tasks(api_client, 1, prefix="slow")[0]
    started = fake_clock()
    with pytest.raises(ApiException) as info:
        wait_tasks([slow, refused], api_client, interval=0.1, exit_on_error=True)
    # the refusal ends after the first task_seconds of it; the slow task's 5 s are not awaited
    assert fake_clock() - started < 5
    assert info.value.status == 500
    assert refused in info.value.reason and "VM_ALREADY_RUNNING" in info.value.reason


def test_wait_task_raises_on_failure(simulator, api_client):
    refused = VmApi(api_client).start_vm({"where": {"id": running_vm(api_client).id}})[0].task_id
    with pytest.raises(ApiException) as info:
        wait_task(refused, api_client, interval=0.1)
    assert info.value.status == 500 and "VM_ALREADY_RUNNING" in info.value.reason


def test_an_unknown_id_is_reported_not_awaited(simulator, api_client, fake_clock):
    known = label_tasks(api_client, 1)[0]
    started = fake_clock()
    with pytest.raises(ApiException) as info:
        wait_tasks([known, "cknosuchtask0000000000000"], api_client, interval=5, timeout=60)
    # given up on after three polls and a second, not after the 60 s timeout
    assert fake_clock() - started < 2
    assert info.value.status == 404  # the only problem: nothing failed
    assert "cknosuchtask0000000000000" in info.value.reason
    assert "not found" in info.value.reason
    assert known not in info.value.reason


def test_a_task_of_300_ms_is_seen_within_half_a_second(simulator, api_client, fake_clock):
    simulator.task_seconds = 0.3
    ids = label_tasks(api_client, 1)
    since = len(simulator.requests)
    wait_tasks(ids, api_client)  # the default interval of 5 s
    # polls at 0, 0.1 and 0.25 s; the progress seen then says the task ends at
    # 0.3 s, so the next poll comes just after that, not at 0.475 s
    assert fake_clock.slept[:2] == pytest.approx([0.1, 0.15])
    assert 0.3 <= sum(fake_clock.slept) < 0.5
    assert len(requests_to(simulator, GET_TASKS, since)) == 4


def test_no_sleep_after_the_last_task_ends(simulator, api_client, fake_clock):
    ids = label_tasks(api_client, 2)
    simulator.settle()
    since = len(simulator.requests)
    wait_tasks(ids, api_client)
    assert fake_clock.slept == []
    assert len(requests_to(simulator, GET_TASKS, since)) == 1


def test_one_get_tasks_request_per_round_for_all_pending_ids(simulator, api_client):
    fast = label_tasks(api_client, 3, prefix="fast")
    simulator.task_seconds = 0.6
    slow = label_tasks(api_client, 2, prefix="slow")
    since = len(simulator.requests)
    rounds = []
    wait_tasks(fast + slow, api_client, interval=0.1,
               progress=lambda done, total, tasks: rounds.append(done))
    polls = requests_to(simulator, GET_TASKS, since)
    # one request per round, each asking for every id still pending, and no more
    assert len(polls) == len(rounds)
    assert sorted(polls[0]["body"]["where"]["id_in"]) == sorted(fast + slow)
    assert sorted(polls[-1]["body"]["where"]["id_in"]) == sorted(slow)
    for poll in polls:
        assert set(poll["body"]["where"]["id_in"]) <= set(fast + slow)
    assert rounds[-1] == 5


def test_long_lists_are_polled_in_chunks(simulator, api_client):
    from cloudtower import utils
    ids = label_tasks(api_client, utils.POLL_CHUNK + 50)
    simulator.settle()
    since = len(simulator.requests)
    wait_tasks(ids, api_client)
    sizes = sorted(len(r["body"]["where"]["id_in"]) for r in requests_to(simulator, GET_TASKS, since))
    assert sizes == [50, utils.POLL_CHUNK]


def test_transient_poll_errors_are_retried_within_the_timeout(simulator, fast_retries):
    api_client = fast_retries
    ids = label_tasks(api_client, 2)
    # more 503s in a row than the client's own retries (3) absorb, then a 500
    simulator.fail_next("get_tasks", status=503, times=6)
    simulator.fail_next("get_tasks", status=500, times=1)
    since = len(simulator.requests)
    tasks = wait_tasks(ids, api_client, interval=0.1, timeout=10)
    assert [t.status for t in tasks] == ["SUCCESSED"] * 2
    statuses = [r["status"] for r in requests_to(simulator, GET_TASKS, since)]
    assert statuses[:7] == [503] * 6 + [500]  # every injected failure was met
    assert statuses[-1] == 200


def test_a_dropped_connection_during_polling_is_retried(simulator, api_client):
    api_client.configuration.retries = 0  # wait_tasks alone must cope
    ids = label_tasks(api_client, 1)
    simulator.fail_next("get_tasks", drop=True, times=2)
    assert wait_tasks(ids, api_client, interval=0.1, timeout=10)[0].status == "SUCCESSED"


def test_a_poll_error_lasting_past_the_timeout_is_a_408_that_says_why(simulator, api_client):
    api_client.configuration.retries = 0
    ids = label_tasks(api_client, 1)
    simulator.fail_next("get_tasks", status=503, times=1000)
    with pytest.raises(ApiException) as info:
        wait_tasks(ids, api_client, interval=0.1, timeout=0.5)
    assert info.value.status == 408
    assert "last poll failed" in info.value.reason


def test_a_client_error_while_polling_is_raised_at_once(simulator, api_client):
    ids = label_tasks(api_client, 1)
    simulator.fail_next("get_tasks", status=400, message="bad where")
    with pytest.raises(ApiException) as info:
        wait_tasks(ids, api_client, interval=0.1, timeout=10)
    assert info.value.status == 400


def test_progress_callback_and_progress_line(simulator, api_client, capsys, caplog):
    caplog.set_level("INFO", logger="cloudtower")
    ids = label_tasks(api_client, 2)
    seen = []
    wait_tasks(ids, api_client, interval=0.1, show_progress=True,
               progress=lambda done, total, tasks: seen.append((done, total, len(tasks))))
    assert seen[-1] == (2, 2, 2)
    assert all(total == 2 for _, total, _ in seen)
    # stderr is no terminal here: the progress goes to the log (tests/test_progress.py)
    assert capsys.readouterr().err == ""
    assert "[2/2 finished," in caplog.records[-1].getMessage()


# -- login ----------------------------------------------------------------------

def test_login_local_sets_the_token(simulator):
    with fresh_client(simulator) as client:
        token = login(client, simulator.username, simulator.password, source=UserSource.LOCAL)
        assert client.configuration.api_key["Authorization"] == token
        assert VmApi(client).get_vms({"first": 1})


def test_login_with_a_wrong_password_raises(simulator):
    with fresh_client(simulator) as client:
        with pytest.raises(ApiException) as info:
            login(client, simulator.username, "wrong")
        assert info.value.status == 400
        assert "Authorization" not in client.configuration.api_key


def test_login_again_once_when_the_token_is_refused(simulator):
    with fresh_client(simulator) as client:
        first = login(client, simulator.username, simulator.password)
        simulator.expire_sessions()  # the server forgets every session
        since = len(simulator.requests)
        assert VmApi(client).get_vms({"first": 1})
        second = client.configuration.api_key["Authorization"]
        assert second != first
        paths = [r["path"] for r in list(simulator.requests)[since:]]
        assert paths == ["/v2/api/get-vms", "/v2/api/login", "/v2/api/get-vms"]


def test_ldap_login_uses_the_authn_strategy():
    users = [{"username": "alice", "password": "ldap-pass-1", "source": "LDAP", "role": "ADMIN"}]
    with Simulator(port=0, users=users) as simulator:
        with fresh_client(simulator) as client:
            login(client, "alice", "ldap-pass-1", source=UserSource.LDAP)
            assert VmApi(client).get_vms({"first": 1})
        strategies = [r for r in simulator.requests if r["path"] == "/api"]
        assert len(strategies) == 1
        assert "authnStrategies" in strategies[0]["body"]["query"]
        sent = [r["body"] for r in simulator.requests if r["path"] == "/v2/api/login"]
        assert sent[-1]["source"] == "AUTHN"
        from cloudtower.simulator.session import LDAP_STRATEGY_ID
        assert sent[-1]["auth_config_id"] == LDAP_STRATEGY_ID


def test_ldap_login_without_strategies_falls_back_to_source_ldap():
    # an older tower without the GraphQL authnStrategies query
    users = [{"username": "bob", "password": "ldap-pass-2", "source": "LDAP", "role": "ADMIN"}]
    with Simulator(port=0, users=users) as simulator:
        simulator.fail_next("/api", status=404, times=1)
        with fresh_client(simulator) as client:
            login(client, "bob", "ldap-pass-2", source="LDAP")
            assert VmApi(client).get_vms({"first": 1})
        sent = [r["body"] for r in simulator.requests if r["path"] == "/v2/api/login"]
        assert sent[-1]["source"] == "LDAP" and "auth_config_id" not in sent[-1]


# -- paginate -------------------------------------------------------------------

@pytest.fixture
def five_thousand_labels(simulator, api_client):
    """5,000 labels with keys page-00000 ... page-04999, created through the API."""
    LabelApi(api_client).create_label([{"key": "page-%05d" % i, "value": str(i)}
                                       for i in range(5000)])
    simulator.settle()
    return simulator


class Counting(object):
    """Wraps a list method: records each request and the size of each answer."""

    def __init__(self, method):
        self.method = method
        self.calls = []

    def __call__(self, body, **kwargs):
        page = self.method(body, **kwargs)
        self.calls.append((dict(body), len(page)))
        return page


@pytest.mark.parametrize("use_skip", [False, True], ids=["cursor", "skip"])
def test_paginate_reads_5000_rows_in_pages_of_100(five_thousand_labels, api_client, use_skip):
    get_labels = Counting(LabelApi(api_client).get_labels)
    request = {"where": {"key_starts_with": "page-"}, "orderBy": "key_ASC"}
    rows = paginate(get_labels, request, page_size=100, use_skip=use_skip)

    # lazily: one page is requested, and only when the previous one is used up
    first = next(rows)
    assert len(get_labels.calls) == 1
    for _ in range(99):
        next(rows)
    assert len(get_labels.calls) == 1
    next(rows)
    assert len(get_labels.calls) == 2

    keys = [first.key] + ["page-%05d" % i for i in range(1, 101)] + [label.key for label in rows]
    assert keys == ["page-%05d" % i for i in range(5000)]
    # 50 full pages and the empty one that says there is no more
    assert [size for _, size in get_labels.calls] == [100] * 50 + [0]
    assert all(body["first"] == 100 for body, _ in get_labels.calls)
    if use_skip:
        assert [body["skip"] for body, _ in get_labels.calls] == list(range(0, 5001, 100))
    else:
        assert "after" not in get_labels.calls[0][0]
        assert all(body["after"] for body, _ in get_labels.calls[1:])
    # the caller's request is not changed
    assert request == {"where": {"key_starts_with": "page-"}, "orderBy": "key_ASC"}


def test_paginate_passes_call_options_and_stops_on_a_short_page(simulator, api_client):
    get_vms = Counting(VmApi(api_client).get_vms)
    total = len(VmApi(api_client).get_vms({}))
    vms = list(paginate(get_vms, page_size=7, content_language="en-US"))
    assert len(vms) == total == len(set(vm.id for vm in vms))
    assert len(get_vms.calls) == total // 7 + 1


def test_paginate_rejects_what_it_sets_itself(api_client):
    get_vms = VmApi(api_client).get_vms
    with pytest.raises(ApiValueError) as info:
        list(paginate(get_vms, {"first": 10}))
    assert "first" in str(info.value)
    with pytest.raises(ApiValueError):
        list(paginate(get_vms, {}, page_size=0))


# -- uploads --------------------------------------------------------------------

@pytest.fixture
def twenty_mib_file(tmpdir):
    path = str(tmpdir.join("disk.iso"))
    with open(path, "wb") as handle:
        for index in range(20):
            handle.write(bytes(bytearray([index]) * MiB))  # each MiB different
    return path


def elf_cluster_id(api_client):
    from cloudtower import ClusterApi
    return ClusterApi(api_client).get_clusters({
        "where": {"type": "SMTX_OS", "hypervisor": "ELF"}, "orderBy": "name_ASC", "first": 1})[0].id


def test_upload_of_20_mib_in_three_chunks(simulator, api_client, twenty_mib_file):
    cluster_id = elf_cluster_id(api_client)
    since = len(simulator.requests)
    progress = []
    task = upload_elf_image(api_client, twenty_mib_file, cluster_id, name="twenty.iso",
                            progress=lambda sent, total: progress.append((sent, total)))
    uploads = [r for r in list(simulator.requests)[since:] if r["path"] == "/v2/api/upload-elf-image"]
    assert len(uploads) == 3
    assert progress == [(8 * MiB, 20 * MiB), (16 * MiB, 20 * MiB), (20 * MiB, 20 * MiB)]
    assert (task.status, task.current_chunk, task.chunk_size, task.size) == (
        "SUCCESSED", 3, CHUNK_SIZE, 20 * MiB)
    assert task.resource_type == "ELF_IMAGE"
    stored = UploadTaskApi(api_client).get_upload_tasks({"where": {"id": task.id}})[0]
    assert stored.status == "SUCCESSED"
    images = ElfImageApi(api_client).get_elf_images({"where": {
        "local_id": task.args["attributes"]["uuid"]}})
    assert [(i.name, i.size, i.cluster.id) for i in images] == [("twenty.iso", 20 * MiB, cluster_id)]


def test_a_chunk_that_keeps_failing_names_the_task_to_resume(simulator, api_client,
                                                             twenty_mib_file):
    cluster_id = elf_cluster_id(api_client)
    # the first chunk goes through, the second is refused twice (no retries asked)
    simulator.fail_next("create_elf_image", status=None, times=1)
    simulator.fail_next("create_elf_image", status=503, times=2)
    with pytest.raises(ApiException) as info:
        upload_elf_image(api_client, twenty_mib_file, cluster_id, retries=0)
    reason = info.value.reason
    assert "bytes %d-%d of %d" % (8 * MiB, 16 * MiB, 20 * MiB) in reason
    task_id = UploadTaskApi(api_client).get_upload_tasks({"where": {"status": "UPLOADING"}})[0].id
    assert "upload_task_id='%s'" % task_id in reason

    # resuming sends only what the server does not have yet
    simulator.clear_faults()
    since = len(simulator.requests)
    task = upload_elf_image(api_client, twenty_mib_file, cluster_id, upload_task_id=task_id)
    uploads = [r for r in list(simulator.requests)[since:] if r["path"] == "/v2/api/upload-elf-image"]
    assert len(uploads) == 2
    assert (task.id, task.status, task.current_chunk) == (task_id, "SUCCESSED", 3)


def test_a_refused_chunk_is_retried(simulator, api_client, twenty_mib_file):
    cluster_id = elf_cluster_id(api_client)
    simulator.fail_next("create_elf_image", status=None, times=1)
    simulator.fail_next("create_elf_image", status=503, times=1)
    task = upload_elf_image(api_client, twenty_mib_file, cluster_id, retries=1)
    assert (task.status, task.current_chunk) == ("SUCCESSED", 3)


def test_a_chunk_whose_answer_was_lost_is_not_sent_twice(simulator, api_client, twenty_mib_file):
    # The server stores chunk 2, then the connection drops before the answer.
    # Sending chunk 2 again would append it twice; the helper must notice.
    cluster_id = elf_cluster_id(api_client)
    simulator.fail_next("create_elf_image", status=None, times=1)
    simulator.fail_next("create_elf_image", drop=True, after=True, times=1)
    task = upload_elf_image(api_client, twenty_mib_file, cluster_id, retries=2)
    assert (task.status, task.size, task.current_chunk) == ("SUCCESSED", 20 * MiB, 3)


def test_upload_of_a_missing_file_is_a_clear_error(api_client, tmpdir):
    with pytest.raises(ApiValueError) as info:
        upload_elf_image(api_client, str(tmpdir.join("nope.iso")), "cluster")
    assert "nope.iso" in str(info.value)


def test_svt_image_version_is_read_from_the_iso(simulator, api_client, tmpdir):
    path = str(tmpdir.join("svt.iso"))
    with open(path, "wb") as handle:
        handle.write(b"\0" * (32 * 1024 + 190))
        handle.write(b"4.6.0-1234".ljust(128, b" "))
        handle.write(b"\0" * 1024)
    assert get_svt_image_version(path) == "4.6.0-1234"
    task = upload_svt_image(api_client, path, elf_cluster_id(api_client))
    assert task.status == "SUCCESSED"
    assert task.args["version"] == "4.6.0-1234"


# -- image_utils ------------------------------------------------------------------

def test_elf_images_by_upload_task(simulator, api_client, tmpdir):
    cluster_id = elf_cluster_id(api_client)
    tasks = []
    for name in ("one.iso", "two.iso"):
        path = str(tmpdir.join(name))
        with open(path, "wb") as handle:
            handle.write(b"x" * 1000)
        tasks.append(upload_elf_image(api_client, path, cluster_id))
    found = get_elf_image_by_upload_task(api_client, {"where": {"id_in": [t.id for t in tasks]}})
    assert sorted(found) == sorted(t.id for t in tasks)
    assert sorted(image.name for image in found.values()) == ["one.iso", "two.iso"]
    for task in tasks:
        assert found[task.id].local_id == task.args["attributes"]["uuid"]

    # an image deleted since maps to None
    ElfImageApi(api_client).delete_elf_image({"where": {"id": found[tasks[0].id].id}})
    simulator.settle()
    again = get_elf_image_by_upload_task(api_client, {"where": {"id_in": [t.id for t in tasks]}})
    assert again[tasks[0].id] is None and again[tasks[1].id].name == "two.iso"


def test_unfinished_and_other_kinds_of_upload_are_left_out(simulator, api_client, tmpdir,
                                                          twenty_mib_file):
    cluster_id = elf_cluster_id(api_client)
    svt = str(tmpdir.join("svt.iso"))
    with open(svt, "wb") as handle:
        handle.write(b"\0" * 40000)
    svt_task = upload_svt_image(api_client, svt, cluster_id, version="1")
    # an upload stopped after its first chunk stays UPLOADING
    simulator.fail_next("create_elf_image", status=None, times=1)
    simulator.fail_next("create_elf_image", status=400, times=1)
    with pytest.raises(ApiException):
        upload_elf_image(api_client, twenty_mib_file, cluster_id)
    pending = UploadTaskApi(api_client).get_upload_tasks({"where": {"status": "UPLOADING"}})[0]
    found = get_elf_image_by_upload_task(api_client, {"where": {"id_in": [svt_task.id, pending.id]}})
    assert found == {}


def test_content_library_images_by_upload_task(simulator, api_client):
    import json

    from cloudtower import ContentLibraryImageApi
    cluster_id = elf_cluster_id(api_client)
    # one chunk, through the operation itself (see the test below for the helper)
    task = ContentLibraryImageApi(api_client).create_content_library_image(
        file=("library.iso", b"y" * 5000), clusters=json.dumps({"id_in": [cluster_id]}),
        name="library.iso", size="5000", size_unit="B")[0]
    assert task.status == "SUCCESSED"
    found = get_content_library_image_by_upload_task(api_client, {"where": {"id": task.id}})
    assert list(found) == [task.id]
    assert found[task.id].name == "library.iso"
    assert [c.id for c in found[task.id].clusters] == [cluster_id]
    # an ELF image upload is not a content-library upload
    elf = ElfImageApi(api_client).create_elf_image(
        file=("plain.iso", b"z" * 10), cluster_id=cluster_id, size="10")[0]
    assert get_content_library_image_by_upload_task(
        api_client, {"where": {"id_in": [task.id, elf.id]}}).keys() == found.keys()


def test_upload_content_library_image_helper(simulator, api_client, tmpdir):
    path = str(tmpdir.join("library.iso"))
    with open(path, "wb") as handle:
        handle.write(b"y" * 5000)
    cluster_id = elf_cluster_id(api_client)
    task = upload_content_library_image(api_client, path, [cluster_id], name="library.iso")
    assert task.status == "SUCCESSED"
    found = get_content_library_image_by_upload_task(api_client, {"where": {"id": task.id}})
    assert [c.id for c in found[task.id].clusters] == [cluster_id]


# -- content-language -------------------------------------------------------------

def _critical_messages(api_client, **kwargs):
    alerts = AlertApi(api_client).get_alerts(
        {"where": {"ended": False, "severity": "CRITICAL"}, "orderBy": "id_ASC"}, **kwargs)
    assert alerts
    return [alert.message for alert in alerts]


def _chinese(text):
    return any(u"\u4e00" <= char <= u"\u9fff" for char in text)


def test_content_language_per_call(simulator, api_client):
    assert not any(_chinese(m) for m in _critical_messages(api_client))
    assert all(_chinese(m) for m in _critical_messages(api_client, content_language="zh-CN"))
    # only that call: the next one is English again
    assert not any(_chinese(m) for m in _critical_messages(api_client))


@pytest.mark.parametrize("header", ["content-language", "content_language"])
def test_content_language_once_on_the_client(simulator, api_client, header):
    api_client.set_default_header(header, "zh-CN")
    assert all(_chinese(m) for m in _critical_messages(api_client))
    # a call can still ask for another language
    assert not any(_chinese(m) for m in _critical_messages(api_client, content_language="en-US"))
