"""The delivery manifest aggregate: a courier's run on one day through named villages."""
