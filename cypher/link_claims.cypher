// After `neo4j-admin database import`: give up to $rows REPORTS entries that lack it the element id of their
// claim (`rel`), the relationship of the entry's type from its subject with the entry's claim id. Run until it
// returns 0; each run is its own transaction. An entry whose claim is missing is left as it is.
// :param rows => 20000
MATCH (:Source)-[r:REPORTS]->(s:Entity)
WHERE r.rel IS NULL
WITH r, s LIMIT $rows
CALL (r, s) {
  MATCH (s)-[c:$(r.type)]->(:Entity)
  WHERE c.id = r.claim
  RETURN c LIMIT 1
}
SET r.rel = elementId(c)
RETURN count(r) AS linked
