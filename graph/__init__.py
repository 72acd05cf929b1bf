"""The knowledge graph's domain: ontology, model, loader, name resolution and stores.

Nothing here imports from ``app/``: interfaces call the domain, never the reverse.
"""
