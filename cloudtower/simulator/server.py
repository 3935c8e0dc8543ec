# coding: utf-8
"""The wire protocol: a threaded HTTP server on 127.0.0.1 and :class:`Simulator`.

Routing, authentication, body parsing and validation, fault injection and
error rendering live here; the state and its rules live in the store and
the handlers. One request at a time touches the store (its lock is held
from routing to serialisation), so concurrent clients never see or make a
half-done change.
"""
import collections
import json
import logging
import os
import socket
import threading
import time
import uuid

import six
from six.moves import BaseHTTPServer, socketserver

from cloudtower.model import RecursionError_
from cloudtower.simulator import admin, handlers, limits, roles, session, validate
from cloudtower.simulator.errors import ApiError, bad_request
from cloudtower.simulator.schema import routes
from cloudtower.simulator.store import Store

logger = logging.getLogger("cloudtower.simulator")

API_PREFIX = "/v2/api"
# answers 200 while the node serves (an active-passive pair's passive node: 307)
HEALTH_PATH = "/api/healthz"
DEFAULT_USERNAME = "root"
DEFAULT_PASSWORD = "HC!r0cks"
DEFAULT_PORT = 8090


class _Fault(object):
    """One injected failure, matched by operation name or path (``*`` for any)."""

    def __init__(self, target, times, status, message, drop, after, delay, code):
        self.target = target
        self.times = times
        self.status = status
        self.message = message
        self.drop = drop
        self.after = after
        self.delay = delay
        self.code = code

    def matches(self, op, path, wildcard=True):
        if self.target in ("*", None):
            return wildcard
        if op is not None and self.target in (op.name, op.path, op.operation_id):
            return True
        return self.target == path


