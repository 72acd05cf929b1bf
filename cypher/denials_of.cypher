// The published denials of each of these claims (REPORTS.denies is indexed).
// :param ids => ["isk-attacked-tajikistan-2022-05-07"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (:Source)-[d:REPORTS {denies: id}]->()
WHERE d.load IS NULL OR d.load IN published
RETURN id, collect(d.claim) AS denied_by
