// Remove claims (the typed relationship and its REPORTS entry) before they are rewritten.
// :param ids => ["some-claim-id"]
UNWIND $ids AS id
MATCH (:Source)-[entry:REPORTS {claim: id}]->()
CALL (entry, id) {
  OPTIONAL MATCH ()-[c]->()
  WHERE elementId(c) = entry.rel AND c.id = id
  DELETE c
}
DELETE entry
RETURN count(entry) AS deleted
