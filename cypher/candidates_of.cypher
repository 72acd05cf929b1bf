// The names kept for a report when it was ingested (none: no row).
// :param source => "r-0123"
MATCH (k:ReportCandidates {source: $source})
RETURN k.names AS names
