# coding: utf-8
"""A scriptable HTTP server on 127.0.0.1 for tests of the client runtime.

Each test queues what the server should do (answer, delay, drop the
connection) and reads back what it received. Runs in a background thread.
"""
import json
import socket
import ssl
import threading
import time

from six.moves import BaseHTTPServer, socketserver


def raw_exchange(port, data, timeout=10):
    """Send ``data`` as it is to 127.0.0.1:``port`` and read until the server hangs up."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.sendall(data)
        answer = b""
        while True:
            piece = sock.recv(65536)
            if not piece:
                return answer
            answer += piece
    finally:
        sock.close()


class Received(object):
    """One request as the server saw it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class _Handler(BaseHTTPServer.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes; without this, Nagle's
    # algorithm and delayed ACKs add 40 ms to every response
    disable_nagle_algorithm = True

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server.owner
        request = Received(self.command, self.path, dict(self.headers.items()), body)
        with server.lock:
            server.received.append(request)
            action = server.next_action(request)
        kind = action.get("kind", "reply")
        if action.get("delay"):
            time.sleep(action["delay"])
        if kind == "raw":
            # the whole answer as given (status line, headers, body), optionally
            # one byte every `drip` seconds; ends when the client goes away or
            # after `limit` seconds
            self.close_connection = True
            data = action["data"]
            drip = action.get("drip")
            limit = action.get("limit", 60)
            started = time.time()
            outcome = "sent"
            try:
                if not drip:
                    self.wfile.write(data)
                else:
                    for index in range(len(data)):
                        if time.time() - started > limit:
                            outcome = "limit"
                            break
                        self.wfile.write(data[index:index + 1])
                        self.wfile.flush()
                        time.sleep(drip)
            except (OSError, socket.error, IOError):
                outcome = "client closed"
            with server.lock:
                server.raw_outcomes.append((outcome, time.time() - started))
            return
        if kind == "drop":
            # close without answering: the client cannot know what happened
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except (OSError, socket.error):
                pass
            return
        status = action.get("status", 200)
        payload = action.get("body", b"")
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode("utf-8") if not isinstance(payload, type(u"")) \
                else payload.encode("utf-8")
        self.send_response(status)
        headers = {"Content-Type": "application/json", "x-tower-request-id": "req-%d" % len(server.received)}
        headers.update(action.get("headers", {}))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, *args):
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, BaseHTTPServer.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackServer(object):
    """``with LoopbackServer() as server:`` -> ``server.url`` ends in ``/v2/api``.

    ``server.reply(...)``, ``server.drop()`` queue one-off actions; otherwise
    ``server.default`` (a function of the request returning an action dict)
    answers, by default 200 with ``[]``.
    """

    def __init__(self, certfile=None, keyfile=None):
        self.lock = threading.Lock()
        self.received = []
        self.raw_outcomes = []  # (how a "raw" answer ended, seconds it took)
        self.queue = []
        self.default = lambda request: {"status": 200, "body": []}
        self._httpd = _ThreadingServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        scheme = "http"
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER) if hasattr(ssl, "PROTOCOL_TLS_SERVER") \
                else ssl.SSLContext(ssl.PROTOCOL_SSLv23)
            context.load_cert_chain(certfile, keyfile)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.port = self._httpd.server_address[1]
        self.url = "%s://127.0.0.1:%d/v2/api" % (scheme, self.port)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_action(self, request):
        if self.queue:
            return self.queue.pop(0)
        return self.default(request)

    def reply(self, body=None, status=200, headers=None, delay=None, times=1):
        for _ in range(times):
            self.queue.append({"status": status, "body": [] if body is None else body,
                               "headers": headers or {}, "delay": delay})

    def raw(self, data, drip=None, limit=60, times=1):
        """Answer with ``data`` as it is (a whole HTTP response), a byte every ``drip`` s."""
        for _ in range(times):
            self.queue.append({"kind": "raw", "data": data, "drip": drip, "limit": limit})

    def drop(self, times=1, delay=None):
        for _ in range(times):
            self.queue.append({"kind": "drop", "delay": delay})

    @property
    def last(self):
        return self.received[-1]
