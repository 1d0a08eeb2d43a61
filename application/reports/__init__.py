"""Lists and reports from the read models, the read models' upkeep, the delivery
report's fold, and region names beside codes."""
