from typing import Any, Iterator, Optional, Tuple

from cloudtower.versions import Range

class RequestWarning(UserWarning): ...

def walk(type_name: Optional[str], value: Any, path: str = ...,
         spelling: bool = ...) -> Iterator[Tuple[str, str, str, Range]]: ...
