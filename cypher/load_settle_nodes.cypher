// After publishing: take the load mark off up to $rows of its entities, sources and incidents.
// Run until it returns 0; each run is its own transaction.
// :param load => "load-0123abcd"
// :param rows => 10000
CALL () {
  MATCH (n:Entity {load: $load})
  RETURN n LIMIT $rows
  UNION
  MATCH (n:Source {load: $load})
  RETURN n LIMIT $rows
  UNION
  MATCH (n:Incident {load: $load})
  RETURN n LIMIT $rows
}
REMOVE n.load
RETURN count(n) AS settled
