// The fingerprints (hashes of their content) of the claims with these ids, from their REPORTS
// entries alone: re-sending unchanged claims reads nothing else.
// :param ids => ["isk-attacked-tajikistan-2022-05-07"]
UNWIND $ids AS id
MATCH (:Source)-[r:REPORTS {claim: id}]->()
RETURN id, r.fp AS fp
