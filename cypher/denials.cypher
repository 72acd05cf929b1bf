// Every denial and the claim it denies (REPORTS.denies is indexed, and denials are few).
MATCH (:Source)-[d:REPORTS]->()
WHERE d.denies IS NOT NULL
RETURN d.denies AS id, d.claim AS denied_by
ORDER BY id, denied_by
