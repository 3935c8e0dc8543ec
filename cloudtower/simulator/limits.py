# coding: utf-8
"""What the simulator accepts of a request: a bounded body, a bounded depth.

Every request that breaks a limit is answered with a 4xx (never a 500, a
closed connection or a thread held for ever):

- a ``Content-Length`` that is not a number of bytes, or a chunked body whose
  chunk sizes are not hexadecimal numbers: 400;
- a POST, PUT or PATCH without ``Content-Length`` and not chunked: 411;
- a body over :attr:`Simulator.max_body_size` bytes (default
  :data:`MAX_BODY_SIZE`): 413, refused before it is read;
- a JSON body (or JSON form field) nested deeper than :data:`MAX_JSON_DEPTH`
  levels: 400.
"""
import re

from cloudtower.simulator.errors import ApiError

# Larger than one upload chunk (8 MiB) with its multipart framing, far above
# any JSON body a script sends.
MAX_BODY_SIZE = 32 * 1024 * 1024
# CloudTower's bodies are a few levels deep; a `where` of nested AND/OR a few more.
MAX_JSON_DEPTH = 100
_MAX_CHUNK_LINE = 1024
_MAX_TRAILERS = 100
_READ = 1024 * 1024


class BodyError(ApiError):
    """A body the simulator refuses to read: the connection closes after the answer."""


def _length(headers):
    values = headers.get_all("Content-Length") if hasattr(headers, "get_all") else \
        headers.getheaders("Content-Length")
    if not values:
        return None
    if len(set(value.strip() for value in values)) != 1:
        raise BodyError(400, "the request has conflicting Content-Length headers")
    text = values[0].strip()
    if not text.isdigit():
        raise BodyError(400, "Content-Length must be a number of bytes, got %r" % text[:40])
    return int(text)


def read_body(rfile, headers, method, limit):
    """The request body, read within ``limit`` bytes; raises :class:`BodyError`."""
    encoding = (headers.get("Transfer-Encoding") or "").strip().lower()
    if encoding:
        if encoding != "chunked":
            raise BodyError(400, "Transfer-Encoding %r is not supported (only chunked)"
                            % encoding[:40])
        return _read_chunked(rfile, limit)
    length = _length(headers)
    if length is None:
        if method in ("POST", "PUT", "PATCH"):
            raise BodyError(411, "Length Required: send Content-Length or a chunked body")
        return b""
    if limit is not None and length > limit:
        raise BodyError(413, "the request body is %d bytes, more than the %d this server "
                             "accepts" % (length, limit))
    parts = []
    left = length
    while left:
        data = rfile.read(min(left, _READ))
        if not data:
            raise BodyError(400, "the connection ended %d bytes before the end of the body" % left)
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def _read_chunked(rfile, limit):
    parts = []
    total = 0
    while True:
        line = rfile.readline(_MAX_CHUNK_LINE + 1)
        if len(line) > _MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise BodyError(400, "a chunk size line is too long or cut short")
        text = line.split(b";", 1)[0].strip()
        if not text or not re.match(br"^[0-9a-fA-F]{1,16}$", text):
            raise BodyError(400, "a chunk size must be a hexadecimal number, got %r"
                            % text[:40].decode("latin-1"))
        size = int(text, 16)
        if not size:
            break
        total += size
        if limit is not None and total > limit:
            raise BodyError(413, "the request body is more than the %d bytes this server accepts"
                            % limit)
        left = size
        while left:
            data = rfile.read(min(left, _READ))
            if not data:
                raise BodyError(400, "the connection ended inside a chunk")
            parts.append(data)
            left -= len(data)
        if rfile.readline(_MAX_CHUNK_LINE + 1).strip():
            raise BodyError(400, "a chunk is longer than its size says")
    for _ in range(_MAX_TRAILERS):
        if not rfile.readline(_MAX_CHUNK_LINE + 1).strip():
            return b"".join(parts)
    raise BodyError(400, "too many trailer lines after a chunked body")


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(text, limit=MAX_JSON_DEPTH):
    """True when JSON ``text`` nests arrays and objects more than ``limit`` deep."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def check_depth(text, what="the request body"):
    if too_deep(text):
        raise ApiError(400, "%s is nested more than %d levels deep" % (what, MAX_JSON_DEPTH))
