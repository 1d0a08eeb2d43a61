"""The kernel every desk is built on: the store and its one write primitive
(`Store.transact` over a `Transaction`), the retry policy, the shared services,
the permission door, and the one way to read a typed day."""
