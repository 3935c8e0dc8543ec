# coding: utf-8
"""Control from outside the process: the admin interface under ``/_simulator``.

The same port as the API serves it, so anything that speaks HTTP (a test in
another language, ``curl``, a CI script) can drive the scenarios an
in-process test drives with ``sim.reset()``, ``sim.fail_next(...)`` and the
rest. Every request needs the admin credentials, one of:

- the header ``X-Simulator-Admin: TOKEN``, where TOKEN is the simulator's
  ``admin_token`` (``Simulator(admin_token=...)``, ``--admin-token``; by
  default a random one, printed by ``python -m cloudtower.simulator``);
- ``Authorization: Basic`` with the name and password of a ``ROOT`` user of
  the estate (``curl -u 'root:HC!r0cks'``).

Without them the answer is 401 and nothing happens. Bodies and answers are
JSON; a wrong body answers 400 naming the field. Admin requests take no
injected faults and are not written to the request log.

==========================================  =====================================
``GET /_simulator``                         what it is: version, endpoint, seed,
                                            size, settings, running tasks, sessions,
                                            pending faults, rows per table
``POST /_simulator/reset``                  back to the seed (``{"seed": 3,
                                            "size": "medium"}`` optional); faults
                                            and the request log cleared
``POST /_simulator/settle``                 end every running task now
``POST /_simulator/expire-sessions``        every login token answers 401 from now
``GET|PATCH /_simulator/settings``          ``{"task_seconds": 2.0,
                                            "max_body_size": 1048576}``
``GET|POST|DELETE /_simulator/faults``      pending faults; add one (the arguments
                                            of ``sim.fail_next``: ``target``,
                                            ``status``, ``times``, ``drop``,
                                            ``after``, ``delay``, ``message``,
                                            ``code``); clear them all
``POST /_simulator/task-failures``          the next tasks of an operation fail
                                            (``sim.fail_tasks``: ``target``,
                                            ``times``, ``error_code``,
                                            ``error_message``)
``GET|DELETE /_simulator/requests``         the request log, oldest first
                                            (``?path=/v2/api/get-vms&method=POST
                                            &limit=10``); clear it
``GET|PUT /_simulator/state``               the estate as JSON (``export_state``);
                                            replace it (``import_state``; a body
                                            up to ``max_body_size``)
``POST /_simulator/state/save``             write the ``--state`` file now, or
                                            ``{"path": FILE}``
``POST /_simulator/state/load``             load ``{"path": FILE}`` (a file on the
                                            simulator's machine), or the ``--state``
                                            file
==========================================  =====================================
"""
import json

import six
from six.moves.urllib.parse import parse_qsl

from cloudtower.simulator import limits, scale, session

PREFIX = "/_simulator"
TOKEN_HEADER = "x-simulator-admin"

_FAULT_KEYS = ("target", "status", "times", "message", "drop", "after", "delay", "code")
_TASK_FAILURE_KEYS = ("target", "times", "error_code", "error_message")


def is_admin(path):
    """True for a path of the admin interface (the query string aside)."""
    path = path.split("?", 1)[0]
    return path == PREFIX or path.startswith(PREFIX + "/")


