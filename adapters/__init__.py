"""Adapters: the event store's setup, the clock, and (later) read models, region
data and audit files. Each implements a port of `ektp.application`."""
