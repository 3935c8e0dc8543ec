from typing import Any, Dict, List, Optional

def nested_too_deeply(body: Any) -> bool: ...

class OpenApiException(Exception): ...

def render_path(path_to_item: Optional[List[Any]]) -> str: ...

class ApiTypeError(OpenApiException, TypeError):
    path_to_item: Optional[List[Any]]
    valid_classes: Any
    key_type: Any
    def __init__(self, msg: str, path_to_item: Optional[List[Any]] = ..., valid_classes: Any = ...,
                 key_type: Any = ...) -> None: ...

class ApiValueError(OpenApiException, ValueError):
    path_to_item: Optional[List[Any]]
    def __init__(self, msg: str, path_to_item: Optional[List[Any]] = ...) -> None: ...

class ApiAttributeError(OpenApiException, AttributeError):
    def __init__(self, msg: str, path_to_item: Optional[List[Any]] = ...) -> None: ...

class ApiKeyError(OpenApiException, KeyError):
    def __init__(self, msg: str, path_to_item: Optional[List[Any]] = ...) -> None: ...

class ApiException(OpenApiException):
    status: Optional[int]
    reason: Optional[str]
    body: Any
    headers: Any
    request_id: Optional[str]
    message: Optional[str]
    code: Optional[str]
    path: Optional[str]
    error_body: Optional[Dict[str, Any]]
    @property
    def hint(self) -> Optional[str]: ...
    def __init__(self, status: Optional[int] = ..., reason: Optional[str] = ..., http_resp: Any = ...) -> None: ...

class ApiVersionError(ApiException):
    operation: Optional[str]
    field: Optional[str]
    required: Optional[str]
    server_version: Optional[str]
    def __init__(self, reason: str, operation: Optional[str] = ..., field: Optional[str] = ...,
                 required: Optional[str] = ..., server_version: Optional[str] = ...) -> None: ...
