"""Name conversions that follow openapi-generator's Python conventions.

The official CloudTower SDK is produced by openapi-generator, so matching its
rules here is what keeps users' scripts working unchanged.
"""
import keyword
import os
import re

# Names openapi-generator's Python templates refuse as identifiers; a clash
# gets a leading underscore (``AND`` -> ``and`` -> ``_and``).
RESERVED_WORDS = set(keyword.kwlist) | {
    "and", "del", "from", "not", "while", "as", "elif", "global", "or", "with",
    "assert", "else", "if", "pass", "yield", "break", "except", "import",
    "print", "class", "exec", "in", "raise", "continue", "finally", "is",
    "return", "def", "for", "lambda", "try", "self", "nonlocal", "none",
    "true", "false", "async", "await",
}

_FIRST = re.compile(r"([A-Z]+)([A-Z][a-z][a-z]+)")
_SECOND = re.compile(r"([a-z\d])([A-Z])")


def underscore(word):
    """CamelCase -> snake_case the way openapi-generator does it."""
    word = _FIRST.sub(r"\1_\2", word)
    word = _SECOND.sub(r"\1_\2", word)
    word = word.replace("-", "_").replace(".", "_")
    return word.lower()


def camelize(word):
    """snake/any case -> CamelCase, capitalising after each separator."""
    word = re.sub(r"[^A-Za-z0-9_]", "_", word)
    return "".join(part[:1].upper() + part[1:] for part in word.split("_"))


def model_name(schema_name):
    """``WithTask_Vm-Array_`` -> ``WithTaskVmArray``."""
    return camelize(schema_name)


def module_name(class_name):
    """``GetSCVMDiskMetricInput`` -> ``get_scvm_disk_metric_input``."""
    return underscore(class_name)


def var_name(json_key):
    """Property name -> attribute name (``entityAsyncStatus`` -> ``entity_async_status``)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", json_key)
    if re.match(r"^[A-Z_]*$", name):
        name = name.lower()
    name = underscore(name).lstrip("_")
    if name in RESERVED_WORDS or re.match(r"^\d", name):
        name = "_" + name
    return name


def method_name(operation_id):
    """``GetSCVMMetrics`` -> ``get_scvm_metrics``."""
    name = underscore(re.sub(r"[^A-Za-z0-9_]", "_", operation_id))
    if name in RESERVED_WORDS:
        name = "call_" + name
    return name


def api_class_name(tag):
    return camelize(tag) + "Api"


def api_module_name(tag):
    return underscore(camelize(tag)) + "_api"


def _enum_const(value):
    if value == "":
        return "EMPTY"
    name = re.sub(r"\W+", "_", str(value)).upper()
    if name == "":
        name = "_"
    if re.match(r"^\d", name):
        name = "_" + name
    return name


def common_enum_prefix(values):
    """The prefix openapi-generator strips from enum constant names."""
    if len(values) < 2:
        return ""
    prefix = os.path.commonprefix([str(v) for v in values])
    # stop at a word boundary: ["status-on", "status-off"] -> "status-"
    return re.sub(r"[A-Za-z0-9]+\Z", "", prefix)


def enum_constants(values, strip_prefix=None):
    """Return ``[(constant_name, value)]`` for an enum's values.

    ``strip_prefix`` overrides the computed common prefix (used for the few
    enums where the official SDK kept an older naming).
    """
    prefix = common_enum_prefix(values) if strip_prefix is None else strip_prefix
    result = []
    for value in values:
        text = str(value)
        short = text[len(prefix):] if prefix and text.startswith(prefix) else text
        result.append((_enum_const(short or text), value))
    return result
