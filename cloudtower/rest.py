# coding: utf-8
"""HTTP transport: one urllib3 pool manager per client, JSON and multipart bodies."""
import io
import json
import logging
import socket
import ssl
import threading
import time
import warnings
import zlib

import six
import urllib3
from six.moves.urllib.parse import urlencode

from cloudtower.configuration import redact_headers
from cloudtower.exceptions import ApiException, ApiValueError

logger = logging.getLogger("cloudtower.rest")

_insecure_warned = []

# the largest answer read into memory unless Configuration.max_response_size says otherwise
DEFAULT_MAX_RESPONSE_SIZE = 512 * 1024 * 1024
_READ_CHUNK = 64 * 1024

monotonic = getattr(time, "monotonic", time.time)


class DeadlinePassed(socket.timeout):
    """A read that the call's deadline ended (raised inside the socket reads)."""


class _CallDeadline(object):
    """When the call that is sending on this thread must end (``at``, a ``clock()`` time)."""

    def __init__(self, at, clock):
        self.at = at
        self.clock = clock

    def remaining(self):
        return None if self.at is None else self.at - self.clock()


# the deadline of the request this thread is sending, for the responses it reads
_current = threading.local()


class _DeadlineReader(io.RawIOBase):
    """The socket side of a response: before every read from the socket, its
    timeout becomes the time left before the call's deadline (never more than
    the read timeout), so a server that sends a byte now and then cannot keep
    the call past it, in the headers or in the body."""

    def __init__(self, raw, sock, deadline):
        io.RawIOBase.__init__(self)
        self._raw = raw
        self._sock = sock
        self.deadline = deadline
        self._read_timeout = sock.gettimeout()

    def readable(self):
        return True

    def _arm(self):
        remaining = self.deadline.remaining() if self.deadline is not None else None
        if remaining is None:
            return
        if remaining <= 0:
            raise DeadlinePassed("the call's deadline has passed")
        limit = self._read_timeout
        self._sock.settimeout(remaining if limit is None else min(limit, remaining))

    def readinto(self, buffer):
        self._arm()
        return self._raw.readinto(buffer)

    def close(self):
        if not self.closed:
            try:
                self._raw.close()
            finally:
                io.RawIOBase.close(self)


class _DeadlineRecv(object):
    """Python 2: the same, for ``socket._fileobject``, which calls ``recv``."""

    def __init__(self, sock, deadline):
        self._sock = sock
        self.deadline = deadline
        self._read_timeout = sock.gettimeout()

    _arm = _DeadlineReader.__dict__["_arm"]

    def recv(self, size):
        self._arm()
        return self._sock.recv(size)

    def close(self):
        self._sock.close()

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _deadline_response_class(base):
    class DeadlineResponse(base):
        def __init__(self, sock, *args, **kwargs):
            base.__init__(self, sock, *args, **kwargs)
            deadline = getattr(_current, "deadline", None)
            if deadline is None or deadline.at is None:
                return
            fp = self.fp
            if six.PY3:
                # a BufferedReader over the socket's SocketIO: keep the SocketIO
                # (it holds the socket open), read it through the deadline
                raw = fp.detach()
                self.fp = io.BufferedReader(_DeadlineReader(raw, sock, deadline))
            else:
                # the new file object closes the socket if the old one would have
                owns, fp._close = fp._close, False
                self.fp = socket._fileobject(_DeadlineRecv(fp._sock, deadline), fp.mode,
                                             fp.bufsize, owns)
    DeadlineResponse.__name__ = "Deadline" + base.__name__
    return DeadlineResponse


_deadline_pools = {}
_deadline_pools_lock = threading.Lock()


def _deadline_pool(pool_class):
    """``pool_class`` whose connections read their answers within the call's deadline."""
    with _deadline_pools_lock:
        result = pool_class if getattr(pool_class, "_deadline_wrapped", False) \
            else _deadline_pools.get(pool_class)
        if result is None:
            connection = pool_class.ConnectionCls
            connection = type("Deadline" + connection.__name__, (connection,), {
                "response_class": _deadline_response_class(connection.response_class)})
            result = type("Deadline" + pool_class.__name__, (pool_class,), {"ConnectionCls": connection})
            result._deadline_wrapped = True
            _deadline_pools[pool_class] = result
        return result


