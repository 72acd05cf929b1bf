// The graph's adjacency: each (subject, object) some published claim joins, with how many claims
// join them. An aggregate the server computes; centrality is built from it once per revision.
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (s:Entity)-[c]->(o:Entity)
WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
RETURN s.id AS subject, o.id AS object, count(c) AS claims
