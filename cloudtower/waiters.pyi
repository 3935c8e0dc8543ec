from typing import Any, Callable, List, Mapping, Optional, TypeVar, Union

from cloudtower.api_client import ApiClient
from cloudtower.exceptions import ApiException
from cloudtower.models import Task

_T = TypeVar("_T")
_R = TypeVar("_R")

class WaiterError(ApiException):
    rows: Optional[List[Any]]
    def __init__(self, status: int, reason: str, rows: Optional[List[Any]] = ...) -> None: ...

def wait_for(answer: _T, api_client: ApiClient, interval: float = ..., timeout: float = ...,
             exit_on_error: bool = ..., progress: Optional[Callable[[int, int, List[Task]], Any]] = ...,
             show_progress: bool = ...) -> _T: ...
def wait_until(list_method: Callable[[Any], List[_R]], request: Any = ...,
               condition: Union[Mapping[str, Any], Callable[[_R], Any], None] = ...,
               count: Optional[int] = ...,
               fail_if: Union[Mapping[str, Any], Callable[[_R], Any], None] = ...,
               timeout: float = ..., interval: float = ...,
               progress: Optional[Callable[[int, int, List[_R]], Any]] = ...,
               show_progress: bool = ..., what: Optional[str] = ...) -> List[_R]: ...
