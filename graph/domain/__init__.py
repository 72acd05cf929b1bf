"""The domain: the ontology, the shapes that cross modules, errors, names and dates. Imports nothing above it."""
