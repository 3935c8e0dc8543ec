# coding: utf-8
"""Exceptions raised by the SDK.

``ApiException`` is what a failed HTTP call raises; the other classes report
bad input before anything is sent, or a response that cannot be read.
"""
import json
import re

import six

# A run of this many opening brackets is never CloudTower data; such a body is
# refused before json.loads, whose recursion on some Pythons (3.8 under a deep
# stack) can abort the process instead of raising RecursionError.
_TOO_DEEP = 400


def nested_too_deeply(body):
    """True for a body with an absurdly deep run of nested arrays."""
    if isinstance(body, bytes):
        return b"[" * _TOO_DEEP in body
    return isinstance(body, six.text_type) and u"[" * _TOO_DEEP in body


class OpenApiException(Exception):
    """The base of every exception the SDK raises on purpose."""


def render_path(path_to_item):
    """``["data", 0, "name"]`` -> ``['data'][0]['name']``."""
    result = ""
    for item in path_to_item or ():
        if isinstance(item, six.integer_types):
            result += "[%d]" % item
        else:
            result += "['%s']" % (item,)
    return result


class _PathError(OpenApiException):
    def __init__(self, msg, path_to_item=None):
        self.path_to_item = path_to_item
        full_msg = msg
        if path_to_item:
            full_msg = "%s at %s" % (msg, render_path(path_to_item))
        super(_PathError, self).__init__(full_msg)


class ApiTypeError(_PathError, TypeError):
    """A value or parameter of the wrong type (or an unknown parameter)."""

    def __init__(self, msg, path_to_item=None, valid_classes=None, key_type=None):
        self.valid_classes = valid_classes
        self.key_type = key_type
        super(ApiTypeError, self).__init__(msg, path_to_item)


class ApiValueError(_PathError, ValueError):
    """A value outside what the API accepts (missing, not in an enum, ...)."""


class ApiAttributeError(_PathError, AttributeError):
    """An attribute a model does not have."""


class ApiKeyError(_PathError, KeyError):
    """A key a mapping does not have."""


class ApiException(OpenApiException):
    """An HTTP call that did not succeed.

    ``status``, ``reason``, ``body`` and ``headers`` describe the response
    (``status`` is 0 when no response arrived); ``request_id`` is CloudTower's
    ``x-tower-request-id``; ``message``, ``code`` and ``path`` come from
    CloudTower's error body when it sent one.
    """

    def __init__(self, status=None, reason=None, http_resp=None):
        self.request_id = None
        self.message = None
        self.code = None
        self.path = None
        self.error_body = None
        if http_resp is not None:
            self.status = http_resp.status
            self.reason = http_resp.reason
            self.body = http_resp.data
            self.headers = http_resp.getheaders()
            self.request_id = http_resp.getheader("x-tower-request-id")
            self._parse_body()
        else:
            self.status = status
            self.reason = reason
            self.body = None
            self.headers = None
        super(ApiException, self).__init__(self.status, self.reason)

    def _parse_body(self):
        text = self.body
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                return
        if not text or nested_too_deeply(text):
            return
        try:
            parsed = json.loads(text)
        except (ValueError, RuntimeError):  # RuntimeError: RecursionError, too deep to read
            return
        if isinstance(parsed, dict):
            self.error_body = parsed
            message = parsed.get("message")
            self.message = message if isinstance(message, six.string_types) else (
                None if message is None else json.dumps(message))
            self.code = parsed.get("code")
            self.path = parsed.get("path")

    def __str__(self):
        # one line of what happened (a second with the fix, when the SDK knows
        # it); the headers and the whole body stay in .headers and .body
        line = "(%s) %s" % (self.status, self.reason)
        if self.message:
            line += ": %s" % self.message
        elif self.body:
            line += ": %s" % _start_of(self.body)
        if self.code:
            line += " [%s]" % self.code
        if self.request_id:
            line += " (request id %s)" % self.request_id
        hint = self.hint
        return line + ("\n" + hint if hint else "")

    @property
    def hint(self):
        """The likely fix, when the answer says enough: None otherwise."""
        if self.status == 404 and self.body:
            match = re.search(r"Cannot (?:GET|POST|PUT|PATCH|DELETE) (/\S*)", _start_of(self.body, 400))
            if match and not match.group(1).startswith("/v2/api/"):
                return ("hint: the server has no route %s; CloudTower's API is under /v2/api, so "
                        "Configuration.host should end with it, e.g. http://tower.example.com/v2/api"
                        % match.group(1))
        return None


def _start_of(body, limit=200):
    """The start of a body on one line, for a message."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = " ".join(six.text_type(body).split())
    return text if len(text) <= limit else text[:limit] + "... (%d characters)" % len(text)


class ApiVersionError(ApiException):
    """A call the connected CloudTower's version lacks, refused before anything was sent.

    ``operation`` is the method name; ``field`` the request field at fault
    (None when the whole operation is missing); ``required`` describes the
    versions that have it; ``server_version`` is the CloudTower's version.
    """

    def __init__(self, reason, operation=None, field=None, required=None, server_version=None):
        super(ApiVersionError, self).__init__(status=0, reason=reason)
        self.operation = operation
        self.field = field
        self.required = required
        self.server_version = server_version

    def __str__(self):
        return self.reason


if six.PY2:
    def _utf8_str(method):
        """Python 2: ``str(error)`` as UTF-8 bytes, so a non-ASCII reason or body
        cannot make printing an error fail (``unicode(error)`` gives the text)."""
        def __str__(self):
            text = method(self)
            return text.encode("utf-8") if isinstance(text, six.text_type) else text

        def __unicode__(self):
            text = method(self)
            return text if isinstance(text, six.text_type) else text.decode("utf-8", "replace")
        return __str__, __unicode__

    for _cls in (ApiException, ApiVersionError):
        _cls.__str__, _cls.__unicode__ = _utf8_str(_cls.__dict__["__str__"])
