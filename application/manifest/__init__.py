"""The delivery manifests' use cases: a courier's round from opening to its signed close,
the courier's sheet and the results file."""
