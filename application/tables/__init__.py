"""Tables read from files a person filled in (CSV, XLSX): rows of text cells with their
line and column, how each cell was stored, and the rules for NIK and KK digits in them.

`ektp manifest record` reads its results file through this package (and `card import`
will); the XLSX format itself is read in `ektp.adapters.spreadsheet`.
"""
