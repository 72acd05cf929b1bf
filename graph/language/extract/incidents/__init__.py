"""The incident reader: what happened, where, when, by whose account, to whom and how many died, as one report
tells it (``reader``), from the ontology's event words (``events``), the gazetteer (``places``), the parse's agents,
targets, speakers and stances (``actors``) and casualty figures (``figures``), with its own word lists
(``words.yaml``). The extractor calls it after reading a report's claims and carries its incidents."""

from graph.language.extract.incidents.reader import NAME, VERSION, IncidentReader, IncidentReading

__all__ = ["NAME", "VERSION", "IncidentReader", "IncidentReading"]
