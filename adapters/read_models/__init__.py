"""SQLAlchemy read models in the same database as the events."""
