// Which of the project's procedures the server holds, and which build of their sources each is
// (graph/stores/neo4j/procedures: `kg neo4j start` installs them); the store asks once.
SHOW PROCEDURES YIELD name, description
WHERE name STARTS WITH 'kg.'
RETURN name, description