def redact_url(url):
    """``url`` without the password of its user info (``http://u:***@host/...``)."""
    if not isinstance(url, six.string_types) or "@" not in url:
        return url
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    userinfo, _, hostport = authority.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return "%s://%s:***@%s%s%s" % (scheme, user, hostport, slash, path)


def url_secrets(url):
    """The secrets in ``url``'s user info (the password, raw and %-decoded)."""
    if not isinstance(url, six.string_types) or "@" not in url or "://" not in url:
        return []
    authority = url.partition("://")[2].partition("/")[0]
    if "@" not in authority:
        return []
    userinfo = authority.rpartition("@")[0]
    if ":" not in userinfo:
        return []
    password = userinfo.split(":", 1)[1]
    from six.moves.urllib.parse import unquote
    return [value for value in set([password, unquote(password)]) if value]


def scrub(text, url):
    """``text`` with the user-info password of ``url`` masked."""
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


class ResponseTooLarge(ApiException):
    """An answer over ``Configuration.max_response_size`` (not read further)."""


def _content_decoder(encoding):
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # a gzip or zlib header
    raise ApiException(status=0, reason="the answer is in an encoding the SDK does not read (%s); "
                                        "it asked for identity" % encoding)


def read_capped(response, limit, url):
    """The whole body of a urllib3 response, decoded, refusing more than ``limit`` bytes."""
    def too_large(what):
        response.close()
        error = ResponseTooLarge(status=0, reason=(
            "the answer to %s is larger than the limit of %d bytes (%s; "
            "Configuration.max_response_size); not read further" % (redact_url(url), limit, what)))
        error.http_status = response.status
        return error
    length = response.headers.get("Content-Length")
    encoding = response.headers.get("Content-Encoding")
    if limit is not None and length and length.strip().isdigit() and int(length) > limit \
            and not encoding:
        raise too_large("Content-Length %s" % length.strip())
    try:
        decoder = _content_decoder(encoding)
    except ApiException:
        response.close()
        raise
    parts = []
    size = [0]

    def keep(data, what):
        size[0] += len(data)
        if limit is not None and size[0] > limit:
            raise too_large(what)
        parts.append(data)
    while True:
        chunk = response.read(_READ_CHUNK, decode_content=False)
        if not chunk:
            break
        if decoder is None:
            keep(chunk, "read so far: %d bytes" % (size[0] + len(chunk)))
            continue
        while chunk:
            try:
                # at most one byte past the limit comes out of one compressed chunk
                if limit is None:
                    out = decoder.decompress(chunk)
                else:
                    out = decoder.decompress(chunk, max(limit - size[0], 0) + 1)
            except zlib.error as error:
                response.close()
                raise ApiException(status=0, reason="the answer to %s cannot be decoded (%s: %s)"
                                   % (redact_url(url), encoding, error))
            keep(out, "after decoding %s" % encoding)
            chunk = decoder.unconsumed_tail
    if decoder is not None:
        keep(decoder.flush(), "after decoding %s" % encoding)
    response.release_conn()
    return b"".join(parts)


class _UnverifiedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    """The HTTPS pool of a client with ``verify_ssl=False``.

    urllib3's pool warns (``InsecureRequestWarning``) before every request on
    an unverified connection; this SDK warns once instead (see
    ``RESTClientObject``). Turning urllib3's warning off is not ours to do: a
    warnings filter, even one added and removed around each request
    (``warnings.catch_warnings``), changes the filters of the whole process,
    for other threads and for the program's own urllib3 requests too; and
    ``urllib3.disable_warnings`` silences them for good. So this pool does
    what ``HTTPSConnectionPool._validate_conn`` does except the warning: it
    connects early, so that connection errors are reported as before. Only
    the pools of that client use it; nothing global changes.
    """

    def _validate_conn(self, conn):
        urllib3.HTTPConnectionPool._validate_conn(self, conn)
        # urllib3 2.x has ``is_closed``; 1.x looks at ``sock``
        closed = conn.is_closed if hasattr(conn, "is_closed") else not getattr(conn, "sock", None)
        if closed:
            conn.connect()


