// A load that failed before publishing: delete up to $rows of the claims it wrote. Run until it
// returns 0 (readers never saw them).
// :param load => "load-0123abcd"
// :param rows => 10000
MATCH (:Source)-[r:REPORTS {load: $load}]->()
WITH r LIMIT $rows
CALL (r) {
  OPTIONAL MATCH ()-[c]->()
  WHERE elementId(c) = r.rel
  DELETE c
}
DELETE r
RETURN count(r) AS discarded
