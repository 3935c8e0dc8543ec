# coding: utf-8
"""show_progress=True: a line redrawn with \\r only on a terminal (with the
elapsed time and each task's progress); anywhere else one INFO line per
change on the ``cloudtower`` logger and no \\r at all. Clocks are injected;
nothing is timed."""
import io
import logging
import sys
import time

import pytest

from cloudtower import LabelApi
from cloudtower._progress import StateProgress, TaskProgress, UploadProgress, elapsed_text
from cloudtower.models import Task
from cloudtower.upload import upload_elf_image
from cloudtower.utils import wait_tasks

MiB = 1024 * 1024


class Stream(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, tty):
        io.StringIO.__init__(self)
        self.tty = tty

    def isatty(self):
        return self.tty

    def write(self, text):
        if not isinstance(text, type(u"")):
            text = text.decode("utf-8")
        return io.StringIO.write(self, text)


class Clock(object):
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def task(task_id, status, progress=None, description=None):
    return Task(id=task_id, status=status, progress=progress, description=description)


@pytest.fixture
def records(caplog):
    caplog.set_level(logging.INFO, logger="cloudtower")
    return lambda: [r for r in caplog.records if r.name == "cloudtower" and r.levelno == logging.INFO]


def test_elapsed_text():
    assert [elapsed_text(s) for s in (0, 7.9, 65, 3723)] == ["0:00", "0:07", "1:05", "1:02:03"]


def test_tasks_on_a_terminal_redraw_one_line_with_elapsed_time_and_each_task(records):
    stream, clock = Stream(tty=True), Clock()
    progress = TaskProgress(stream=stream, clock=clock)
    clock.now += 5
    progress.update(0, 2, [task("t1", "EXECUTING", 0.45, "Start VM web-1"),
                           task("t2", "PENDING", 0.0, "Start VM web-2")])
    clock.now += 70
    progress.update(1, 2, [task("t1", "SUCCESSED", 1.0, "Start VM web-1"),
                           task("t2", "EXECUTING", 0.5, "Start VM web-2")])
    progress.close()
    text = stream.getvalue()
    first, second = text.split("\r")[1:]
    assert first.rstrip() == "tasks 0/2 finished, 0:05 | Start VM web-1 45% | Start VM web-2 PENDING"
    assert second.rstrip() == \
        "tasks 1/2 finished, 1:15 | Start VM web-1 SUCCESSED | Start VM web-2 50%"
    assert text.endswith("\n") and "\n" not in text[:-1]
    assert records() == []


def test_tasks_elsewhere_log_one_line_per_change_and_write_nothing(records):
    stream, clock = Stream(tty=False), Clock()
    progress = TaskProgress(stream=stream, clock=clock)
    progress.update(0, 2, [task("t1", "PENDING", 0.0, "Start VM web-1"),
                           task("t2", "PENDING", 0.0, "Start VM web-2")])
    clock.now += 3
    progress.update(0, 2, [task("t1", "EXECUTING", 0.3, "Start VM web-1"),
                           task("t2", "PENDING", 0.0, "Start VM web-2")])
    progress.update(0, 2, [task("t1", "EXECUTING", 0.3, "Start VM web-1"),
                           task("t2", "PENDING", 0.0, "Start VM web-2")])   # nothing changed
    clock.now += 2
    progress.update(2, 2, [task("t1", "SUCCESSED", 1.0, "Start VM web-1"),
                           task("t2", "FAILED", 0.0, "Start VM web-2")])
    progress.close()
    assert stream.getvalue() == ""
    assert [r.getMessage() for r in records()] == [
        "task t1 (Start VM web-1): PENDING [0/2 finished, 0:00 elapsed]",
        "task t2 (Start VM web-2): PENDING [0/2 finished, 0:00 elapsed]",
        "task t1 (Start VM web-1): 30% [0/2 finished, 0:03 elapsed]",
        "task t1 (Start VM web-1): SUCCESSED [2/2 finished, 0:05 elapsed]",
        "task t2 (Start VM web-2): FAILED [2/2 finished, 0:05 elapsed]",
    ]


def test_a_long_line_is_cut_to_the_terminal_width(monkeypatch):
    import cloudtower._progress as module
    monkeypatch.setattr(module, "_columns", lambda: 60)
    stream = Stream(tty=True)
    progress = TaskProgress(stream=stream, clock=Clock())
    progress.update(0, 20, [task("t%d" % i, "EXECUTING", 0.1, "Create VM number %d" % i)
                            for i in range(20)])
    line = stream.getvalue().lstrip("\r")
    assert len(line) == 59 and line.endswith("...")


def test_a_shorter_line_blanks_what_the_longer_one_left():
    stream = Stream(tty=True)
    progress = StateProgress("VMs are RUNNING", stream=stream, clock=Clock())
    progress.update("1 of 20 match")
    progress.update("20 of 20 match")
    progress.update("1 of 2 match")
    lines = stream.getvalue().split("\r")[1:]
    assert len(lines[2]) == len(lines[1])


