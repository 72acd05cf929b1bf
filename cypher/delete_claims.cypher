// Remove claims (the typed relationship and its REPORTS entry) before they are rewritten.
// :param ids => ["some-claim-id"]
UNWIND $ids AS id
MATCH (:Source)-[entry:REPORTS {claim: id}]->(s:Entity)
OPTIONAL MATCH (s)-[c]->(:Entity)
WHERE c.id = id
DELETE entry, c
RETURN count(entry) AS deleted
