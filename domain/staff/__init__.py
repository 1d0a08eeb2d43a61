"""The staff register: who may act for the office, in which roles (one aggregate per
staff member, and the office's roster that keeps the set of active heads)."""
