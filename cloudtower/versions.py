# coding: utf-8
"""Which CloudTower versions have which operation, field and constant.

The generated tables give each name that not every known version has a
*range*: ``((first, end), ...)``, indexes into ``VERSIONS`` (oldest first),
``end`` excluded and ``None`` for "still there in the newest". An empty range
means every version. A server's version is placed at the newest known version
not after it, so a CloudTower newer than all of them gets the newest surface.
"""
import re
import threading
import warnings

import six

_DIGITS = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")

_versions = None
_warned = set()
_warned_lock = threading.Lock()


def known_versions():
    """The CloudTower versions the SDK was generated from, oldest first."""
    global _versions
    if _versions is None:
        from cloudtower.api.operations import VERSIONS
        _versions = VERSIONS
    return _versions


def parse(text):
    """``"4.6.0"``, ``"v4.6.0-rc1"``, ``"4.7"`` -> ``(4, 6, 0)``; None if no version is in it."""
    if not isinstance(text, six.string_types):
        try:
            text = str(text)
        except Exception:  # a value that cannot even be shown is no version
            return None
    match = _DIGITS.search(text)
    if match is None:
        return None
    return tuple(int(part or 0) for part in match.groups())


def index_of(version):
    """The index of the newest known version not after ``version`` (0 if older than all)."""
    wanted = parse(version)
    if wanted is None:
        raise ValueError("not a CloudTower version: %r (expected e.g. \"4.6.0\")" % (version,))
    best = 0
    for index, known in enumerate(known_versions()):
        if parse(known) <= wanted:
            best = index
    return best


def contains(range_, index):
    if not range_:
        return True
    for first, end in range_:
        if first <= index and (end is None or index < end):
            return True
    return False


def removed_in(range_):
    """The version that removed a name the newest CloudTower no longer has, else None."""
    if range_ and range_[-1][1] is not None:
        return known_versions()[range_[-1][1]]
    return None


def describe(range_):
    """``"4.6.0 or later"``, ``"2.0.0 to 4.1.0"``, joined with " or "."""
    names = known_versions()
    parts = []
    for first, end in range_:
        if end is None:
            parts.append("%s or later" % names[first])
        elif first == 0:
            parts.append("a version before %s" % names[end])
        elif end == first + 1:
            parts.append("%s only" % names[first])
        else:
            parts.append("%s to %s" % (names[first], names[end - 1]))
    return " or ".join(parts)


def needs(what, range_, actual):
    """The message of an ``ApiVersionError``: what ``what`` needs and what the server is."""
    gone = removed_in(range_)
    if gone is not None and all(end is not None for _, end in range_) and \
            index_of(actual) >= range_[-1][1]:
        return "%s was removed in CloudTower %s; this CloudTower is %s" % (what, gone, actual)
    return "%s needs CloudTower %s; this CloudTower is %s" % (what, describe(range_), actual)


def warn_removed(name, message, stacklevel=3):
    """One ``DeprecationWarning`` per name, for names the newest CloudTower no longer has.

    ``stacklevel`` counts from the caller of this function, as ``warnings.warn`` does."""
    if name in _warned:
        return
    with _warned_lock:
        if name in _warned:
            return
        _warned.add(name)
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel + 1)


# -- request bodies ------------------------------------------------------------

def versioned_fields(type_name, value, path=""):
    """``(path, model name, attribute, range)`` of each field in ``value`` (JSON as sent)
    that not every known CloudTower version has, found by following ``type_name``."""
    from cloudtower.request_check import walk
    return walk(type_name, value, path, spelling=False)
