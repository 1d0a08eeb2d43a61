"""The pure e-KTP model: values, events, and decide/evolve per aggregate.

Imports nothing but attrs and the standard library; time and identity come in
with each command, so every function here is deterministic.
"""
