// How many published claims cite each of these sources.
// :param ids => ["rferl-2022-05-isk-central-asia"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (:Source {id: id})-[r:REPORTS]->()
WHERE r.load IS NULL OR r.load IN published
RETURN id, count(r) AS claims
