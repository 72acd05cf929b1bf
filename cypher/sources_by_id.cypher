// The sources with these ids (those that exist).
// :param ids => ["rferl-2022-05-isk-central-asia"]
UNWIND $ids AS id
MATCH (n:Source {id: id})
RETURN properties(n) AS source
ORDER BY n.id
