"""The office's event feed: its whole history in order (`pages`), as `EventRecord`s
for embedding programs (`following`)."""
