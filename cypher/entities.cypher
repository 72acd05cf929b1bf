// Every entity, ordered by id.
MATCH (n:Entity)
RETURN properties(n) AS entity
ORDER BY n.id
