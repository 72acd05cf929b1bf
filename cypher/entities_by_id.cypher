// The entities with these ids (those that exist).
// :param ids => ["isk", "pakistan"]
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN properties(n) AS entity
ORDER BY n.id
