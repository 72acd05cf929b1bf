// A neighbourhood in one round trip, by the rules of graph/stores/traversal.py: a breadth-first search
// from the centre, level by level up to $depth, over claims passing the filters, stepping only as
// $direction allows (symmetric types either way) and never through a hub (an entity other than the
// centre with more than $hub_degree claims); the first $max_nodes entities by (depth, id) (a level
// is not walked once the levels before it fill that); then the claims among them that the walk can
// see (one end the centre or not a hub), the first $max_links by id, with their properties and
// denials, fetched once at the end. Of the entities, only what a subgraph shows (id, name, kind).
//
// What a hub costs is bounded by what the answer shows, not by the hub's claims:
// - an entity's claim count is its degree from the store's relationship counts (every relationship
//   but the REPORTS entries and the incident links that end at it): `getDegree` in the plan, no claim read;
// - a level keeps only its first entities by id, as many as could still be kept ($max_nodes, one more
//   than the answer holds, says whether it was cut);
// - the first level of a centre whose claims outnumber the entities ($scan_nodes asked, in id order,
//   would find $max_nodes of its neighbours) walks the entity id index in order and asks each entity
//   whether a matching claim joins it to the centre, checked from the entity's side, until $max_nodes
//   are found; if $scan_nodes entities do not give them (filters that few claims pass), the centre's
//   claims are read after all, so the answer is the same either way;
// - the links of a centre whose first level came from the scan are read from its kept neighbours' side (each
//   at most $hub_degree claims), and between the centre and a kept hub by the pair; any other centre's, from its
//   own claims (read for its first level already);
// - a claim's properties are read only where the answer depends on them: its load mark only while some claim
//   carries one (`marked`: the index on REPORTS.load answers in one seek), its confidence only under a minimum
//   above 0 (every claim has one). Reading a property a relationship lacks walks all of its properties.
// :param center => "isk"
// :param depth => 2
// :param direction => "both"
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
// :param statuses => null
// :param min_confidence => 0.0
// :param since => null
// :param until => null
// :param hub_degree => 500
// :param max_nodes => 250
// :param max_links => 1000
// :param scan_nodes => 5000
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published,
     EXISTS { MATCH (:Source)-[r:REPORTS]->() WHERE r.load IS NOT NULL } AS marked
MATCH (center:Entity {id: $center})
WHERE center.load IS NULL OR center.load IN published
WITH center, published, marked,
     COUNT { (center)--() } - COUNT { (center)<-[:REPORTS|PERPETRATOR|TARGET|PLACE|COUNTRY]-() } AS center_degree
WITH center, published, marked, center_degree,
     center_degree > $hub_degree AND center_degree * $scan_nodes >= 2 * $max_nodes * COUNT { (:Entity) } AS dense
CALL (center, published, marked, dense) {
  // (a range seek from '' walks the id index in order; from null, for a centre that is no hub, it finds nothing)
  MATCH (n:Entity)
  WHERE n.id >= CASE WHEN dense THEN '' END
  WITH center, published, marked, n ORDER BY n.id LIMIT $scan_nodes
  WITH center, published, marked, n
  WHERE n <> center AND EXISTS {
    MATCH (center)-[c]-(n)
    WHERE c.id IS NOT NULL AND (NOT marked OR c.load IS NULL OR c.load IN published)
      AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = center) = ($direction = 'out'))
      AND ($types IS NULL OR type(c) IN $types)
      AND ($statuses IS NULL OR c.status IN $statuses)
      AND ($min_confidence <= 0 OR c.confidence >= $min_confidence)
      AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
      AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
      AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until) }
  WITH n LIMIT $max_nodes
  RETURN collect(n) AS scanned
}
CALL (center, published, marked, scanned) {
  WITH center, published, marked
  WHERE size(scanned) < $max_nodes
  MATCH (center)-[c]-(n:Entity)
  WHERE n <> center AND c.id IS NOT NULL AND (NOT marked OR c.load IS NULL OR c.load IN published)
    AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = center) = ($direction = 'out'))
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND ($min_confidence <= 0 OR c.confidence >= $min_confidence)
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT n ORDER BY n.id LIMIT $max_nodes
  RETURN collect(n) AS read
}
WITH center, published, marked, center_degree, size(scanned) = $max_nodes AS by_scan,
     CASE WHEN size(scanned) = $max_nodes THEN scanned ELSE read END AS first
