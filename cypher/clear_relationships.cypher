// Delete every relationship in the database, in batches: the first half of emptying it (clear.cypher
// then deletes the nodes). Relationships go first because a node's DETACH DELETE takes all of its
// relationships into one transaction, and a hub of a million-claim graph has a hundred thousand: ten
// thousand nodes with a few hubs among them exceeded the server's transaction memory.
// It commits batch by batch, so it runs outside an explicit transaction: in Browser, put `:auto` in front of it.
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
