"""The embedded store: SQLite on disk, the graph's shape in memory as arrays."""
