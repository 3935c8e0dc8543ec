# coding: utf-8
"""Messages that point at the fix for a misspelt value or key."""
import six


def suggestion(value, choices):
    """The one choice ``value`` most likely meant, or None.

    A choice equal but for case wins (``name_asc`` -> ``name_ASC``); then one
    equal but for ``_`` and case (``order_by`` -> ``orderBy``); then a close
    spelling, if exactly one is close.
    """
    if not isinstance(value, six.string_types):
        return None
    folded = value.lower()
    same_case = [c for c in choices if isinstance(c, six.string_types) and c.lower() == folded]
    if len(same_case) == 1:
        return same_case[0]
    squashed = folded.replace("_", "")
    same_letters = [c for c in choices if isinstance(c, six.string_types)
                    and c.lower().replace("_", "") == squashed]
    if len(same_letters) == 1:
        return same_letters[0]
    import difflib  # only on the error path
    close = difflib.get_close_matches(value, [c for c in choices if isinstance(c, six.string_types)],
                                      n=2, cutoff=0.75)
    return close[0] if len(close) == 1 else None


def allowed_text(value, allowed, limit=12):
    """``did you mean 'name_ASC'?`` when a value is close, else the allowed values
    (the first few of a long list, with how many there are)."""
    best = suggestion(value, allowed)
    if best is not None:
        return "did you mean %s?" % quoted(best)
    allowed = list(allowed)
    shown = "[%s]" % ", ".join(quoted(v) for v in allowed[:limit])
    if len(allowed) <= limit:
        return "must be one of %s" % shown
    return "must be one of %d values, e.g. %s" % (len(allowed), shown)


def quoted(value):
    """``'name_ASC'`` on Python 2 and 3 alike: ``repr`` (ASCII-safe on 2), without
    the ``u`` Python 2 puts before text."""
    text = repr(value)
    if isinstance(value, six.text_type) and text[:2] in ("u'", 'u"'):
        return text[1:]
    return text
