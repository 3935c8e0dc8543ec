# coding: utf-8
"""Helpers for what every script does: log in, wait for tasks, read everything.

``wait_tasks``/``wait_task``/``login`` keep the signatures of the official
SDK's helpers; image uploads live in :mod:`cloudtower.upload`.
"""
import json
import logging
import time

import six

from cloudtower.exceptions import ApiException, ApiTypeError, ApiValueError

logger = logging.getLogger("cloudtower.utils")

# kept for scripts that use them; the SDK itself reads cloudtower.models.TaskStatus
TASK_SUCCEEDED = "SUCCESSED"
TASK_FAILED = "FAILED"
FINISHED = frozenset([TASK_SUCCEEDED, TASK_FAILED])
# ids per get_tasks request; long lists are polled in chunks of this size
POLL_CHUNK = 200
# an id the server does not know is reported instead of awaited once it has
# been missing from this many polls over at least this many seconds
UNKNOWN_AFTER_POLLS = 3
UNKNOWN_AFTER_SECONDS = 1.0
FIRST_POLL_DELAY = 0.1


def _type_name(value):
    return type(value).__name__


def _check_client(function, api_client):
    """Refuse anything but an ``ApiClient`` (a missing one would mean localhost)."""
    from cloudtower.api_client import ApiClient
    if not isinstance(api_client, ApiClient):
        raise ApiTypeError("%s: `api_client` must be an ApiClient, got %s"
                           % (function, _type_name(api_client)))


