// The k first paths from $source to $target in one round trip, with the claims behind each hop and
// their denials. The project's procedure kg.paths (graph/stores/neo4j/procedures/Paths.java, installed
// by `kg neo4j start`) finds the paths inside the server by the rule of graph/stores/traversal.py:
// simple paths of at most $max_hops hops over claims of $types and $statuses that a published load wrote,
// stepping from subject to object only when $directed (symmetric types either way), ranked by (hops,
// entity ids along them). Then every claim that passes the same filters on each hop is read, as
// hop_claims.cypher reads it for a server without the procedure. `missing` names the ends the graph does not
// hold (as entities_by_id.cypher reads them), so an empty answer says why in the same round trip.
// :param source => "isk"
// :param target => "china"
// :param max_hops => 4
// :param k => 3
// :param directed => false
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => ["ACCUSED", "ALLIED_WITH", "ATTACKED", "BORDERS", "SUPPORTS", "TARGETS"]
// :param statuses => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
WITH published, [id IN [$source, $target]
                 WHERE NOT EXISTS { MATCH (n:Entity {id: id}) WHERE n.load IS NULL OR n.load IN published }] AS missing
// (published is passed as null when no claim carries a load mark, the index on REPORTS.load says in one seek,
// so that the procedure reads no claim's properties to look for one)
WITH published, missing, EXISTS { MATCH (:Source)-[r:REPORTS]->() WHERE r.load IS NOT NULL } AS marked
CALL kg.paths($source, $target, $max_hops, $k, $directed, $symmetric, $types, $statuses,
              CASE WHEN marked THEN published END)
  YIELD paths
CALL (published, paths) {
  UNWIND paths AS ids
  UNWIND range(0, size(ids) - 2) AS i
  WITH DISTINCT ids[i] AS first, ids[i + 1] AS second
  MATCH (a:Entity {id: first})-[c]-(b:Entity {id: second})
  WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
    AND ($directed = false OR startNode(c) = a OR type(c) IN $symmetric)
    AND type(c) IN $types
    AND ($statuses IS NULL OR c.status IN $statuses)
  RETURN collect({pair: [first, second], subject: startNode(c).id, type: type(c), object: endNode(c).id,
                  claim: properties(c),
                  denied_by: COLLECT { MATCH (:Source)-[d:REPORTS {denies: c.id}]->()
                                       WHERE d.load IS NULL OR d.load IN published RETURN d.claim }}) AS hops
}
RETURN paths, hops, missing