class Simulator(object):
    """A CloudTower served from this process (see the package docstring).

    :param host: address to listen on (loopback unless you say otherwise)
    :param port: TCP port; 0 picks a free one
    :param seed: the seeded inventory (same seed, same inventory)
    :param task_seconds: how long each task takes to succeed or fail
    :param username: the root user's name
    :param password: the root user's password
    :param users: more accounts, ``[{"username", "password", "source": "LOCAL"|"LDAP",
        "role": "ADMIN"|"READ_ONLY"|"ROOT"}]``
    :param api_version: the CloudTower version to be (default: the newest the
        SDK knows): only that version's operations are served, bodies are
        checked against its schemas, and ``get-version`` answers it
    :param store: serve this ``Store`` (another simulator's ``store``) instead
        of a new one: two simulators over one estate (see :meth:`pair`)
    :param size: how big the estate is: ``"small"`` (the seeded inventory, the
        default), ``"medium"``, ``"large"``, a number of VMs or ``"VMSxCLUSTERS"``
        (:mod:`cloudtower.simulator.scale`)
    :param admin_token: the token of the admin interface under ``/_simulator``
        (header ``X-Simulator-Admin``; :mod:`cloudtower.simulator.admin`);
        default: a random one, ``sim.admin_token``
    :param state_file: keep the estate in this JSON file: loaded now if it
        exists (written if not), written again within ``save_interval``
        seconds of a change and when the simulator stops
        (:mod:`cloudtower.simulator.state`)

    ``GET /api/healthz`` answers 200 (CloudTower's health path).
    """

    # the largest request body served; a larger one is answered 413 unread
    max_body_size = limits.MAX_BODY_SIZE

    # how an injected delay waits (tests replace it to count instead of wait)
    _sleep = staticmethod(time.sleep)

    def __init__(self, host="127.0.0.1", port=0, seed=0, task_seconds=0.3,
                 username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, users=None,
                 api_version=None, store=None, size=None, state_file=None, save_interval=1.0,
                 admin_token=None):
        from cloudtower import versions
        if api_version is None:
            api_version = versions.known_versions()[-1]
        if versions.parse(api_version) is None:
            raise ValueError("api_version must be a CloudTower version such as \"4.6.0\", got %r"
                             % (api_version,))
        self.api_version = api_version
        self.version_index = versions.index_of(api_version)
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        accounts = [{"username": username, "password": password, "source": "LOCAL",
                     "role": "ROOT"}]
        accounts.extend(dict(user) for user in users or ())
        if state_file and os.path.exists(state_file):
            size = None  # the estate comes from the file: seed only the small one first
        self.store = store if store is not None else Store(seed, task_seconds, users=accounts,
                                                           size=size)
        self.tokens = {}
        self.admin_token = admin_token or session.new_token()
        self.requests = collections.deque(maxlen=2000)
        self._faults = []
        self._task_faults = []
        self._fault_lock = threading.Lock()
        self._server = None
        self._thread = None
        self._keeper = None
        if state_file and store is None:  # a borrowed store is kept by its owner
            from cloudtower.simulator.state import Keeper
            self._keeper = Keeper(self.store, state_file, save_interval, api_version)
            self._keeper.load_or_create()

    # -- life cycle --------------------------------------------------------

    def start(self):
        """Serve in a background thread; returns self."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.simulator = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="cloudtower-simulator-%d" % self.port)
        self._thread.daemon = True
        self._thread.start()
        if self._keeper is not None:
            self._keeper.start()
        return self

    def stop(self, drain=0):
        """Stop serving and close every connection; the simulator can start again.

        ``drain``: seconds to wait, after new connections stop being accepted,
        for the requests being served to be answered before the connections close.
        """
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        if drain:
            server.wait_idle(drain)
        server.close_connections()
        server.server_close()
        self._thread.join(5)
        self._thread = None
        if self._keeper is not None:
            self._keeper.stop()  # a last save

    def __enter__(self):
        return self.start()

    @property
    def serving(self):
        """How many requests are being served right now."""
        server = self._server
        return server.busy if server is not None else 0

    def wait_idle(self, timeout=10.0):
        """Wait up to ``timeout`` seconds until no request is being served; True if none is."""
        server = self._server
        return server.wait_idle(timeout) if server is not None else True

    def __repr__(self):
        state = "serving at %s" % self.endpoint if self._server is not None else "stopped"
        return "<Simulator %s>" % state

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    def serve_forever(self):
        """Serve in the calling thread until interrupted (the command line)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    @property
    def endpoint(self):
        """``http://127.0.0.1:PORT/v2/api``: the ``host`` of a ``Configuration``."""
        return self.root_url + API_PREFIX

    @property
    def root_url(self):
        """``http://127.0.0.1:PORT``: the ``root_url`` of a ``Configuration``."""
        return "http://%s:%d" % (_url_host(self.host), self.port)

    @staticmethod
    def pair(**options):
        """Two simulators over one estate, as an active-passive CloudTower pair.

        Returns a :class:`~cloudtower.simulator.pair.SimulatorPair` (not yet
        started: use ``with``, or ``start()``); ``options`` are its own
        (``active``, ``shared_sessions``, ``ports``) and this class's.
        """
        from cloudtower.simulator.pair import SimulatorPair
        return SimulatorPair(**options)

    @property
    def task_seconds(self):
        return self.store.task_seconds

    @task_seconds.setter
    def task_seconds(self, value):
        self.store.task_seconds = float(value)

    # -- clients -----------------------------------------------------------

    def login(self, api_client, username=None, password=None, source="LOCAL"):
        """Log ``api_client`` in (over HTTP, as a script would); returns the token."""
        from cloudtower.api.user_api import UserApi
        answer = UserApi(api_client).login({"username": username or self.username,
                                            "password": password or self.password,
                                            "source": source})
        token = answer.data.token
        api_client.configuration.api_key["Authorization"] = token
        return token

    def client(self, **configuration):
        """A new ``ApiClient`` for this simulator, logged in as root.

        Logged in as :func:`cloudtower.utils.login` does: when its token is
        refused (``expire_sessions()``), it logs in again once and repeats
        the call. (``login(api_client)`` is a plain login, without that.)
        """
        from cloudtower.api_client import ApiClient
        from cloudtower.configuration import Configuration
        from cloudtower.utils import login
        config = Configuration(host=self.endpoint)
        for key, value in configuration.items():
            setattr(config, key, value)
        client = ApiClient(config)
        login(client, self.username, self.password)
        return client

    # -- state -------------------------------------------------------------

    def reset(self, seed=None):
        """Back to the seeded inventory; faults are cleared, sessions kept."""
        with self.store.lock:
            self.store.reset(seed)
        self.clear_faults()
        self.requests.clear()

    def expire_sessions(self):
        """Forget every login token: the next secured request answers 401."""
        self.tokens.clear()

    def settle(self):
        """End every running task now (their changes land or they fail)."""
        with self.store.lock:
            self.store.settle()

    @property
    def state_file(self):
        """The file the estate is kept in (``state_file=``), or None."""
        return self._keeper.path if self._keeper is not None else None

    def export_state(self):
        """The whole estate as a JSON-ready dict (:mod:`cloudtower.simulator.state`)."""
        from cloudtower.simulator import state
        return state.export(self.store, self.api_version)

    def import_state(self, data):
        """Replace the estate with an exported one (the dict or its JSON text); tasks
        that ran when it was saved end ``FAILED`` (``TASK_INTERRUPTED``). Returns
        ``{"rows", "tables", "interrupted_tasks"}``."""
        from cloudtower.simulator import state
        return state.restore(self.store, data)

    def save_state(self, path=None):
        """Write the estate to ``path`` (default: the ``state_file``), atomically; returns the path."""
        from cloudtower.simulator import state
        if path is None:
            if self._keeper is None:
                raise ValueError("save_state() needs a path: this simulator keeps no state_file")
            self._keeper.save()
            return self._keeper.path
        state.write(path, state.snapshot(self.store, self.api_version)[1])
        return path

    def load_state(self, path):
        """:meth:`import_state` from a file written by :meth:`save_state`."""
        from cloudtower.simulator import state
        return state.load(self.store, path)

    # -- faults ------------------------------------------------------------

    def fail_next(self, target="*", status=503, times=1, message=None, drop=False, after=False,
                  delay=0, code=None):
        """Make the next ``times`` requests to ``target`` fail.

        ``target`` is an operation name (``create_vm``), its path
        (``/create-vm``) or ``*``. By default the request is answered with
        ``status`` and an error body and nothing happens. ``drop=True``
        closes the connection without an answer instead: before handling the
        request, or, with ``after=True``, after handling it (the change is
        made but the client never hears). ``delay`` seconds pass before the
        answer (or the drop); with ``status=None`` the request is then served
        normally (a slow server).
        """
        with self._fault_lock:
            self._faults.append(_Fault(target, times, status, message, drop, after, delay, code))

    def fail_tasks(self, target="*", times=1, error_code="SIMULATED_FAILURE",
                   error_message="failure injected by the simulator"):
        """Make the next ``times`` tasks created by ``target`` end ``FAILED``, changing nothing."""
        with self._fault_lock:
            self._task_faults.append([target, times, error_code, error_message])

    def clear_faults(self):
        with self._fault_lock:
            del self._faults[:]
            del self._task_faults[:]

    def _take_fault(self, op, path, wildcard=True):
        with self._fault_lock:
            for fault in self._faults:
                if fault.matches(op, path, wildcard):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def take_task_failure(self, op):
        with self._fault_lock:
            for entry in self._task_faults:
                target = entry[0]
                if target in ("*", op.name, op.path, op.operation_id):
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._task_faults.remove(entry)
                    return (entry[2], entry[3])
        return None

    # -- one request -------------------------------------------------------

    def handle(self, method, raw_path, headers, body):
        """Serve one request: (status, JSON-ready payload, fault or None)."""
        path = raw_path.split("?", 1)[0]
        if admin.is_admin(path):  # /_simulator/...: no faults, not in the request log
            status, payload = admin.handle(self, method, raw_path, headers, body)
            return status, payload, None
        op = None
        if path.startswith(API_PREFIX + "/"):
            op = routes().get((method, path[len(API_PREFIX):]))
            if op is not None and not _serves(op, self.version_index):
                op = None  # this version has no such route
        health = op is None and path.rstrip("/") == HEALTH_PATH
        # a probe takes only the faults aimed at the health path itself
        fault = self._take_fault(op, path, wildcard=not health)
        if fault is not None and fault.delay:
            self._sleep(fault.delay)
        if fault is not None and not fault.after and (fault.drop or fault.status):
            if fault.drop:
                return None, None, fault
            return fault.status, self._error_body(
                fault.status, fault.message or "failure injected by the simulator", path, op,
                fault.code), fault
        try:
            status, payload = self._dispatch(method, path, raw_path, op, headers, body)
        except ApiError as error:
            status = error.status
            payload = self._error_body(error.status, error.message, path, op, error.code,
                                       error.field)
        except RecursionError_:
            # whatever recursed was nested too deeply to be a CloudTower request
            status = 400
            payload = self._error_body(400, "the request is nested too deeply", path, op)
        except Exception as exc:  # a simulator bug answers 500, and is logged
            logger.exception("simulator error on %s %s", method, path)
            status = 500
            payload = self._error_body(500, "simulator error: %s: %s" % (type(exc).__name__, exc),
                                       path, op)
        if fault is not None and fault.after:
            # the request was carried out; the client hears an error, or nothing
            if fault.drop:
                return None, None, fault
            if fault.status:
                return fault.status, self._error_body(
                    fault.status, fault.message or "failure injected by the simulator", path, op,
                    fault.code), fault
        return status, payload, fault

    def response_headers(self, method, raw_path, status):
        """Headers to send with an answer besides the usual ones (none here)."""
        return ()

    def _error_body(self, status, message, path, op, code=None, field=None):
        body = {"message": message, "status": status, "path": path}
        if op is not None:
            body["operationName"] = op.operation_id
        if code:
            body["code"] = code
        if field:
            body["props"] = {"field": field}
        return body

    def _dispatch(self, method, path, raw_path, op, headers, raw_body):
        if path.rstrip("/") == "/api" and method == "POST":
            return session.graphql(_json_body(raw_body, headers, required=False))
        if path.rstrip("/") == HEALTH_PATH and method in ("GET", "HEAD"):
            return 200, {"status": "ok"}
        if op is None:
            raise ApiError(404, "Cannot %s %s: no such operation" % (method, path))
        store = self.store
        auth = headers.get("authorization")
        user_name = None
        if "Authorization" in op.auth:
            session_ = self.tokens.get(auth) if auth else None
            if session_ is None:
                raise ApiError(401, "Unauthorized: %s" % (
                    "the Authorization header is missing" if not auth else
                    "the token is not valid (log in again)"))
            user_name = session_
        body = None
        form = None
        if op.body is not None:
            body = _json_body(raw_body, headers, required=op.body[2])
            if body is not None:
                validate.check(op.body[1], body, "body", self.version_index)
        elif op.form:
            form = _form_body(raw_body, headers, op)
        elif op.query:
            body = _query_params(raw_path, op)
        language = headers.get("content-language")
        with store.lock:
            store.advance()
            user_id = None
            if user_name is not None:
                user = session.find_user(store, user_name[0], user_name[1])
                if user is None:
                    raise ApiError(401, "Unauthorized: the user of this token no longer exists")
                user_id = user["id"]
                roles.check(store, op, user)
            if "Basic" in op.auth and session.basic_user(store, auth) is None:
                raise ApiError(401, "Unauthorized: Basic credentials are missing or wrong")
            ctx = handlers.Context(self, store, op, body, user_id, language, form)
            handler = handlers.handler_for(op)
            result = store.serve(lambda: handler(ctx))
            store.advance()
            # serialised under the lock: the rows cannot change half-way
            return 200, json.dumps(result, separators=(",", ":"))