CALL (center, published, marked, first) {
  UNWIND CASE WHEN $depth >= 2 AND size(first) < $max_nodes - 1 THEN first ELSE [] END AS a
  WITH a WHERE COUNT { (a)--() } - COUNT { (a)<-[:REPORTS|PERPETRATOR|TARGET|PLACE|COUNTRY]-() } <= $hub_degree
  MATCH (a)-[c]-(n:Entity)
  WHERE n <> center AND c.id IS NOT NULL AND (NOT marked OR c.load IS NULL OR c.load IN published)
    AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = a) = ($direction = 'out'))
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND ($min_confidence <= 0 OR c.confidence >= $min_confidence)
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT n WHERE NOT n IN first
  WITH n ORDER BY n.id
  WITH collect(n) AS found
  RETURN found[0..$max_nodes - size(first)] AS second
}
CALL (center, published, marked, first, second) {
  UNWIND CASE WHEN $depth >= 3 AND size(first) + size(second) < $max_nodes - 1 THEN second ELSE [] END AS a
  WITH a WHERE COUNT { (a)--() } - COUNT { (a)<-[:REPORTS|PERPETRATOR|TARGET|PLACE|COUNTRY]-() } <= $hub_degree
  MATCH (a)-[c]-(n:Entity)
  WHERE n <> center AND c.id IS NOT NULL AND (NOT marked OR c.load IS NULL OR c.load IN published)
    AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = a) = ($direction = 'out'))
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND ($min_confidence <= 0 OR c.confidence >= $min_confidence)
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT n WHERE NOT n IN first AND NOT n IN second
  WITH n ORDER BY n.id
  WITH collect(n) AS found
  RETURN found[0..$max_nodes - size(first) - size(second)] AS third
}
WITH center, published, marked, center_degree, by_scan,
     [x IN first | {node: x, depth: 1}] + [x IN second | {node: x, depth: 2}] + [x IN third | {node: x, depth: 3}]
       AS reached
WITH center, published, marked, center_degree, by_scan, [{node: center, depth: 0}] + reached[0..$max_nodes - 1] AS kept,
     size(reached) > $max_nodes - 1 AS cut
CALL (kept) {
  UNWIND kept AS k
  WITH k.node AS n, k.depth AS depth
  WITH n, depth, COUNT { (n)--() } - COUNT { (n)<-[:REPORTS|PERPETRATOR|TARGET|PLACE|COUNTRY]-() } AS degree
  RETURN collect(n) AS nodes,
         collect(CASE WHEN depth > 0 AND degree <= $hub_degree THEN n END) AS seeds,
         collect(CASE WHEN depth > 0 AND degree > $hub_degree THEN n END) AS hubs,
         coalesce(max(depth > 0 AND depth < $depth AND degree > $hub_degree), false) AS hub_reached
}
CALL (center, by_scan, nodes, seeds, hubs, published, marked) {
  CALL (center, by_scan, nodes, seeds, hubs) {
    UNWIND CASE WHEN by_scan THEN seeds ELSE [center] + seeds END AS a
    MATCH (a)-[c]-(b:Entity)
    WHERE b IN nodes
    RETURN c
    UNION
    UNWIND CASE WHEN by_scan THEN hubs ELSE [] END AS b
    MATCH (center)-[c]-(b)
    RETURN c
  }
  WITH c
  WHERE c.id IS NOT NULL AND (NOT marked OR c.load IS NULL OR c.load IN published)
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND ($min_confidence <= 0 OR c.confidence >= $min_confidence)
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
