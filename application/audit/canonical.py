"""The canonical form of `ektp-audit` objects, their hashes and times.

Canonical form: the UTF-8 bytes of ``json.dumps(obj, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)``. Floats never appear (integers,
or decimals as strings), so every implementation produces the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.encoder
import re
from functools import lru_cache
from typing import Any

from ektp.application.kernel.i18n import _

# ektp writes version 2 (version 1 plus each line's `leaf` and `inserted_by`, and the
# manifest's tree) and reads both.
FORMAT = "ektp-audit/2"
FORMAT_V1 = "ektp-audit/1"
FORMATS = (FORMAT_V1, FORMAT)
ZERO_HASH = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            allow_nan=False)


def canonical(obj: Any) -> bytes:
    """The canonical bytes of a JSON value (raises ValueError on a float NaN or a lone surrogate)."""
    try:
        return _ENCODER.encode(obj).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("a string holds a lone surrogate, which UTF-8 cannot encode")) from None
    except RecursionError:
        raise ValueError(_("it is nested too deeply")) from None


# The same encoder as `_ENCODER` (sorted keys, compact, UTF-8 text, no NaN), made once
# rather than at each call, and without the check for reference cycles: for values built
# fresh from an event's fields (`facts.jsonable`), which cannot hold a cycle. It is the C
# encoder `json` itself makes in `JSONEncoder.iterencode` (None on a Python without it).
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_TREE_ENCODER = (None if _C_MAKE_ENCODER is None else
                 _C_MAKE_ENCODER(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",",
                                 True, False, False))


def canonical_tree(obj: Any) -> bytes:
    """`canonical` of a value that cannot hold a reference cycle (what `jsonable` builds);
    on every write's path, so encoded by the C encoder directly."""
    if _TREE_ENCODER is None:  # pragma: no cover
        return canonical(obj)
    try:
        return "".join(_TREE_ENCODER(obj, 0)).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("a string holds a lone surrogate, which UTF-8 cannot encode")) from None
    except RecursionError:
        raise ValueError(_("it is nested too deeply")) from None


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1024)
def format_time(moment: dt.datetime) -> str:
    """A moment as the format writes it: UTC, microseconds, ``Z``
    (``2017-11-06T01:00:00.000000Z``). Cached: the events of one command share their
    moment, and every write formats it for the journal."""
    utc = moment if moment.tzinfo is dt.timezone.utc else moment.astimezone(dt.timezone.utc)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> dt.datetime | None:
    """Read a time written by `format_time`; None if `text` is not one."""
    if not TIME.fullmatch(text):
        return None
    try:
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
