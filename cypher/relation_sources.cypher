// The distinct sources of the published claims on each of these relations (subject, type, object): what a claim's
// corroboration counts. Both ends are found by their indexed id, then the claims between them, of the type asked.
// :param triples => [{subject: "isk", type: "SEEKS_TO_PROVOKE", object: "pakistan"}]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $triples AS t
MATCH (s:Entity {id: t.subject})-[c]->(o:Entity {id: t.object})
WHERE c.id IS NOT NULL AND type(c) = t.type AND (c.load IS NULL OR c.load IN published)
RETURN DISTINCT t.subject AS subject, t.type AS type, t.object AS object, c.source AS source
