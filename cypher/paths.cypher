// Every shortest path between two entities, in one breadth-first search inside the server
// (SHORTEST 1 GROUPS), over claims passing the type filter and stepping as the direction allows;
// as entity ids and claim ids per hop (the store ranks them by graph/traversal.py and reads the
// claims it returns afterwards). The quantifier's upper bound is the most hops the store accepts
// (6): Cypher takes no parameter there; `length(p) <= $max_hops` bounds the search. $max_rows caps
// what a pair joined by many parallel claims can return.
// :param source => "isk"
// :param target => "china"
// :param max_hops => 4
// :param directed => false
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
// :param max_rows => 10000
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (s:Entity {id: $source}), (t:Entity {id: $target})
MATCH p = SHORTEST 1 GROUPS (s)((a)-[c]-(b)
  WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
    AND ($directed = false OR startNode(c) = a OR type(c) IN $symmetric)
    AND ($types IS NULL OR type(c) IN $types)
){1,6}(t)
WHERE length(p) <= $max_hops
RETURN DISTINCT [n IN nodes(p) | n.id] AS nodes
LIMIT $max_rows