class RESTResponse(io.IOBase):
    """A finished response: ``status``, ``reason``, ``data`` and its headers."""

    def __init__(self, resp, data=None):
        self.urllib3_response = resp
        self.status = resp.status
        self.reason = resp.reason
        self.data = resp.data if data is None else data

    def getheaders(self):
        return self.urllib3_response.headers

    def getheader(self, name, default=None):
        return self.urllib3_response.headers.get(name, default)


def make_timeout(timeout):
    """A number, a ``(connect, read)`` pair, a urllib3 ``Timeout`` or None."""
    if timeout is None:
        return urllib3.Timeout(connect=None, read=None)
    if isinstance(timeout, urllib3.Timeout):
        return timeout
    check_timeout(timeout)
    if isinstance(timeout, (tuple, list)):
        return urllib3.Timeout(connect=timeout[0], read=timeout[1])
    return urllib3.Timeout(total=timeout)


def _seconds(value):
    return isinstance(value, (six.integer_types, float)) and not isinstance(value, bool) \
        and value > 0 and value == value and value != float("inf")


def check_timeout(timeout, name="_request_timeout"):
    """Refuse a timeout urllib3 would refuse later (or take as "no wait at all")."""
    if timeout is None or isinstance(timeout, urllib3.Timeout):
        return
    if isinstance(timeout, (tuple, list)):
        if len(timeout) != 2:
            raise ApiValueError("%s: a pair must be (connect, read), got %d values"
                                % (name, len(timeout)))
        for part, value in zip(("connect", "read"), timeout):
            if value is not None and not _seconds(value):
                raise ApiValueError("%s: the %s timeout must be a number of seconds above 0 "
                                    "(or None), got %s" % (name, part, _describe(value)))
        return
    if not _seconds(timeout):
        raise ApiValueError("%s must be a number of seconds above 0, a (connect, read) pair "
                            "or None, got %s" % (name, _describe(timeout)))


def _describe(value):
    """A number as itself, anything else by its type (values may be secrets)."""
    if isinstance(value, (six.integer_types, float)) and not isinstance(value, bool):
        return repr(value)
    return "a value of type %s" % type(value).__name__


def _within(timeout, remaining):
    """``timeout`` with no part longer than ``remaining`` seconds."""
    def cap(value):
        if not isinstance(value, (six.integer_types, float)):  # None, or urllib3's "default"
            return remaining
        return min(value, remaining)
    total = timeout.total
    if total is not None:
        return urllib3.Timeout(total=cap(total))
    return urllib3.Timeout(connect=cap(timeout.connect_timeout), read=cap(timeout.read_timeout))


