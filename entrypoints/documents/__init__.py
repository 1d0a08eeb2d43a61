"""The papers the office hands out (request receipt, hand-over record) as A4 HTML.

Every word a reader sees is in `words`, so the documents can be translated in one place;
`html` builds the pages from application views; `ektp.adapters.pdf` prints them.
"""
