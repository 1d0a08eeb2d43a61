"""Reading untrusted JSON for the verifier: every oddity is a reason, never a crash.

Refused: bytes that are not UTF-8, text that is not JSON, a key twice in one
object, a float, NaN or Infinity. The reasons are short sentences for reports.
"""

from __future__ import annotations

from ektp.application.kernel.i18n import _
import json
from typing import Any, NoReturn


class NotStrictJson(ValueError):
    """The bytes are not JSON as the format allows it; the message says why."""


def _no_float(text: str) -> NoReturn:
    # The number itself is not quoted: it might be a mistyped NIK.
    raise NotStrictJson(_("it holds a floating-point number; the format has none"))


def _no_constant(text: str) -> NoReturn:
    raise NotStrictJson(_("it holds {text}, which is not JSON").format(text=text))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotStrictJson(_("the key {key!r} appears twice in one object").format(
                key=key[:40]))
        result[key] = value
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_float=_no_float,
                            parse_constant=_no_constant)
# Without the pairs hook (a Python call per object): a repeated key then keeps its
# last value, so callers that use it must also compare with the canonical form.
_FAST_DECODER = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant)


def load_fast(raw: bytes) -> Any:
    """Like `load_strict`, but a key twice in one object is not noticed: the caller
    must check the bytes against the canonical form, which then differs."""
    return _load(raw, _FAST_DECODER)


def load_strict(raw: bytes) -> Any:
    """Parse `raw` (UTF-8 JSON) or raise `NotStrictJson` saying why it cannot be read."""
    return _load(raw, _DECODER)


def _load(raw: bytes, decoder: json.JSONDecoder) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotStrictJson(_("it is not valid UTF-8 (byte {error_start})").format(
            error_start=error.start)) from None
    try:
        return decoder.decode(text)
    except NotStrictJson:
        raise
    except RecursionError:
        raise NotStrictJson(_("it is nested too deeply")) from None
    except ValueError as error:
        reason = str(error).split(":")[0].lower()
        raise NotStrictJson(_("it is not JSON ({reason})").format(reason=reason)) from None
