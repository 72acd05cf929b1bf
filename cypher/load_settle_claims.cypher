// After publishing: take the load mark off up to $rows of its claims (relationship and REPORTS entry).
// Run until it returns 0; each run is its own transaction.
// :param load => "load-0123abcd"
// :param rows => 10000
MATCH (:Source)-[r:REPORTS {load: $load}]->()
WITH r LIMIT $rows
CALL (r) {
  MATCH ()-[c]->()
  WHERE elementId(c) = r.rel
  REMOVE c.load
}
REMOVE r.load
RETURN count(r) AS settled