def _check_number(function, name, value, minimum=0, above=False, whole=False, allow_none=False):
    """Refuse a value that is not a number (ApiTypeError) or is out of range (ApiValueError)."""
    if value is None and allow_none:
        return
    kinds = six.integer_types if whole else six.integer_types + (float,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ApiTypeError("%s: `%s` must be a %s, got %s" % (
            function, name, "whole number" if whole else "number", _type_name(value)))
    if value != value or value == float("inf") or (value <= minimum if above else value < minimum):
        raise ApiValueError("%s: `%s` must be %s %s, got %r" % (
            function, name, "above" if above else "at least", minimum, value))


def _check_callable(function, name, value):
    if value is not None and not callable(value):
        raise ApiTypeError("%s: `%s` must be a function or None, got %s"
                           % (function, name, _type_name(value)))


def _poll_delays(interval):
    """0.1 s, 0.15 s, 0.225 s ... growing to ``interval``: short tasks are seen
    quickly, long ones are not polled more often than needed."""
    delay = min(FIRST_POLL_DELAY, interval)
    while True:
        yield delay
        delay = min(delay * 1.5, interval)


def wait_tasks(ids, api_client, interval=5, timeout=300, exit_on_error=False,
               progress=None, show_progress=False):
    """Wait until every task in ``ids`` has ended.

    Returns the final ``Task`` objects, in the order of ``ids`` (ids that are
    None -- a change that was synchronous -- are skipped). Raises
    ``ApiException`` with status 408 when ``timeout`` seconds pass first, and
    with status 500 naming each failed task (with ``exit_on_error=True`` as
    soon as one fails, otherwise once all have ended); an id the server does
    not know is reported the same way (404 if that is the only problem).
    ``interval`` is the longest gap between two polls. ``progress(done,
    total, tasks)`` is called after each poll; ``show_progress=True`` shows
    the elapsed time and each task's progress: a line redrawn on stderr when
    it is a terminal, else one INFO line per change on the ``cloudtower`` logger.
    """
    from cloudtower.api.task_api import TaskApi

    try:
        if isinstance(ids, six.string_types + (bytes, dict)):
            raise TypeError()
        ids = list(ids)
    except TypeError:
        raise ApiTypeError("wait_tasks: `ids` must be a list of task ids, got %s%s" % (
            _type_name(ids), " (for one task, use wait_task or [task_id])"
            if isinstance(ids, six.string_types) else ""))
    _check_client("wait_tasks", api_client)
    _check_number("wait_tasks", "interval", interval, above=True)
    _check_number("wait_tasks", "timeout", timeout)
    _check_callable("wait_tasks", "progress", progress)
    wanted = []
    for index, task_id in enumerate(ids):
        if task_id is not None and not isinstance(task_id, six.string_types):
            raise ApiTypeError("wait_tasks: `ids[%d]` must be a task id (text) or None, got %s"
                               % (index, _type_name(task_id)))
        if task_id is not None and task_id not in wanted:
            wanted.append(task_id)
    if not wanted:
        return []
    task_api = TaskApi(api_client)
    reporter = None
    if show_progress:
        from cloudtower._progress import TaskProgress
        reporter = TaskProgress()
    try:
        return _TaskWaiter(task_api, wanted, interval, timeout, exit_on_error, progress,
                           reporter).run()
    finally:
        if reporter is not None:
            reporter.close()


# the clock and the pause of the waiting: tests replace them
_clock = time.time
_sleep = time.sleep


class _TaskWaiter(object):
    """One ``wait_tasks`` call: poll, take in what the poll found, report, decide
    how long to pause, and give up at the timeout."""

    def __init__(self, task_api, wanted, interval, timeout, exit_on_error, progress, reporter):
        from cloudtower.models import TaskStatus
        self.succeeded, self.failed = TaskStatus.SUCCESSED, TaskStatus.FAILED
        self.task_api = task_api
        self.wanted = wanted
        self.interval = interval
        self.timeout = timeout
        self.exit_on_error = exit_on_error
        self.progress = progress
        self.reporter = reporter
        self.started = _clock()
        self.deadline = self.started + timeout
        self.final = {}  # task id -> the ended Task (None: unknown to the server)
        self.unseen = dict((task_id, 0) for task_id in wanted)
        self.failures = []
        self.last_error = None
        self.delays = _poll_delays(interval)
        self.seen_progress = {}  # task id -> [(time, progress)], to estimate its end
        self.latest = {}  # task id -> the last Task seen of it, for the progress line

    def pending(self):
        return [task_id for task_id in self.wanted if task_id not in self.final]

    def run(self):
        while True:
            self.take(self.poll())
            self.report()
            if (self.failures and self.exit_on_error) or not self.pending():
                break
            self.pause()
        return self.result()

    def poll(self):
        """The pending tasks the server knows, by id; {} after a failed poll."""
        try:
            found = _fetch_tasks(self.task_api, self.pending())
            self.last_error = None
            return found
        except ApiException as error:
            # a failed poll is not a failed task: try again until the deadline
            if error.status and error.status < 500 and error.status not in (408, 429):
                raise
            self.last_error = error
            logger.warning("polling tasks failed (%s); retrying", error.reason)
            return {}

    def take(self, found):
        for task_id in self.pending():
            task = found.get(task_id)
            if task is None:
                self.missing(task_id)
                continue
            self.latest[task_id] = task
            if task.status in (self.succeeded, self.failed):
                self.final[task_id] = task
                if task.status == self.failed:
                    self.failures.append("task %s (%s) failed: %s: %s" % (
                        task_id, task.description, task.error_code, task.error_message))
            else:
                _record_progress(self.seen_progress, task)

    def missing(self, task_id):
        """An id the server does not know is given up on after a few polls and a second."""
        if self.last_error is not None:
            return
        self.unseen[task_id] += 1
        if self.unseen[task_id] >= UNKNOWN_AFTER_POLLS and \
                _clock() - self.started >= UNKNOWN_AFTER_SECONDS:
            self.final[task_id] = None
            self.failures.append("task %s: not found on the server" % task_id)

    def report(self):
        _report(self.progress, self.reporter, len(self.final), len(self.wanted), self.final,
                [self.latest[task_id] for task_id in self.wanted if task_id in self.latest])

    def pause(self):
        """Sleep until the next poll; 408 when the timeout comes first."""
        delay = next(self.delays)
        estimate = _estimated_remaining(self.seen_progress, self.pending())
        if estimate is not None:
            # poll again when the slowest task should have ended, not sooner
            delay = min(self.interval, max(FIRST_POLL_DELAY / 2, estimate + 0.02))
        now = _clock()
        if now + delay > self.deadline:
            if self.deadline - now > 0:
                _sleep(self.deadline - now)  # one last poll at the timeout
                return
            waiting = self.pending()
            reason = "timed out after %ss waiting for %d task(s): %s" % (
                self.timeout, len(waiting), ", ".join(waiting))
            if self.last_error is not None:
                reason += " (last poll failed: %s)" % self.last_error.reason
            raise ApiException(408, reason)
        _sleep(delay)

    def result(self):
        if self.failures:
            only_unknown = all(item.endswith("not found on the server") for item in self.failures)
            raise ApiException(404 if only_unknown else 500, "Tasks failed: " + "; ".join(self.failures))
        return [self.final[task_id] for task_id in self.wanted]


def _record_progress(seen, task):
    from cloudtower.models import TaskStatus
    progress = task.progress
    if task.status != TaskStatus.EXECUTING or not isinstance(progress, (int, float)) or progress <= 0:
        return
    samples = seen.setdefault(task.id, [])
    if not samples or progress > samples[-1][1]:
        samples.append((_clock(), float(progress)))
        del samples[:-2]


def _estimated_remaining(seen, pending):
    """Seconds until the last of ``pending`` should end, from how fast their
    progress moved between polls; None while any of them cannot be judged."""
    longest = 0.0
    for task_id in pending:
        samples = seen.get(task_id)
        if not samples or len(samples) < 2:
            return None
        (t1, p1), (t2, p2) = samples
        scale = 100.0 if p2 > 1.0 else 1.0
        rate = (p2 - p1) / max(t2 - t1, 1e-6)
        if rate <= 0:
            return None
        remaining = (scale - p2) / rate - (_clock() - t2)
        longest = max(longest, remaining)
    return longest


def _fetch_tasks(task_api, task_ids):
    found = {}
    for start in range(0, len(task_ids), POLL_CHUNK):
        chunk = task_ids[start:start + POLL_CHUNK]
        for task in task_api.get_tasks({"where": {"id_in": chunk}}):
            found[task.id] = task
    return found


def _report(progress, reporter, done, total, final, latest):
    if progress is not None:
        progress(done, total, [task for task in final.values() if task is not None])
    if reporter is not None:
        reporter.update(done, total, latest)


def wait_task(id, api_client, interval=5, timeout=300):  # `id`: the official signature
    """Wait for one task; returns it, raises like :func:`wait_tasks`."""
    tasks = wait_tasks([id], api_client, interval=interval, timeout=timeout, exit_on_error=True)
    return tasks[0] if tasks else None


def login(api_client, username, password, source="LOCAL"):
    """Log in and put the token on ``api_client.configuration``; returns the token.

    LDAP users are logged in the way CloudTower 4.x expects: through the LDAP
    authentication strategy it lists (source ``AUTHN`` with its id), falling
    back to source ``LDAP`` on towers that list none. If the token is later
    refused (401), the client logs in again once and repeats the call.
    """
    from cloudtower.api.user_api import UserApi

    _check_client("login", api_client)
    for name, value in (("username", username), ("password", password), ("source", source)):
        if not isinstance(value, six.string_types):
            # the type only: the value may be the password
            raise ApiTypeError("login: `%s` must be text, got %s" % (name, _type_name(value)))
    params = {"username": username, "password": password, "source": source}
    if source == "LDAP":
        strategy = _ldap_strategy(api_client)
        if strategy is not None:
            params["source"] = "AUTHN"
            params["auth_config_id"] = strategy
    result = UserApi(api_client).login(params)
    token = result.data.token
    api_client.configuration.api_key["Authorization"] = token

    def reauthenticate():
        try:
            fresh = UserApi(api_client).login(params).data.token
        except ApiException as error:
            logger.warning("logging in again failed: %s", error.reason)
            return False
        api_client.configuration.api_key["Authorization"] = fresh
        return True
    api_client.reauthenticate = reauthenticate
    return token


def _ldap_strategy(api_client):
    """The id of the LDAP authentication strategy, from CloudTower's GraphQL endpoint."""
    host = api_client.configuration.host.rstrip("/")
    if host.endswith("/v2/api"):
        host = host[:-len("/v2/api")] + "/api"
    try:
        response = api_client.request("POST", host, headers={"Content-Type": "application/json"},
                                      body={"query": "{authnStrategies{id type}}", "variables": {}})
        strategies = json.loads(response.data.decode("utf-8"))["data"]["authnStrategies"]
    except Exception:  # any failure here means: no strategy to use
        # Older towers have no such query (plain LDAP login then works); an
        # unreachable tower is reported by the login call that follows.
        return None
    for strategy in strategies or ():
        if strategy.get("type") == "LDAP":
            return strategy.get("id")
    return None


def paginate(list_method, request=None, page_size=100, use_skip=False, **kwargs):
    """Yield every object a ``get_*`` list operation returns, a page at a time.

    ``list_method`` is a bound API method such as ``VmApi(client).get_vms``;
    ``request`` its body (a dict or model; ``where`` and ``orderBy`` are
    kept). Pages are read with ``first`` + ``after`` (the last id seen), or
    ``first`` + ``skip`` with ``use_skip=True``, so memory stays bounded by
    ``page_size`` however many rows there are. Extra keyword arguments
    (``content_language`` ...) go to every call.
    """
    if not callable(list_method):
        raise ApiTypeError("paginate: `list_method` must be a list operation such as "
                           "VmApi(client).get_vms, got %s" % _type_name(list_method))
    if isinstance(page_size, bool) or not isinstance(page_size, six.integer_types):
        raise ApiTypeError("paginate: `page_size` must be a whole number, got %s"
                           % _type_name(page_size))
    if page_size < 1:
        raise ApiValueError("page_size must be at least 1, got %r" % (page_size,))
    if request is None:
        request = {}
    from cloudtower.model import Model
    if isinstance(request, Model):
        from cloudtower.model import sanitize
        request = sanitize(request)
    if not isinstance(request, dict):
        raise ApiTypeError("paginate: `request` must be a dict or a model (the list operation's "
                           "body), got %s" % _type_name(request))
    for word in ("first", "last", "skip", "after", "before"):
        if request.get(word) is not None:
            raise ApiValueError("paginate() sets `%s` itself; leave it out of the request" % word)
    body = dict(request)
    skip = 0
    after = None
    while True:
        body["first"] = page_size
        if use_skip:
            body["skip"] = skip
        elif after is not None:
            body["after"] = after
        page = list_method(body, **kwargs)
        for item in page:
            yield item
        if len(page) < page_size:
            return
        skip += len(page)
        after = getattr(page[-1], "id", None)
        if after is None and not use_skip:
            raise ApiValueError("cannot page by cursor: the objects have no id; use use_skip=True")
