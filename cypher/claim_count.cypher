// How many claims: the count of REPORTS entries, which the server keeps (no relationship is read).
// Records of a load not yet published are counted too; this is for probes, not for answers.
MATCH ()-[r:REPORTS]->()
RETURN count(r) AS count
