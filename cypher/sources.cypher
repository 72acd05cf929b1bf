// Every source (report), ordered by id.
MATCH (n:Source)
RETURN properties(n) AS source
ORDER BY n.id
