// Which claims deny each of these claims (through the indexed REPORTS.denies).
// :param ids => ["isk-attacked-uzbekistan-2022-04-18"]
UNWIND $ids AS id
MATCH (:Source)-[d:REPORTS {denies: id}]->()
RETURN id, d.claim AS denied_by
ORDER BY id, denied_by
