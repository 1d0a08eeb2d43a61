"""The read-model tables (SQLAlchemy Core). Times are stored as naive UTC."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, MetaData, String, Table

metadata = MetaData()

projection_positions = Table(
    "projection_positions", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
)

card_status = Table(
    "card_status", metadata,
    Column("card_id", String(36), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("village", String(13), nullable=False),
    Column("kecamatan", String(8), nullable=False),
    Column("nik_masked", String(16), nullable=False),
    Column("name", String(100), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("modified_at", DateTime, nullable=False),
    Column("printed_at", DateTime),
    Column("dispatched_at", DateTime),
    Column("returned_at", DateTime),
    Column("handed_over_at", DateTime),
    Column("closed_at", DateTime),
    Column("attempts", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("blank_serial", String(16)),
    Column("courier", String(64)),
    Column("manifest_id", String(36)),
    Column("recipient", String(8)),
    Index("card_status_by_village", "village", "requested_at"),
    Index("card_status_by_status", "status", "requested_at"),
    Index("card_status_by_kecamatan", "kecamatan", "status"),
)

daily_counts = Table(
    "daily_counts", metadata,
    Column("day", Date, primary_key=True),
    Column("metric", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

TABLES = {t.name: t for t in (card_status, daily_counts)}
KEYS = {"card_status": ("card_id",), "daily_counts": ("day", "metric")}
