// A load that failed before publishing: delete up to $rows of the entities, sources and incidents it created
// (after its claims). Run until it returns 0.
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
DETACH DELETE n
RETURN count(n) AS discarded
