// Who recruits from whom, and who says so.
MATCH (recruiter:Entity)-[claim:RECRUITS_FROM]->(pool:Entity)
RETURN recruiter.name AS recruiter, pool.name AS recruits_from, claim.status AS status,
       claim.asserted_by AS asserted_by, claim.quote AS quote
ORDER BY recruiter, recruits_from
