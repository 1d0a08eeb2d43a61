"""The audit trail: the `ektp-audit/1` export format, its verification, and offline
replay and reconciliation from an export alone (docs/audit-format.md).

Everything here is pure format logic over bytes and values; reading the store,
files and keys is done by the callers through ports.
"""
