// A neighbourhood in one round trip, walked inside the server by the project's procedure kg.neighbourhood
// (graph/stores/neo4j/procedures/Neighbourhood.java, installed by `kg neo4j start`) by the rules of
// graph/stores/traversal.py; this query then reads what the answer shows of what the walk kept: each entity's
// id, name and kind, and each claim's properties with its denials. neighbourhood.cypher answers the same in
// Cypher alone, for a server without the procedure.
// (published is passed as null when no claim carries a load mark, the index on REPORTS.load says in one seek,
// so that the walk reads no claim's properties to look for one)
// :param center => "isk"
// :param depth => 2
// :param direction => "both"
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => ["ACCUSED", "ALLIED_WITH", "ATTACKED", "BORDERS", "SUPPORTS", "TARGETS"]
// :param statuses => null
// :param min_confidence => 0.0
// :param since => null
// :param until => null
// :param hub_degree => 500
// :param max_nodes => 250
// :param max_links => 1000
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published,
     EXISTS { MATCH (:Source)-[r:REPORTS]->() WHERE r.load IS NOT NULL } AS marked
MATCH (center:Entity {id: $center})
WHERE center.load IS NULL OR center.load IN published
CALL kg.neighbourhood(center, $depth, $direction, $symmetric, $types, $statuses, $min_confidence, $since, $until,
                      CASE WHEN marked THEN published END, $hub_degree, $max_nodes, $max_links)
  YIELD nodes, links, truncated
RETURN [n IN nodes | {entity: {id: n.node.id, name: n.node.name, kind: n.node.kind}, depth: n.depth}] AS nodes,
       [c IN links | {subject: startNode(c).id, type: type(c), object: endNode(c).id, claim: properties(c),
                      denied_by: COLLECT { MATCH (:Source)-[d:REPORTS {denies: c.id}]->()
                                           WHERE d.load IS NULL OR d.load IN published RETURN d.claim }}] AS links,
       truncated
