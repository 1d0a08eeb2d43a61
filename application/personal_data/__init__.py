"""The access log's use cases: recording each display of personal data in full, and
reading who processed whose data (``ektp access-log``)."""
