"""Building the store once from the settings, for whichever interface asks."""

from __future__ import annotations

from app.settings import Settings
from graph.ontology import Ontology, load_ontology
from graph.store import GraphStore
from graph.stores.memory import MemoryStore


def open_store(settings: Settings, ontology: Ontology | None = None) -> GraphStore:
    """The store the settings name, opened on its data."""
    return MemoryStore(ontology or load_ontology(), settings.data_file)
