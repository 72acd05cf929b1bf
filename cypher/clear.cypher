// Delete everything in the database, in batches (used by `kg neo4j reset` and the tests), after
// clear_relationships.cypher has deleted the relationships (DETACH DELETE still takes any left).
// It commits batch by batch, so it runs outside an explicit transaction: in Browser,
// put `:auto` in front of it.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
