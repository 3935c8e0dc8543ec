# coding: utf-8
"""Waiting for a state, not only for tasks.

``wait_for(answer, client)`` waits for the tasks of an operation's answer;
``wait_until(vm_api.get_vms, {"where": ...}, {"status": "RUNNING"})`` polls a
query until its rows are as wanted, like boto3's waiters. Both poll as
``wait_tasks`` does: quickly at first, then every ``interval`` seconds at
most, riding out polls that fail with a connection error or a 5xx.
"""
import time

import six

from cloudtower.exceptions import ApiException, ApiTypeError

# how the waiters tell time and wait (tests replace them)
_clock = time.time
_sleep = time.sleep

_MISSING = object()


class WaiterError(ApiException):
    """``wait_until`` gave up: status 408 when ``timeout`` passed first, 500
    when a row reached a ``fail_if`` state. ``rows`` are the rows last read
    (None if no poll succeeded)."""

    def __init__(self, status, reason, rows=None):
        super(WaiterError, self).__init__(status=status, reason=reason)
        self.rows = rows


def wait_for(answer, api_client, interval=5, timeout=300, exit_on_error=False, progress=None,
             show_progress=False):
    """Wait for the tasks of an operation's answer; returns ``answer`` as it was.

    ``answer`` is what a change returned: a list of ``WithTask*`` items, or
    one item. Items whose ``task_id`` is None (CloudTower answers no task
    when nothing is left to do) are skipped. The rest is ``wait_tasks``:
    the same options, and the same errors (408 on timeout, 500 naming each
    failed task)::

        created = wait_for(vm_api.create_vm_from_template([...]), client)
        vm_ids = [item.data.id for item in created]
    """
    from cloudtower.utils import wait_tasks
    items = answer if isinstance(answer, (list, tuple)) else [answer]
    ids = []
    for index, item in enumerate(items):
        task_id = getattr(item, "task_id", _MISSING)
        if task_id is _MISSING and isinstance(item, dict):
            task_id = item.get("task_id", _MISSING)
        if task_id is _MISSING:
            where = "`answer`" if items is not answer else "`answer[%d]`" % index
            raise ApiTypeError("wait_for: %s must be an operation's answer (WithTask* items "
                               "with a task_id), got %s" % (where, type(item).__name__))
        if task_id is not None:
            ids.append(task_id)
    wait_tasks(ids, api_client, interval=interval, timeout=timeout, exit_on_error=exit_on_error,
               progress=progress, show_progress=show_progress)
    return answer


def _matcher(name, condition):
    """A row predicate for a callable or a ``{attribute: value(s)}`` dict."""
    if condition is None:
        return None
    if callable(condition):
        return condition
    if not isinstance(condition, dict) or not condition:
        raise ApiTypeError("wait_until: `%s` must be a function of a row, or a dict of "
                           "attribute: value such as {\"status\": \"RUNNING\"}, got %s"
                           % (name, type(condition).__name__))
    wanted = []
    for attribute, value in sorted(condition.items()):
        if isinstance(value, (list, tuple, set, frozenset)):
            wanted.append((attribute, tuple(value)))
        else:
            wanted.append((attribute, (value,)))

    def matches(row):
        for attribute, values in wanted:
            if getattr(row, attribute, None) not in values:
                return False
        return True
    return matches


def _describe(condition):
    if condition is None:
        return None
    if isinstance(condition, dict):
        parts = []
        for attribute, value in sorted(condition.items()):
            if isinstance(value, (list, tuple, set, frozenset)):
                parts.append("%s in %s" % (attribute, "/".join("%s" % v for v in value)))
            else:
                parts.append("%s %s" % (attribute, value))
        return " and ".join(parts)
    name = getattr(condition, "__name__", None)
    return "%s holds" % name if name and name != "<lambda>" else "the condition holds"


def _label(row):
    for attribute in ("name", "id"):
        value = getattr(row, attribute, None)
        if value:
            return "%s" % value
    return repr(row)[:40]


def _state(row, condition):
    if isinstance(condition, dict):
        return ", ".join("%s %s" % (attribute, getattr(row, attribute, None))
                         for attribute in sorted(condition))
    return None


def _retryable(error):
    """A failed poll is not a failed wait: connection errors, 5xx, 408, 429."""
    return not error.status or error.status >= 500 or error.status in (408, 429)


