"""The documented exit codes of ``ektp`` (README.md, "Exit codes")."""

from __future__ import annotations

OK = 0
REFUSED = 1  # refused by a rule of the office
BAD_INPUT = 2  # a malformed value or a usage error
NOT_FOUND = 3  # no such card (or other record)
CONFLICT = 4  # changed by someone else at the same moment; try again
UNAVAILABLE = 5  # the store cannot be opened, reached or written
AUDIT_FAILED = 6  # an audit export does not verify, or reconciliation found problems
# Everything checked out, but nothing vouched for who made it (no public key given,
# or nothing signed): integrity only, authenticity not established.
INTEGRITY_ONLY = 7
INTERNAL = 70  # a bug: please report it with the command that caused it
INTERRUPTED = 130  # stopped with Ctrl-C

BY_KIND = {
    "refused": REFUSED,
    "invalid": BAD_INPUT,
    "not_found": NOT_FOUND,
    "conflict": CONFLICT,
    "unavailable": UNAVAILABLE,
    "audit_failed": AUDIT_FAILED,
}
