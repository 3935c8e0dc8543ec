# coding: utf-8
"""What one API operation is, as data: the generated operation table is made of these."""


class Operation(object):
    """One operation of the CloudTower API.

    ``body`` is ``(parameter, type, required)`` for a JSON body; ``form`` and
    ``query`` hold ``(parameter, wire name, type, required)`` for each field;
    ``safe`` marks an operation that changes nothing (it may be retried).
    """

    __slots__ = ("name", "operation_id", "http_method", "path", "tag", "body", "form",
                 "query", "return_type", "auth", "safe", "_positional", "_accepted")

    def __init__(self, name, operation_id, http_method, path, tag, return_type=None,
                 body=None, form=(), query=(), auth=(), safe=False):
        self.name = name
        self.operation_id = operation_id
        self.http_method = http_method
        self.path = path
        self.tag = tag
        self.return_type = return_type
        self.body = body
        self.form = form
        self.query = query
        self.auth = auth
        self.safe = safe
        # derived on first call: the table is built at import time, so keep that cheap
        self._positional = None
        self._accepted = None

    @property
    def positional(self):
        """Parameters taken by position: the body, or the required fields."""
        if self._positional is None:
            if self.body is not None:
                self._positional = (self.body[0],)
            else:
                self._positional = tuple(f[0] for f in self.form + self.query if f[3])
        return self._positional

    @property
    def accepted(self):
        """Every parameter name the operation takes."""
        if self._accepted is None:
            self._accepted = frozenset(self.positional) | frozenset(
                f[0] for f in self.form + self.query)
        return self._accepted

    @property
    def content_type(self):
        if self.form:
            return "multipart/form-data"
        return "application/json" if self.body is not None else None

    def __repr__(self):
        return "<Operation %s %s %s>" % (self.name, self.http_method, self.path)


class Api(object):
    """The base of the generated ``*Api`` classes: holds the ``ApiClient``."""

    def __init__(self, api_client=None):
        if api_client is None:
            from cloudtower.api_client import ApiClient
            api_client = ApiClient()
        self.api_client = api_client

    def _call(self, operation, args, kwargs, with_http_info=False):
        return self.api_client.call_operation(operation, args, kwargs, with_http_info)
