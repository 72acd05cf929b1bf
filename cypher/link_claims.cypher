// After `neo4j-admin database import`: give each REPORTS entry the element id of its claim (`rel`), the relationship
// between entities whose `id` is the entry's claim id. One pass over the claims, each found entry by the claim_id
// constraint's index (the schema is applied first), committed every $rows claims; it runs outside an explicit
// transaction (in Browser, put `:auto` in front of it). Running it again changes nothing; an entry whose claim is
// missing is left as it is.
// :param rows => 20000
MATCH (:Entity)-[c]->(:Entity)
WHERE c.id IS NOT NULL
CALL (c) {
  MATCH (:Source)-[r:REPORTS {claim: c.id}]->()
  WHERE r.rel IS NULL
  SET r.rel = elementId(c)
} IN TRANSACTIONS OF $rows ROWS
