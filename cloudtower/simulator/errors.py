# coding: utf-8
"""The two ways the simulator says no.

:class:`ApiError` answers the HTTP request with CloudTower's error body;
:class:`Refused` is raised when a task runs and makes that task end
``FAILED`` (the request itself was accepted, as on the real system).
"""


class ApiError(Exception):
    """An HTTP error answer: ``status``, ``message`` and optional ``code``/``field``."""

    def __init__(self, status, message, code=None, field=None):
        super(ApiError, self).__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field


def bad_request(message, field=None):
    return ApiError(400, message, field=field)


class Refused(Exception):
    """The real system would refuse this change: the task fails, nothing changes."""

    def __init__(self, code, message):
        super(Refused, self).__init__(message)
        self.code = code
        self.message = message
