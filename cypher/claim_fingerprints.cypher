// The fingerprints (hashes of their content) of the claims with these ids, from their REPORTS
// entries alone: re-sending unchanged claims reads nothing else. A claim of a load not yet
// published counts as absent (see entity_fingerprints).
// :param ids => ["isk-attacked-tajikistan-2022-05-07"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (:Source)-[r:REPORTS {claim: id}]->()
WHERE r.load IS NULL OR r.load IN published
RETURN id, r.fp AS fp