def test_uploads_log_when_the_whole_percent_changes(records):
    stream, clock = Stream(tty=False), Clock()
    progress = UploadProgress("disk.iso", stream=stream, clock=clock)
    for sent in (0, 1, 2, 50, 100, 100, 199, 200):
        clock.now += 1
        progress.update(sent, 200)
    assert stream.getvalue() == ""
    assert [r.getMessage() for r in records()] == [
        "upload of disk.iso: 0% (0 of 200 bytes, 0:01 elapsed)",
        "upload of disk.iso: 1% (2 of 200 bytes, 0:03 elapsed)",
        "upload of disk.iso: 25% (50 of 200 bytes, 0:04 elapsed)",
        "upload of disk.iso: 50% (100 of 200 bytes, 0:05 elapsed)",
        "upload of disk.iso: 99% (199 of 200 bytes, 0:07 elapsed)",
        "upload of disk.iso: 100% (200 of 200 bytes, 0:08 elapsed)",
    ]


def test_uploads_on_a_terminal_show_rate_and_elapsed_time():
    stream, clock = Stream(tty=True), Clock()
    progress = UploadProgress("disk.iso", stream=stream, clock=clock)
    clock.now += 2
    progress.update(8 * MiB, 20 * MiB)
    progress.close()
    assert stream.getvalue() == "\rdisk.iso: 40% (8388608 of 20971520 bytes), 0:02, 4.0 MiB/s\n"


def test_a_stream_that_cannot_say_is_not_a_terminal():
    class Closed(object):
        def isatty(self):
            raise ValueError("I/O operation on closed file")
    assert TaskProgress(stream=Closed()).tty is False


# -- through the helpers, against the simulator ---------------------------------

def label_tasks(api_client, count):
    answer = LabelApi(api_client).create_label(
        [{"key": "progress-%d-%d" % (i, int(time.time() * 1000)), "value": "v"}
         for i in range(count)])
    return [item.task_id for item in answer]


def test_wait_tasks_in_a_log_writes_no_carriage_returns(simulator, api_client, capsys, records):
    ids = label_tasks(api_client, 2)
    wait_tasks(ids, api_client, interval=0.1, show_progress=True)
    assert capsys.readouterr().err == ""
    lines = [r.getMessage() for r in records()]
    for task_id in ids:
        mine = [line for line in lines if line.startswith("task %s " % task_id)]
        assert mine and mine[-1].startswith("task %s (" % task_id)
        assert "): SUCCESSED [" in mine[-1]
        # one line per change: never the same state twice in a row
        states = [line.split("): ", 1)[1].split(" [", 1)[0] for line in mine]
        assert all(a != b for a, b in zip(states, states[1:]))
    assert "[2/2 finished," in lines[-1]


def test_wait_tasks_on_a_terminal_redraws_a_line(simulator, api_client, monkeypatch, records):
    stream = Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", stream)
    ids = label_tasks(api_client, 2)
    wait_tasks(ids, api_client, interval=0.1, show_progress=True)
    text = stream.getvalue()
    assert text.startswith("\r") and text.endswith("\n")
    assert "tasks 2/2 finished, 0:0" in text.split("\r")[-1]
    assert records() == []


def test_wait_tasks_ends_the_terminal_line_when_it_times_out(simulator, api_client, monkeypatch):
    from cloudtower import ApiException
    stream = Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", stream)
    simulator.task_seconds = 30
    ids = label_tasks(api_client, 1)
    with pytest.raises(ApiException) as info:
        wait_tasks(ids, api_client, interval=0.1, timeout=0.3, show_progress=True)
    assert info.value.status == 408
    assert stream.getvalue().endswith("\n")


@pytest.fixture
def image_file(tmpdir):
    path = str(tmpdir.join("small.iso"))
    with open(path, "wb") as handle:
        handle.write(b"x" * (20 * MiB))  # three chunks of the server's 8 MiB
    return path


def elf_cluster_id(api_client):
    from cloudtower import ClusterApi
    return ClusterApi(api_client).get_clusters({
        "where": {"type": "SMTX_OS", "hypervisor": "ELF"}, "orderBy": "name_ASC", "first": 1})[0].id


def test_an_upload_in_a_log_writes_no_carriage_returns(simulator, api_client, image_file, capsys,
                                                       records):
    upload_elf_image(api_client, image_file, elf_cluster_id(api_client), show_progress=True)
    assert capsys.readouterr().err == ""
    assert [r.getMessage().split(" (")[0] for r in records()] == [
        "upload of small.iso: 40%", "upload of small.iso: 80%", "upload of small.iso: 100%"]


def test_an_upload_on_a_terminal_redraws_a_line(simulator, api_client, image_file, monkeypatch,
                                               records):
    stream = Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", stream)
    upload_elf_image(api_client, image_file, elf_cluster_id(api_client), show_progress=True)
    parts = stream.getvalue().split("\r")[1:]
    assert [p.split(" (")[0] for p in parts] == ["small.iso: 40%", "small.iso: 80%",
                                                 "small.iso: 100%"]
    assert parts[-1].endswith("MiB/s\n")
    assert records() == []