def _serves(op, version_index):
    from cloudtower.versions import contains
    return contains(op.versions, version_index)


def _url_host(host):
    return "[%s]" % host if ":" in host else host


def _json_body(raw, headers, required=True):
    if not raw:
        if required:
            raise bad_request("the request body is required (JSON)")
        return None
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        limits.check_depth(text)
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_request("the request body is not valid JSON: %s" % error)


def _query_params(raw_path, op):
    from six.moves.urllib.parse import parse_qsl
    query = dict(parse_qsl(raw_path.split("?", 1)[1])) if "?" in raw_path else {}
    result = {}
    for _param, wire, type_name, required in op.query:
        value = query.get(wire)
        if value is None:
            if required:
                raise bad_request("the query parameter %s is required" % wire, wire)
            continue
        if type_name == "int":
            try:
                value = int(value)
            except ValueError:
                raise bad_request("the query parameter %s must be an integer" % wire, wire)
        result[wire] = value
    return result


def _form_body(raw, headers, op):
    content_type = headers.get("content-type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise bad_request("%s takes multipart/form-data, got %r" % (op.path, content_type or None))
    form = parse_multipart(raw, content_type)
    for _param, wire, type_name, required in op.form:
        value = form.get(wire)
        if value is None:
            if required:
                raise bad_request("form field %s is required" % wire, wire)
            continue
        if type_name == "file" and not isinstance(value, tuple):
            form[wire] = (wire, value.encode("utf-8"))
        elif type_name != "file" and isinstance(value, tuple):
            raise bad_request("form field %s must be text, not a file" % wire, wire)
    return form


def parse_multipart(body, content_type):
    """{field: text or (filename, bytes)} from a multipart/form-data body."""
    boundary = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise bad_request("multipart/form-data without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    form = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        name = filename = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                for item in line.split(";")[1:]:
                    key, _, value = item.strip().partition("=")
                    value = value.strip().strip('"')
                    if key.lower() == "name":
                        name = value
                    elif key.lower() == "filename":
                        filename = value
        if name is None:
            continue
        form[name] = (filename, data) if filename is not None else data.decode("utf-8", "replace")
    return form


class _Server(socketserver.ThreadingMixIn, BaseHTTPServer.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler):
        BaseHTTPServer.HTTPServer.__init__(self, address, handler)
        self._open = set()
        self._open_lock = threading.Lock()
        # requests being served (from reading the body to the last byte of the answer)
        self._busy = 0
        self._idle = threading.Condition(self._open_lock)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        socketserver.ThreadingMixIn.process_request(self, request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        BaseHTTPServer.HTTPServer.shutdown_request(self, request)

    def serving(self, delta):
        with self._idle:
            self._busy += delta
            if not self._busy:
                self._idle.notify_all()

    @property
    def busy(self):
        return self._busy

    def wait_idle(self, timeout):
        """Wait up to ``timeout`` seconds until no request is being served; True if none is."""
        deadline = time.time() + timeout
        with self._idle:
            while self._busy and time.time() < deadline:
                self._idle.wait(max(0.0, min(0.1, deadline - time.time())))
            return not self._busy

    def close_connections(self):
        """End idle keep-alive connections so their threads finish."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (OSError, socket.error):
                pass

    def handle_error(self, request, client_address):
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPServer.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudtower-simulator"
    # headers and body leave in separate writes: without this, Nagle's algorithm
    # and delayed ACKs add 40 ms to every answer
    disable_nagle_algorithm = True
    # an idle keep-alive connection is closed after this many seconds
    timeout = 120

    def log_message(self, format, *args):
        logger.debug("%s %s", self.address_string(), format % args)

    def _read_body(self):
        # the admin interface takes a bodyless POST (curl -X POST) as an empty body, not 411
        method = "GET" if admin.is_admin(self.path) else self.command
        return limits.read_body(self.rfile, self.headers, method,
                                self.server.simulator.max_body_size)

    def _refuse(self, error):
        """Answer a request whose body is not read (see limits), and close."""
        self.close_connection = True
        data = json.dumps({"message": error.message, "status": error.status,
                           "path": self.path.split("?", 1)[0]}).encode("utf-8")
        self.server.simulator.requests.append(_record(self.command, self.path, error.status, None))
        self.send_response(error.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _serve(self):
        self.server.serving(1)
        try:
            self._answer()
        finally:
            self.server.serving(-1)

    def _answer(self):
        simulator = self.server.simulator
        try:
            body = self._read_body()
        except limits.BodyError as error:
            self._refuse(error)
            return
        headers = dict((key.lower(), value) for key, value in self.headers.items())
        status, payload, fault = simulator.handle(self.command, self.path, headers, body)
        if status is None:
            # the injected fault: the client gets no answer at all
            self.close_connection = True
            simulator.requests.append(_record(self.command, self.path, None, body))
            return
        data = payload if isinstance(payload, bytes) else (
            payload.encode("utf-8") if isinstance(payload, six.text_type) else
            json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        if not admin.is_admin(self.path):
            simulator.requests.append(_record(self.command, self.path, status, body))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-tower-request-id", str(uuid.uuid4()))
        for key, value in simulator.response_headers(self.command, self.path, status):
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve


def _record(method, path, status, body):
    """What the request log keeps of one request (JSON bodies up to 64 KiB, decoded)."""
    parsed = None
    if body and body[:1] in (b"{", b"[") and len(body) <= 65536 and not limits.too_deep(body):
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError_):
            parsed = None
    return {"method": method, "path": path.split("?", 1)[0], "status": status, "body": parsed}