class _Refusal(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status
        self.message = message


def handle(simulator, method, raw_path, headers, body):
    """(status, JSON-ready payload) for one admin request."""
    path = raw_path.split("?", 1)[0].rstrip("/") or PREFIX
    try:
        _authorize(simulator, headers)
        route = _ROUTES.get(path[len(PREFIX):] or "/")
        if route is None:
            raise _Refusal(404, "no admin resource %s (GET %s lists what there is)" % (path, PREFIX))
        action = route.get(method)
        if action is None:
            raise _Refusal(405, "%s takes %s, not %s" % (path, ", ".join(sorted(route)), method))
        query = dict(parse_qsl(raw_path.split("?", 1)[1])) if "?" in raw_path else {}
        raw = body or b""
        return 200, action(simulator, raw if action is _import else _body(raw), query)
    except _Refusal as refusal:
        return refusal.status, {"message": refusal.message, "status": refusal.status, "path": path}


def _authorize(simulator, headers):
    token = headers.get(TOKEN_HEADER)
    expected = getattr(simulator, "admin_token", None)
    if token and expected and _same(token, expected):
        return
    auth = headers.get("authorization")
    if auth and auth.startswith("Basic "):
        with simulator.store.lock:
            user = session.basic_user(simulator.store, auth)
        if user is not None and user.get("role") == "ROOT":
            return
    raise _Refusal(401, "the admin interface needs the header X-Simulator-Admin with the "
                        "simulator's admin token (printed at start), or Basic credentials of a "
                        "ROOT user")


def _same(given, expected):
    # a comparison that takes as long wherever the strings differ
    if len(given) != len(expected):
        return False
    result = 0
    for a, b in zip(given, expected):
        result |= ord(a) ^ ord(b)
    return result == 0


def _body(raw):
    if not raw:
        return {}
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        limits.check_depth(text)
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise _Refusal(400, "the body is not valid JSON: %s" % error)
    if not isinstance(value, dict):
        raise _Refusal(400, "the body must be a JSON object")
    return value


def _only(body, allowed, where):
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise _Refusal(400, "%s takes %s; not %s" % (where, ", ".join(allowed), ", ".join(unknown)))


def _number(value, key, kind=float, minimum=0):
    whole = isinstance(value, six.integer_types) and not isinstance(value, bool)
    if not (whole or (kind is float and isinstance(value, float))) or value < minimum:
        raise _Refusal(400, "%s must be a %s of at least %s, got %s"
                       % (key, "whole number" if kind is int else "number", minimum,
                          json.dumps(value)))
    return kind(value)


def _text(body, key, allow_none=True):
    value = body.get(key)
    if value is None and allow_none:
        return None
    if not isinstance(value, six.string_types):
        raise _Refusal(400, "%s must be text, got %s" % (key, json.dumps(value)))
    return value


def _flag(body, key):
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise _Refusal(400, "%s must be true or false, got %s" % (key, json.dumps(value)))
    return value


# -- resources ------------------------------------------------------------------

def _status(simulator, body, query):
    store = simulator.store
    with store.lock:
        store.advance()
        counts = dict((name, len(rows)) for name, rows in store.rows.items() if rows)
        running = store.pending_tasks
        dirty = store.dirty
        seed, size = store.seed, scale.describe(store.size)
    return {
        "api_version": simulator.api_version, "endpoint": simulator.endpoint,
        "admin": simulator.root_url + PREFIX, "seed": seed, "size": size,
        "settings": _settings_of(simulator), "running_tasks": running, "changed": dirty,
        "sessions": len(simulator.tokens), "faults": _faults_of(simulator),
        "state_file": simulator.state_file, "rows": counts,
    }


def _reset(simulator, body, query):
    _only(body, ("seed", "size"), "reset")
    seed = body.get("seed")
    if seed is not None:
        seed = _number(seed, "seed", int)
    if "size" in body:
        try:
            size = scale.parse(body["size"])
        except ValueError as error:
            raise _Refusal(400, "size: %s" % error)
        with simulator.store.lock:
            simulator.store.size = size
    simulator.reset(seed)
    return _status(simulator, {}, {})


def _settle(simulator, body, query):
    _only(body, (), "settle")
    simulator.settle()
    return {"running_tasks": simulator.store.pending_tasks}


def _expire(simulator, body, query):
    _only(body, (), "expire-sessions")
    expired = len(simulator.tokens)
    simulator.expire_sessions()
    return {"expired": expired}


def _settings_of(simulator):
    return {"task_seconds": simulator.task_seconds, "max_body_size": simulator.max_body_size}


def _settings(simulator, body, query):
    return _settings_of(simulator)


def _change_settings(simulator, body, query):
    _only(body, ("task_seconds", "max_body_size"), "settings")
    if "task_seconds" in body:
        simulator.task_seconds = _number(body["task_seconds"], "task_seconds")
    if "max_body_size" in body:
        simulator.max_body_size = _number(body["max_body_size"], "max_body_size", int, minimum=1)
    return _settings_of(simulator)


def _faults_of(simulator):
    with simulator._fault_lock:
        faults = [dict((key, getattr(fault, key)) for key in _FAULT_KEYS)
                  for fault in simulator._faults]
        tasks = [dict(zip(_TASK_FAILURE_KEYS, entry)) for entry in simulator._task_faults]
    return {"requests": faults, "tasks": tasks}


def _faults(simulator, body, query):
    return _faults_of(simulator)


def _add_fault(simulator, body, query):
    _only(body, _FAULT_KEYS, "a fault")
    status = body.get("status", 503)
    if status is not None and (isinstance(status, bool) or not isinstance(status, six.integer_types)
                               or not 100 <= status <= 599):
        raise _Refusal(400, "status must be an HTTP status (100-599) or null, got %s"
                       % json.dumps(status))
    options = dict(target=_text(body, "target") or "*", status=status,
                   times=_number(body.get("times", 1), "times", int, minimum=1),
                   message=_text(body, "message"), drop=_flag(body, "drop"),
                   after=_flag(body, "after"), delay=_number(body.get("delay", 0), "delay"),
                   code=_text(body, "code"))
    if options["status"] is None and not options["drop"] and not options["delay"]:
        raise _Refusal(400, "a fault with status null needs a delay (or drop: true)")
    simulator.fail_next(**options)
    return _faults_of(simulator)


def _clear_faults(simulator, body, query):
    simulator.clear_faults()
    return _faults_of(simulator)


def _add_task_failure(simulator, body, query):
    _only(body, _TASK_FAILURE_KEYS, "a task failure")
    options = dict(target=_text(body, "target") or "*",
                   times=_number(body.get("times", 1), "times", int, minimum=1))
    for key in ("error_code", "error_message"):
        if body.get(key) is not None:
            options[key] = _text(body, key)
    simulator.fail_tasks(**options)
    return _faults_of(simulator)


def _requests(simulator, body, query):
    records = list(simulator.requests)
    if query.get("path"):
        records = [r for r in records if r["path"] == query["path"]]
    if query.get("method"):
        records = [r for r in records if r["method"] == query["method"].upper()]
    if query.get("limit"):
        try:
            limit = int(query["limit"])
        except ValueError:
            raise _Refusal(400, "limit must be a whole number, got %r" % query["limit"])
        records = records[-limit:] if limit > 0 else []
    return {"requests": records, "count": len(records)}


def _clear_requests(simulator, body, query):
    cleared = len(simulator.requests)
    simulator.requests.clear()
    return {"cleared": cleared}


def _export(simulator, body, query):
    from cloudtower.simulator import state
    # serialised once, here: a large estate is tens of MB
    return state.dumps(state.snapshot(simulator.store, simulator.api_version)[1])


def _import(simulator, raw, query):
    # the body is the state itself (JSON text, parsed once by the import)
    from cloudtower.simulator.state import StateError
    try:
        return simulator.import_state(raw)
    except StateError as error:
        raise _Refusal(400, str(error))


def _save(simulator, body, query):
    _only(body, ("path",), "state/save")
    path = _text(body, "path")
    if path is None and simulator.state_file is None:
        raise _Refusal(409, "this simulator keeps no state file (start it with --state FILE), "
                            "and no path was given")
    try:
        return {"path": simulator.save_state(path)}
    except (OSError, IOError) as error:
        raise _Refusal(400, "cannot write %s: %s" % (path or simulator.state_file, error))


def _load(simulator, body, query):
    from cloudtower.simulator.state import StateError
    _only(body, ("path",), "state/load")
    path = _text(body, "path") or simulator.state_file
    if path is None:
        raise _Refusal(400, "state/load needs a path (this simulator keeps no state file)")
    try:
        return simulator.load_state(path)
    except (OSError, IOError, StateError) as error:
        raise _Refusal(400, "cannot load %s: %s" % (path, error))


_ROUTES = {
    "/": {"GET": _status},
    "/reset": {"POST": _reset},
    "/settle": {"POST": _settle},
    "/expire-sessions": {"POST": _expire},
    "/settings": {"GET": _settings, "PATCH": _change_settings, "PUT": _change_settings,
                  "POST": _change_settings},
    "/faults": {"GET": _faults, "POST": _add_fault, "DELETE": _clear_faults},
    "/task-failures": {"POST": _add_task_failure},
    "/requests": {"GET": _requests, "DELETE": _clear_requests},
    "/state": {"GET": _export, "PUT": _import, "POST": _import},
    "/state/save": {"POST": _save},
    "/state/load": {"POST": _load},
}
