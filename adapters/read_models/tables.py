"""The read-model tables (SQLAlchemy Core). Times are stored as naive UTC.

No plaintext NIK, KK number or name is kept here (issue 14): ``card_status`` holds
the masked NIK and the name's initials for display, and keyed HMAC blind indexes
(`ektp.application.ports.pseudonyms`) for lookups: the exact NIK, the exact KK, and
the name's normalised tokens (``name_index``: each token's index, space-separated,
so a search for any of its words in any order is a LIKE per word), and the NIK of the
proxy who collected the card (``proxy_index``, what an erasure of a proxy looks up)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

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
    Column("initials", String(40), nullable=False),
    Column("nik_index", String(32)),
    Column("kk_index", String(32)),
    Column("name_index", String(1000)),
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
    # The blind index of the NIK of the proxy who collected the card (card_status 5).
    Column("proxy_index", String(32)),
    Index("card_status_by_village", "village", "requested_at"),
    Index("card_status_by_status", "status", "requested_at"),
    Index("card_status_by_kecamatan", "kecamatan", "status"),
    Index("card_status_by_nik_index", "nik_index"),
    Index("card_status_by_kk_index", "kk_index"),
    Index("card_status_by_proxy_index", "proxy_index"),
)

daily_counts = Table(
    "daily_counts", metadata,
    Column("day", Date, primary_key=True),
    Column("metric", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
)

manifests = Table(
    "manifests", metadata,
    Column("manifest_id", String(36), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("courier", String(64), nullable=False),
    Column("date", Date, nullable=False),
    Column("villages", String(2000), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("modified_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("cards", Integer, nullable=False),
    Column("dispatched_count", Integer, nullable=False),
    Column("handed_over", Integer, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("checked_in", Integer, nullable=False),
    Column("seal_number", String(64)),
    Column("dispatched_by", String(64)),
    Column("dispatched_at", DateTime),
    Column("seal_intact", Boolean),
    Column("returned_by", String(64)),
    Column("returned_at", DateTime),
    Column("record_number", String(64)),
    Column("closed_at", DateTime),
    Index("manifests_by_status", "status", "date"),
)

manifest_cards = Table(
    "manifest_cards", metadata,
    Column("manifest_id", String(36), primary_key=True),
    Column("card_id", String(36), primary_key=True),
    Column("village", String(13), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Index("manifest_cards_by_card", "card_id"),
)

blank_stock_daily = Table(
    "blank_stock_daily", metadata,
    Column("day", Date, primary_key=True),
    Column("state", String(16), primary_key=True),
    Column("delta", BigInteger, nullable=False),
)

delivery_facts = Table(
    "delivery_facts", metadata,
    Column("card_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("courier", String(64)),
    Column("reason", String(32)),
    Column("proxy", Boolean, nullable=False),
    Index("delivery_facts_by_day", "day", "card_id"),
)

TABLES = {t.name: t for t in (card_status, daily_counts, manifests, manifest_cards, blank_stock_daily,
                              delivery_facts)}
KEYS = {"card_status": ("card_id",), "daily_counts": ("day", "metric"),
        "manifests": ("manifest_id",), "manifest_cards": ("manifest_id", "card_id"),
        "blank_stock_daily": ("day", "state"), "delivery_facts": ("card_id", "version")}
