import logging
from typing import Any, Dict, List, Optional, Sequence, Union

from cloudtower.api_client import ApiClient
from cloudtower.configuration import Configuration
from cloudtower.exceptions import ApiException

logger: logging.Logger

DEFAULT_PROBE_TIMEOUT: int
DEFAULT_SCHEME: str
HOST_STATE_ACTIVE: str
HOST_STATE_PASSIVE: str
HTTP_STATUS_TEMPORARY_REDIRECT: int
REQUEST_ATTEMPTS: int

_EndpointArg = Union[str, Dict[str, Optional[str]], Configuration]

class ActivePassiveException(ApiException):
    default_reason: str
    host: Optional[str]
    endpoints: Optional[List[Any]]
    active_hosts: Optional[List[str]]
    failures: Optional[List[str]]
    strategy: Optional[str]
    def __init__(self, status: Optional[int] = ..., reason: Optional[str] = ..., http_resp: Any = ...,
                 host: Optional[str] = ..., endpoints: Optional[Sequence[Any]] = ...,
                 active_hosts: Optional[Sequence[str]] = ..., failures: Optional[Sequence[str]] = ...,
                 strategy: Optional[str] = ...) -> None: ...

class ActivePassiveNoEndpoints(ActivePassiveException): ...
class ActivePassiveDuplicateHost(ActivePassiveException): ...
class ActivePassiveNoActiveHost(ActivePassiveException): ...
class ActivePassiveMultipleActives(ActivePassiveException): ...
class ActivePassiveRetryExhausted(ActivePassiveException): ...
class ActivePassiveFailoverRequired(ActivePassiveException): ...
class ActivePassiveUnknownHost(ActivePassiveException): ...

class FailoverStrategy:
    AUTO_FAILOVER: str
    MANUAL_FAILOVER: str
    ALWAYS_PROBE: str

class ActivePassiveApiClient(ApiClient):
    probe_timeout: float
    failover_strategy: str
    def __init__(self, endpoints: Optional[Sequence[_EndpointArg]] = ...,
                 user_config: Optional[Dict[str, Optional[str]]] = ..., probe_timeout: Optional[float] = ...,
                 failover_strategy: Optional[str] = ..., configuration: Optional[Configuration] = ...,
                 header_name: Optional[str] = ..., header_value: Optional[str] = ..., cookie: Optional[str] = ...,
                 pool_threads: int = ...) -> None: ...
    def __enter__(self) -> ActivePassiveApiClient: ...
    @property
    def endpoints(self) -> List[str]: ...
    @property
    def current_active_base_url(self) -> Optional[str]: ...
    def discover(self) -> str: ...
    def failover(self, root_url: Optional[str] = ...) -> str: ...
