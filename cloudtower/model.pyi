from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    List,
    NamedTuple,
    Optional,
    Pattern,
    Sequence,
    Tuple,
    Type,
    TypeVar,
)

from typing_extensions import dataclass_transform

# Each generated model declares its fields as ``name: type = ...``; type
# checkers and IDEs build the keyword-only constructor from them.
@dataclass_transform(kw_only_default=True)
class Model:
    openapi_types: ClassVar[Dict[str, str]]
    attribute_map: ClassVar[Dict[str, str]]
    # accepted by every constructor, as in the official SDK
    local_vars_configuration: Any = ...
    def validate(self) -> None: ...
    @classmethod
    def describe(cls) -> ModelInfo: ...
    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> Any: ...
    def to_dict(self, serialize: bool = ...) -> Dict[str, Any]: ...
    def to_str(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...

class Enum(Model):
    allowable_values: ClassVar[List[Any]]

_T = TypeVar("_T")

class ModelList(List[_T]):
    def _repr_html_(self) -> Optional[str]: ...
    def _repr_pretty_(self, printer: Any, cycle: bool) -> None: ...

class FieldInfo(NamedTuple):
    name: str
    json_key: str
    type: str
    required: bool
    nullable: bool
    enum: Optional[Tuple[Any, ...]]
    enum_hint: Optional[str]
    constraints: Dict[str, Any]
    versions: Tuple[Tuple[int, Optional[int]], ...]
    model: Optional[str]
    many: bool

class ModelInfo(NamedTuple):
    name: str
    fields: Tuple[FieldInfo, ...]
    closed: bool
    versions: Tuple[Tuple[int, Optional[int]], ...]

TABLE_FORMAT: int

def register_tables(package: str, modules: Dict[str, str], table_format: int) -> ModelBuilder: ...

class ModelBuilder:
    def __init__(self, package: str, modules: Dict[str, str]) -> None: ...
    def is_enum_name(self, name: str) -> bool: ...
    def __call__(self, name: str) -> Type[Model]: ...

RecursionError_: Type[BaseException]
LIST_TYPE: Pattern[str]
DICT_TYPE: Pattern[str]
PRIMITIVE_TYPES: frozenset

def model_class(name: str) -> Optional[Type[Model]]: ...
def is_enum(cls: Any) -> bool: ...
def build_class(name: str, packed: str, module: str,
                op_sets: Sequence[Sequence[str]] = ...) -> Type[Model]: ...
def converter(type_name: str, owned: bool = ...) -> Optional[Callable[[Any], Any]]: ...
def sanitize(obj: Any) -> Any: ...
