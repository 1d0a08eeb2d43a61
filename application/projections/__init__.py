"""Projections' logic: how each event changes the read models' rows.

Pure functions from an event to row changes (`changes.SetRow`, `changes.AddTo`);
the SQL adapter (`ektp.adapters.read_models`) stores them, together with each
projection's position, in one transaction.
"""
