"""Services the interfaces call (load, ingest, review queue, export, backup, analysis), over the store contract."""
