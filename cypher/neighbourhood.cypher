// A neighbourhood in one round trip, by the rules of graph/stores/traversal.py: a breadth-first search
// from the centre, level by level up to $depth, over claims passing the filters, stepping only as
// $direction allows (symmetric types either way) and never through a hub (an entity other than the
// centre with more than $hub_degree claims); the first $max_nodes entities by (depth, id) (a level
// is not walked once the levels before it fill that); then the claims among them that the walk can
// see (one end the centre or not a hub), the first $max_links by id, with their properties and
// denials, fetched once at the end. Of the entities, only what a subgraph shows (id, name, kind).
// :param center => "isk"
// :param depth => 2
// :param direction => "both"
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
// :param statuses => null
// :param min_confidence => 0.0
// :param since => null
// :param until => null
// :param hub_degree => 1000
// :param max_nodes => 1000
// :param max_links => 5000
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (center:Entity {id: $center})
WHERE center.load IS NULL OR center.load IN published
CALL (center, published) {
  MATCH (center)-[c]-(n:Entity)
  WHERE n <> center AND c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
    AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = center) = ($direction = 'out'))
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  RETURN collect(DISTINCT n) AS first
}
CALL (center, published, first) {
  UNWIND CASE WHEN $depth >= 2 AND size(first) < $max_nodes - 1 THEN first ELSE [] END AS a
  WITH a WHERE COUNT { (a)--() } - COUNT { (a)<-[:REPORTS]-() } <= $hub_degree
  MATCH (a)-[c]-(n:Entity)
  WHERE n <> center AND c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
    AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = a) = ($direction = 'out'))
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT n WHERE NOT n IN first
  RETURN collect(n) AS second
}
CALL (center, published, first, second) {
  UNWIND CASE WHEN $depth >= 3 AND size(first) + size(second) < $max_nodes - 1 THEN second ELSE [] END AS a
  WITH a WHERE COUNT { (a)--() } - COUNT { (a)<-[:REPORTS]-() } <= $hub_degree
  MATCH (a)-[c]-(n:Entity)
  WHERE n <> center AND c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
    AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = a) = ($direction = 'out'))
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT n WHERE NOT n IN first AND NOT n IN second
  RETURN collect(n) AS third
}
CALL (first, second, third) {
  UNWIND [x IN first | {node: x, depth: 1}] + [x IN second | {node: x, depth: 2}] + [x IN third | {node: x, depth: 3}]
    AS reached
  WITH reached ORDER BY reached.depth, reached.node.id
  RETURN collect(reached) AS reached
}
WITH center, published, [{node: center, depth: 0}] + reached[0..$max_nodes - 1] AS kept,
     size(reached) > $max_nodes - 1 AS cut
CALL (kept) {
  UNWIND kept AS k
  WITH k.node AS n, k.depth AS depth
  WITH n, depth, COUNT { (n)--() } - COUNT { (n)<-[:REPORTS]-() } AS degree
  RETURN collect(n) AS nodes, collect(CASE WHEN depth = 0 OR degree <= $hub_degree THEN n END) AS seeds,
         coalesce(max(depth > 0 AND depth < $depth AND degree > $hub_degree), false) AS hub_reached
}
CALL (nodes, seeds, published) {
  UNWIND seeds AS a
  MATCH (a)-[c]-(b:Entity)
  WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published) AND b IN nodes
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT c
  ORDER BY c.id
  RETURN collect(c) AS found
}
WITH kept, published, found[0..$max_links] AS shown, cut OR hub_reached OR size(found) > $max_links AS truncated
RETURN [k IN kept | {entity: {id: k.node.id, name: k.node.name, kind: k.node.kind}, depth: k.depth}] AS nodes,
       [c IN shown | {subject: startNode(c).id, type: type(c), object: endNode(c).id, claim: properties(c),
                      denied_by: COLLECT { MATCH (:Source)-[d:REPORTS {denies: c.id}]->()
                                           WHERE d.load IS NULL OR d.load IN published RETURN d.claim }}] AS links,
       truncated
