// Attacks by month (claims dated to the month or day; year-only dates are grouped under the year).
MATCH (attacker:Entity)-[attack:ATTACKED]->(target:Entity)
WHERE attack.date IS NOT NULL
RETURN left(attack.date, 7) AS month, count(*) AS attacks,
       collect(attacker.name + ' → ' + target.name + ' (' + attack.status + ')') AS incidents
ORDER BY month