def wait_until(list_method, request=None, condition=None, count=None, fail_if=None,
               timeout=300, interval=5, progress=None, show_progress=False, what=None):
    """Poll a list operation until its rows are as wanted; returns those rows.

    ``list_method(request)`` is called each round (``VmApi(client).get_vms``
    and its body). The wait is over when

    - ``count`` is None and there is at least one row, or there are exactly
      ``count`` rows; and
    - every row satisfies ``condition``: a dict of attribute values
      (``{"status": "RUNNING"}``; a list of values means any of them) or a
      function of a row (``lambda vm: vm.vcpu >= 4``); None accepts every row.

    ``count=0`` waits until no row is left (e.g. until VMs are deleted). A
    row that satisfies ``fail_if`` (the same forms) ends the wait at once
    with ``WaiterError`` status 500; ``timeout`` seconds without the state
    raise ``WaiterError`` status 408 saying how far it got. ``progress(done,
    total, rows)`` is called after each poll (``done`` rows satisfy the
    condition); ``show_progress=True`` shows it as ``wait_tasks`` does (a
    redrawn line on a terminal, INFO lines on the ``cloudtower`` logger
    elsewhere). ``what`` names the state in messages.
    """
    from cloudtower.utils import _check_callable, _check_number, _poll_delays
    if not callable(list_method):
        raise ApiTypeError("wait_until: `list_method` must be a list operation such as "
                           "VmApi(client).get_vms, got %s" % type(list_method).__name__)
    _check_number("wait_until", "interval", interval, above=True)
    _check_number("wait_until", "timeout", timeout)
    _check_number("wait_until", "count", count, whole=True, allow_none=True)
    _check_callable("wait_until", "progress", progress)
    accepts = _matcher("condition", condition)
    fails = _matcher("fail_if", fail_if)
    if request is None:
        request = {}
    if what is None:
        method = getattr(list_method, "__name__", "the query")
        parts = []
        if count is not None:
            parts.append("%s answers %d row(s)" % (method, count))
        described = _describe(condition)
        if described:
            parts.append("every row of %s has %s" % (method, described)
                         if isinstance(condition, dict) else "%s for every row of %s"
                         % (described, method))
        what = " and ".join(parts) or "%s answers a row" % method
    elif not isinstance(what, six.string_types):
        raise ApiTypeError("wait_until: `what` must be text, got %s" % type(what).__name__)
    reporter = None
    if show_progress:
        from cloudtower._progress import StateProgress
        reporter = StateProgress(what)
    try:
        return _poll(list_method, request, accepts, fails, count, timeout, interval, progress,
                     reporter, what, condition, fail_if, _poll_delays(interval))
    finally:
        if reporter is not None:
            reporter.close()


def _poll(list_method, request, accepts, fails, count, timeout, interval, progress, reporter,
          what, condition, fail_if, delays):
    deadline = _clock() + timeout
    rows = None
    last_error = None
    summary = "no answer yet"
    while True:
        try:
            rows = list(list_method(request))
            last_error = None
        except ApiException as error:
            if not _retryable(error):
                raise
            last_error = error
            import logging
            logging.getLogger("cloudtower").warning("wait_until: polling %s failed (%s); retrying",
                                                    what, error.reason)
        if last_error is None:
            if fails is not None:
                failed = [row for row in rows if fails(row)]
                if failed:
                    raise WaiterError(500, "gave up waiting until %s: %s reached a failure state "
                                           "(%s)" % (what, _list(failed, fail_if),
                                                     _describe(fail_if)), rows)
            done = [row for row in rows if accepts is None or accepts(row)]
            summary = "%d of %d row(s) as wanted" % (len(done), len(rows))
            if count is not None:
                summary += " (%d wanted)" % count
            if progress is not None:
                progress(len(done), len(rows), rows)
            if reporter is not None:
                reporter.update(summary)
            enough = len(rows) == count if count is not None else bool(rows)
            if enough and len(done) == len(rows):
                return rows
        delay = next(delays)
        now = _clock()
        if now + delay > deadline:
            if deadline - now > 0:
                _sleep(deadline - now)  # one last poll at the deadline
                continue
            reason = "timed out after %ss waiting until %s: %s" % (timeout, what, summary)
            if rows and accepts is not None:
                waiting = [row for row in rows if not accepts(row)]
                if waiting:
                    reason += "; not yet: %s" % _list(waiting, condition)
            if last_error is not None:
                reason += " (last poll failed: %s)" % last_error.reason
            raise WaiterError(408, reason, rows)
        _sleep(delay)


def _list(rows, condition, limit=5):
    shown = []
    for row in rows[:limit]:
        state = _state(row, condition)
        shown.append("%s (%s)" % (_label(row), state) if state else _label(row))
    if len(rows) > limit:
        shown.append("%d more" % (len(rows) - limit))
    return ", ".join(shown)
