"""The blank stock ledger: every blank serial the office holds, in exactly one state.

One ledger aggregate per office. Its state is a handful of serial *interval
sets* (in stock, spoiled, lent...) plus counts for the terminal states, so its
size depends on how fragmented the stock is, not on how many blanks were ever
received (see `state` for why, and `snapshot` for how it loads fast).
"""
