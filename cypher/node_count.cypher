// How many nodes the database holds, of any label (Neo4j's count store answers it without reading a node): 0 is an
// empty database, the only kind the bulk importer may replace.
MATCH (n)
RETURN count(n) AS nodes
