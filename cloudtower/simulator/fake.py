# coding: utf-8
"""Plausible JSON for any model of the API, from the generated model metadata.

Used to fill simulator rows, and by tests and benchmarks that need valid
request bodies or fully populated responses. Deterministic for a given seed.
"""
import random
import string
import time

from cloudtower.model import DICT_TYPE, LIST_TYPE, is_enum, model_class

_LIST, _DICT = LIST_TYPE, DICT_TYPE
_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "fjord", "gale", "harbor", "iris",
          "juniper", "kelp", "lumen", "maple", "nova", "onyx", "pine", "quartz", "raven",
          "sierra", "tundra", "umber", "vale", "willow", "xenon", "yarrow", "zephyr")
_CUID_CHARS = string.ascii_lowercase + string.digits


def cuid(rng=random):
    """A 25-character id in CloudTower's style (starts with ``c``)."""
    return "c" + "".join(rng.choice(_CUID_CHARS) for _ in range(24))


def timestamp(rng=random, base=None):
    """An ISO-8601 UTC time within the last 30 days of ``base`` (now)."""
    moment = (base or time.time()) - rng.randint(0, 30 * 24 * 3600)
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(moment))


class Faker(object):
    """Builds JSON values for type strings and models.

    ``full=True`` fills every field (as a real CloudTower read does);
    ``full=False`` fills only required ones. Nesting is cut at ``max_depth``
    so self-referencing schemas (``AND: [VmWhereInput]``) stay finite.
    """

    def __init__(self, seed=0, max_depth=3, list_size=(1, 2), now=None):
        self.rng = random.Random(seed)
        self.max_depth = max_depth
        self.list_size = list_size
        # a fixed ``now`` makes timestamps repeatable too (the simulator's seeded inventory)
        self.now = now

    def model(self, name, full=True, depth=0):
        cls = model_class(name)
        if cls is None:
            raise KeyError("no model named %r" % name)
        if is_enum(cls):
            return self.rng.choice(cls.allowable_values)
        result = {}
        for field in cls.describe().fields:
            if not (full and depth < self.max_depth) and not field.required:
                continue
            if field.enum and field.model is None:
                # an inline enum; for a list field, the values of its items
                choice = self.rng.choice(list(field.enum))
                result[field.json_key] = [choice] if field.many else choice
                continue
            result[field.json_key] = self.value(field.type, field.json_key, full, depth + 1,
                                                field.constraints)
        return result

    def value(self, type_name, key="", full=True, depth=0, constraints=None):
        rng = self.rng
        constraints = constraints or {}
        inner = _LIST.match(type_name)
        if inner:
            low, high = self.list_size
            count = max(constraints.get("minItems", 0), rng.randint(low, high))
            if depth >= self.max_depth + 1:
                count = constraints.get("minItems", 0)
            return [self.value(inner.group(1), key, full, depth + 1) for _ in range(count)]
        pair = _DICT.match(type_name)
        if pair:
            return {"key": self.value(pair.group(2), key, full, depth + 1)}
        if type_name == "str":
            return self.string(key, constraints)
        if type_name == "int":
            low = int(constraints.get("minimum", 0))
            high = int(constraints.get("maximum", max(low, 1) * 1000))
            return rng.randint(low, max(low, high))
        if type_name == "float":
            low = float(constraints.get("minimum", 0))
            return round(low + rng.random() * 100, 3)
        if type_name == "bool":
            return rng.random() < 0.5
        if type_name == "datetime":
            # the form datetime.isoformat() writes, so values survive a round trip
            return timestamp(rng, self.now).replace(".000Z", "+00:00")
        if type_name == "date":
            return timestamp(rng, self.now)[:10]
        if type_name in ("object", "file"):
            return {}
        return self.model(type_name, full, depth)

    def string(self, key="", constraints=None):
        rng = self.rng
        lowered = key.lower()
        if lowered == "id" or lowered.endswith("_id") or lowered == "local_id":
            return cuid(rng)
        if lowered.endswith("_at") or "time" in lowered or "date" in lowered:
            return timestamp(rng, self.now)
        if lowered.endswith("ip") or lowered.endswith("_ip") or "ip_address" in lowered:
            return "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
        if "mac" in lowered:
            return ":".join("%02x" % rng.randint(0, 255) for _ in range(6))
        text = "%s-%d" % (rng.choice(_WORDS), rng.randint(1, 9999))
        minimum = (constraints or {}).get("minLength", 0)
        if len(text) < minimum:
            text += "x" * (minimum - len(text))
        return text
