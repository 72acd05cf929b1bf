// The steps a longer path may use, for a k that the shortest paths do not fill: every pair of
// entities joined by a claim (passing the type filter) at an entity within $source_radius - 1
// steps of the source or $target_radius - 1 steps of the target. Every path of at most
// $source_radius + $target_radius hops has all its steps there (each step starts in the first
// ball or ends in the second), so the store ranks paths over these pairs by graph/traversal.py.
// As (subject, object, symmetric) triples, each once; the quantifier's bound is Cypher's to fix (3).
// :param source => "isk"
// :param target => "china"
// :param source_radius => 2
// :param target_radius => 2
// :param directed => false
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
CALL (s, published) {
  OPTIONAL MATCH p = SHORTEST 1 (s)((a)-[c]-(b)
    WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
      AND ($directed = false OR startNode(c) = a OR type(c) IN $symmetric)
      AND ($types IS NULL OR type(c) IN $types)
  ){1,3}(n:Entity)
  WHERE length(p) < $source_radius
  WITH s, collect(DISTINCT n) AS found
  RETURN found + [s] AS near_source
}
CALL (t, published) {
  OPTIONAL MATCH p = SHORTEST 1 (t)((a)-[c]-(b)
    WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
      AND ($directed = false OR endNode(c) = a OR type(c) IN $symmetric)
      AND ($types IS NULL OR type(c) IN $types)
  ){1,3}(n:Entity)
  WHERE length(p) < $target_radius
  WITH t, collect(DISTINCT n) AS found
  RETURN found + [t] AS near_target
}
UNWIND near_source + near_target AS a
MATCH (a)-[c]-(:Entity)
WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
  AND ($types IS NULL OR type(c) IN $types)
RETURN DISTINCT startNode(c).id AS subject, endNode(c).id AS object, type(c) IN $symmetric AS symmetric
