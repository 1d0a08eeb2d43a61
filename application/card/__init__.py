"""The card's use cases: a card from request to hand-over, its blank moves, its views
and history."""
