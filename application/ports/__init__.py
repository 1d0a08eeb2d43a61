"""Driven ports: what the use cases need from the world, one protocol per module."""
