from typing import Any, FrozenSet, Optional, Tuple

Range = Tuple[Tuple[int, Optional[int]], ...]

class Operation:
    name: str
    operation_id: str
    http_method: str
    path: str
    tag: str
    return_type: Optional[str]
    body: Optional[Tuple[str, str, bool]]
    form: Tuple[Tuple[str, str, str, bool], ...]
    query: Tuple[Tuple[str, str, str, bool], ...]
    header: Tuple[Tuple[str, str, str, bool], ...]
    auth: Tuple[str, ...]
    safe: bool
    versions: Range
    aliases: Tuple[Tuple[str, str], ...]
    legacy: Tuple[str, ...]
    successor: Optional[str]
    def __init__(self, name: str, operation_id: str, http_method: str, path: str, tag: str,
                 return_type: Optional[str] = ..., body: Optional[Tuple[str, str, bool]] = ...,
                 form: Tuple[Any, ...] = ..., query: Tuple[Any, ...] = ..., header: Tuple[Any, ...] = ...,
                 auth: Tuple[str, ...] = ..., safe: bool = ..., versions: Range = ...,
                 aliases: Tuple[Tuple[str, str], ...] = ..., legacy: Tuple[str, ...] = ...,
                 successor: Optional[str] = ...) -> None: ...
    @property
    def required(self) -> Tuple[str, ...]: ...
    @property
    def positional(self) -> Tuple[str, ...]: ...
    @property
    def accepted(self) -> FrozenSet[str]: ...
    @property
    def content_type(self) -> Optional[str]: ...

class Api:
    api_client: Any
    def __init__(self, api_client: Any = ...) -> None: ...
