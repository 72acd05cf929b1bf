// The names the extractor could not place in each report, kept when it is ingested (as JSON: a
// property cannot hold maps), one node per report, replaced when the report is ingested again.
// It is not part of the graph: no revision moves, and no read of entities, sources or claims sees it.
// :param reports => [{source: "r-0123", names: "[{\"name\": \"Zarnigor Brigade\", \"reason\": \"not in the registry\", \"sentences\": [], \"spans\": []}]"}]
UNWIND $reports AS report
MERGE (k:ReportCandidates {source: report.source})
SET k.names = report.names
