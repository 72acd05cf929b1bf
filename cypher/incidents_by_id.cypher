// The incidents with these ids (those that exist and are published), as the JSON each was written with.
// :param ids => ["kunduz-mosque-2021-10"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (n:Incident {id: id})
WHERE n.load IS NULL OR n.load IN published
RETURN n.body AS body
