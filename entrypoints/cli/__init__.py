"""The ``ektp`` command line (click)."""
