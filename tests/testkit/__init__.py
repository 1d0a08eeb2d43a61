"""Helpers shared by the tests: fakes that subclass the ports, data generators."""
