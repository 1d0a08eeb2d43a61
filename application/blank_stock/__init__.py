"""The blank ledger's use cases and queries: consignments, loans, spoilage, destruction,
counts, losses; the folds and the independent reconciliation over its history."""