class RESTClientObject(object):
    """Sends requests; raises ``ApiException`` for any status outside 2xx."""

    def __init__(self, configuration, pools_size=4, maxsize=None):
        self.configuration = configuration
        if configuration.verify_ssl:
            cert_reqs = ssl.CERT_REQUIRED
            ca_certs = configuration.ssl_ca_cert
            if ca_certs is None:
                import certifi
                ca_certs = certifi.where()
        else:
            cert_reqs = ssl.CERT_NONE
            ca_certs = None
            if not _insecure_warned:
                _insecure_warned.append(True)
                warnings.warn("TLS certificate verification is off (verify_ssl=False): "
                              "the connection to CloudTower can be intercepted.",
                              stacklevel=3)
        options = dict(
            num_pools=pools_size,
            maxsize=maxsize or configuration.connection_pool_maxsize or 4,
            cert_reqs=cert_reqs,
            ca_certs=ca_certs,
            cert_file=configuration.cert_file,
            key_file=configuration.key_file,
            # the SDK decides itself what may be retried (see ApiClient)
            retries=False,
        )
        if configuration.assert_hostname is not None:
            options["assert_hostname"] = configuration.assert_hostname
        if configuration.socket_options is not None:
            options["socket_options"] = configuration.socket_options
        if configuration.proxy:
            self.pool_manager = urllib3.ProxyManager(
                proxy_url=configuration.proxy, proxy_headers=configuration.proxy_headers,
                **options)
        else:
            self.pool_manager = urllib3.PoolManager(**options)
        if not configuration.verify_ssl:
            # one warning from us is enough; urllib3's pool would repeat it per request
            self.pool_manager.pool_classes_by_scheme = dict(
                self.pool_manager.pool_classes_by_scheme, https=_UnverifiedHTTPSConnectionPool)
        # answers are read within each call's deadline (see _DeadlineReader)
        self.pool_manager.pool_classes_by_scheme = dict(
            (scheme, _deadline_pool(pool)) for scheme, pool
            in self.pool_manager.pool_classes_by_scheme.items())

    def close(self):
        self.pool_manager.clear()

    def request(self, method, url, query_params=None, headers=None, body=None,
                post_params=None, _preload_content=True, _request_timeout=None,
                _deadline_at=None, _clock=None):
        """Send one request. ``_deadline_at`` (a time of ``_clock``, by default
        ``time.monotonic``) bounds connecting, sending and every read of the
        answer; the answer is read into memory up to
        ``Configuration.max_response_size`` bytes."""
        method = method.upper()
        headers = dict(headers or {})
        # a compressed answer can expand a thousandfold: ask for it as it is
        headers.setdefault("Accept-Encoding", "identity")
        if query_params:
            url += ("&" if "?" in url else "?") + urlencode(query_params)
        timeout = make_timeout(_request_timeout if _request_timeout is not None
                               else self.configuration.timeout)
        clock = _clock or monotonic
        deadline = _CallDeadline(_deadline_at, clock)
        if _deadline_at is not None:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise urllib3.exceptions.ConnectTimeoutError(None, "the call's deadline has passed")
            timeout = _within(timeout, remaining)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s headers=%s", method, redact_url(url), redact_headers(headers))
        # a redirect is answered to the caller, never followed (urllib3 1.x followed one
        # even with retries=False): a 307 from a passive node of an active-passive pair
        # says "not here", and a change must not be sent anywhere else unasked
        kwargs = dict(preload_content=False, timeout=timeout, headers=headers, redirect=False)
        _current.deadline = deadline
        try:
            response = self._send(method, url, headers, body, post_params, kwargs)
        finally:
            _current.deadline = None
        limit = getattr(self.configuration, "max_response_size", DEFAULT_MAX_RESPONSE_SIZE)
        if not _preload_content:
            if not 200 <= response.status <= 299:
                data = read_capped(response, limit, url)
                raise ApiException(http_resp=RESTResponse(response, data))
            # the caller reads the body at its own pace: only the read timeout applies
            deadline.at = None
            return response
        result = RESTResponse(response, read_capped(response, limit, url))
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("response %s %s (%d bytes) request-id=%s", result.status, redact_url(url),
                         len(result.data or b""), result.getheader("x-tower-request-id"))
        if not 200 <= result.status <= 299:
            raise ApiException(http_resp=result)
        return result

    def _send(self, method, url, headers, body, post_params, kwargs):
        if method in ("GET", "HEAD", "DELETE") and body is None and not post_params:
            return self.pool_manager.request(method, url, **kwargs)
        content_type = headers.get("Content-Type", "application/json")
        if content_type.startswith("multipart/form-data"):
            # urllib3 writes the boundary into Content-Type itself
            del headers["Content-Type"]
            return self.pool_manager.request(
                method, url, fields=post_params or [], encode_multipart=True, **kwargs)
        if content_type.startswith("application/x-www-form-urlencoded"):
            return self.pool_manager.request(
                method, url, fields=post_params or [], encode_multipart=False, **kwargs)
        if body is not None and not isinstance(body, (bytes, six.text_type)):
            body = json.dumps(body, separators=(",", ":"))
        if isinstance(body, six.text_type):
            body = body.encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
        return self.pool_manager.urlopen(method, url, body=body, **kwargs)

    def GET(self, url, headers=None, query_params=None, _preload_content=True,
            _request_timeout=None):
        return self.request("GET", url, query_params=query_params, headers=headers,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)

    def POST(self, url, headers=None, query_params=None, post_params=None, body=None,
             _preload_content=True, _request_timeout=None):
        return self.request("POST", url, query_params=query_params, headers=headers,
                            post_params=post_params, body=body,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)
