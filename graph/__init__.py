"""The knowledge graph below its interfaces, in four layers (lower never imports higher):

- ``graph.domain``: the vocabulary and the shapes (ontology, model, errors, names, dates);
- ``graph.stores``: the store contract, what both stores share, and the two stores;
- ``graph.language``: the statistical English pipeline and the readers of claims and questions;
- ``graph.services``: what the interfaces ask for (load, ingest, review, export, backup, analysis).
"""
