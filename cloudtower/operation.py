# coding: utf-8
"""What one API operation is, as data: the generated operation table is made of these."""


class Operation(object):
    """One operation of the CloudTower API.

    ``body`` is ``(parameter, type, required)`` for a JSON body; ``form``,
    ``query`` and ``header`` hold ``(parameter, wire name, type, required)``
    for each field; ``safe`` marks an operation that changes nothing (it may
    be retried). ``versions`` is the range of CloudTower versions that have
    it (see ``cloudtower.versions``; empty: all). ``aliases`` lists
    ``(older name, current name)`` of renamed parameters, ``legacy`` the
    optional positional parameters older releases had, and ``successor`` the
    current name of an operation this is an older name of.
    """

    __slots__ = ("name", "operation_id", "http_method", "path", "tag", "body", "form",
                 "query", "header", "return_type", "auth", "safe", "versions", "aliases",
                 "legacy", "successor", "_positional", "_accepted")

    def __init__(self, name, operation_id, http_method, path, tag, return_type=None,
                 body=None, form=(), query=(), header=(), auth=(), safe=False, versions=(),
                 aliases=(), legacy=(), successor=None):
        self.name = name
        self.operation_id = operation_id
        self.http_method = http_method
        self.path = path
        self.tag = tag
        self.return_type = return_type
        self.body = body
        self.form = form
        self.query = query
        self.header = header
        self.auth = auth
        self.safe = safe
        self.versions = versions
        self.aliases = aliases
        self.legacy = legacy
        self.successor = successor
        # derived on first call: the table is built at import time, so keep that cheap
        self._positional = None
        self._accepted = None

    @property
    def required(self):
        """Parameters that must be given: the body, or the required fields."""
        if self.body is not None:
            return (self.body[0],)
        return tuple(f[0] for f in self.form + self.query if f[3])

    @property
    def positional(self):
        """Parameters taken by position: the required ones, then any ``legacy`` ones."""
        if self._positional is None:
            self._positional = self.required + tuple(self.legacy)
        return self._positional

    @property
    def accepted(self):
        """Every parameter name the operation takes."""
        if self._accepted is None:
            self._accepted = frozenset(self.positional) | frozenset(
                f[0] for f in self.form + self.query + self.header)
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
