"""The card aggregate: one issuance for one request, from Requested to its end."""
