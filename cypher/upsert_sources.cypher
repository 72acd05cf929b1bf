// Create or replace sources (reports, with their full text) by id; `load` marks a source a load
// written in several transactions has not yet published.
// :param sources => [{id: "example", title: "An example", outlet: "Nobody", text: "Text."}]
UNWIND $sources AS source
MERGE (n:Source {id: source.id})
SET n = source
RETURN count(n) AS written
