"""The event store: eventsourcing's Application from a database URL (`store`), SQLite opened
power-safe (`durable_sqlite`), and how events become stored JSON and back (`codec`)."""
