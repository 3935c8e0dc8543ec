"""Loopback HTTP servers for the benchmarks (standard library only).

``FixedServer`` answers canned bytes, so every SDK and the floor read the very
same response. ``CountingProxy`` sits in front of the simulator and counts the
requests a client makes, on the server side of the connection.
"""
import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP_BY_HOP = frozenset(["connection", "keep-alive", "proxy-connection", "transfer-encoding",
                         "te", "trailer", "upgrade", "host", "content-length"])


class _Handler(BaseHTTPRequestHandler):
    # keep-alive, as CloudTower's own server and every SDK's pool use it
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # one write per response below, and no Nagle delay on top of it
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):  # quiet: thousands of requests per run
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status, body, headers=()):
        head = ["HTTP/1.1 %d %s" % (status, self.responses.get(status, ("",))[0]),
                "Content-Length: %d" % len(body)]
        head.extend("%s: %s" % pair for pair in headers)
        # headers and body in one send: two small writes would meet delayed ACKs
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


class _FixedHandler(_Handler):
    def do_POST(self):
        body = self._body()
        status, payload = self.server.answer(self.command, self.path, body)
        self._reply(status, payload, [("Content-Type", "application/json"),
                                      ("x-tower-request-id", "bench")])

    do_GET = do_POST


class _BackgroundServer(object):
    """A threaded HTTP server on 127.0.0.1, run in the background while in a ``with``."""

    def __init__(self, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FixedServer(_BackgroundServer):
    """Serves ``answer(method, path, body) -> (status, bytes)`` on 127.0.0.1."""

    def __init__(self, answer):
        _BackgroundServer.__init__(self, _FixedHandler)
        self.httpd.answer = answer


class _ProxyHandler(_Handler):
    def _forward(self):
        body = self._body()
        proxy = self.server.proxy
        proxy.record(self.command, self.path)
        upstream = getattr(self, "_upstream", None)
        if upstream is None:
            upstream = self._upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self._reply(response.status, payload,
                    [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP])

    do_GET = do_POST = _forward


class CountingProxy(_BackgroundServer):
    """Forwards to ``upstream`` (host, port) and records each request's time and path."""

    def __init__(self, upstream):
        _BackgroundServer.__init__(self, _ProxyHandler)
        self.upstream = upstream
        self.lock = threading.Lock()
        self.requests = []
        self.httpd.proxy = self

    def record(self, method, path):
        with self.lock:
            self.requests.append((time.time(), method, path))

    def take(self):
        """The requests recorded since the last call, and forget them."""
        with self.lock:
            taken, self.requests = self.requests, []
        return taken
