"""The extraction commands of ``kg``: extract, ingest, review, eval and throughput."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.cli.incidents import INCIDENT_HEADERS, incident_row
from app.components import scratch_store
from graph.domain.errors import ExtractionInputError, InvalidParameter, KgError
from graph.domain.inputs import check_text, check_url, report_text_problem
from graph.domain.model import RELIABILITY_GRADES, IncidentOut, SourceRef
from graph.language.extract.pipeline import Extraction, outlet_name
from graph.language.extract.text import ReportInput, read_report, with_given_metadata
from graph.services.actor_review import Decided, candidate_entities, decide
from graph.services.claim_scoring import (
    REGISTRIES,
    SCOPES,
    ActorScore,
    Score,
    benchmark,
    evaluate_bundle,
    synthetic_articles,
)
from graph.services.incident_scoring import Ratio, evaluate_incidents, read_set
from graph.services.incidents import incident_out
from graph.services.ingest import IngestResult, candidate_dict, ingest, ingest_many
from graph.services.loader import read_bundle
from graph.services.records import claim_record, incident_record
from graph.services.review import Staging


def _report(env: Env, location: str, title: str | None, outlet: str | None, url: str | None,
            date: str | None, reliability: str | None = None) -> ReportInput:
    """The report at ``location`` with the flags' metadata, each checked before any extraction work is spent."""
    for option, value in (("--title", title), ("--outlet", outlet)):
        if value is not None:
            check_text(option, value)
    if url is not None:
        check_url("--url", url)
    report = read_report(location, max_chars=env.settings.max_report_chars)
    problem = report_text_problem(report.text)
    if problem:
        raise ExtractionInputError(f"{location}: the report's text {problem}")
    return with_given_metadata(report, title=title, outlet=outlet, url=url, published=date, reliability=reliability)


def metadata_options(command: Any) -> Any:
    for option in reversed([
        click.option("--title", help="The report's title."),
        click.option("--outlet", help="The outlet: a registry name or alias (e.g. RFE/RL), or any name: an outlet "
                                      "the registry lacks is added with the report."),
        click.option("--url", help="Where the report was published; its host names the outlet if nothing else does."),
        click.option("--date", help="Publication date (YYYY[-MM[-DD]]), which relative dates are read against."),
    ]):
        command = option(command)
    return command


def _discarded_line(extraction: Extraction) -> str:
    counts = {**extraction.discarded, **{f"{k} paragraphs": v for k, v in extraction.skipped.items() if v}}
    if not counts:
        return "nothing read was discarded"
    return "read and discarded: " + ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))


def _incidents_out(env: Env, extraction: Extraction) -> list[IncidentOut]:
    """The report's incidents as ``kg incidents --json`` gives them: names beside ids, the report cited as it came
    (it is not in the store yet)."""
    report = extraction.report
    ref = SourceRef(id=extraction.source_id, title=report.title or report.text.strip().splitlines()[0][:120],
                    outlet=outlet_name(report), url=report.url, published=report.published,
                    reliability=report.reliability)
    names = {e.id: e.name for e in env.extractor.entities.values()}
    return [incident_out(env.ontology, i, names, {extraction.source_id: ref}) for i in extraction.incidents]


def _extraction_dict(env: Env, extraction: Extraction) -> dict[str, Any]:
    return {"source": extraction.source_id, "outlet": extraction.outlet, "outlet_known": extraction.outlet_known,
            "sentences": extraction.sentences,
            "claims": [c.model_dump() | {"disputed": False, "disputed_by": []} for c in extraction.claims],
            "incidents": [i.model_dump(mode="json") for i in _incidents_out(env, extraction)],
            "entities": [e.as_dict() for e in extraction.entities],
            "candidates": [candidate_dict(c) for c in extraction.candidates],
            "discarded": extraction.discarded, "skipped": extraction.skipped}


def _entity_entries(extraction: Extraction) -> list[dict[str, Any]]:
    """The candidate entities as the readable output lists them: their fields, then their claims as triples."""
    entries = []
    for entity in extraction.entities:
        data = {k: v for k, v in entity.as_dict().items() if v not in (None, [])}
        data["mentions"] = [f"sentence {m.sentence}, {m.span[0]}-{m.span[1]}: {m.text}" for m in entity.mentions]
        data["claims"] = [f"{c.subject} {c.type} {c.object} ({c.status}; {c.id})" for c in extraction.claims
                          if entity.id in (c.subject, c.object, c.asserted_by)]
        entries.append(data)
    return entries


def _yaml_output(env: Env, extraction: Extraction) -> str:
    body = {"source": extraction.source_id,
            "claims": [claim_record(c) for c in extraction.claims],
            "incidents": [incident_record(i) for i in extraction.incidents],
            "entities": _entity_entries(extraction),
            "candidates": [candidate_dict(c) for c in extraction.candidates]}
    outlet = extraction.outlet if extraction.outlet_known else f"{extraction.outlet} (not in the registry yet)"
    header = (f"# extracted by {env.extractor.name} ({env.extractor.model}) from {extraction.report.origin}: "
              f"{len(extraction.claims)} claims, {len(extraction.incidents)} incidents, "
              f"{len(extraction.entities)} candidate entities (actors the registry lacks, staged for review at "
              f"ingest with their claims), {len(extraction.candidates)} candidate names, "
              f"{extraction.sentences} sentences read; outlet {outlet}\n# {_discarded_line(extraction)}\n")
    if extraction.incidents:
        table = render.table(INCIDENT_HEADERS, [incident_row(i) for i in _incidents_out(env, extraction)])
        header += "".join(f"# {line}\n" for line in table.splitlines())
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)


@cli.command("extract", help="Extract claims from a report (text or HTML, file or URL) and print them.")
@click.argument("location")
@metadata_options
@json_option
@pass_env
@handles_errors
def extract_command(env: Env, location: str, title: str | None, outlet: str | None, url: str | None,
                    date: str | None, as_json: bool) -> None:
    extraction = env.extractor.run(_report(env, location, title, outlet, url, date))
    if as_json:
        emit(_extraction_dict(env, extraction))
        return
    click.echo(_yaml_output(env, extraction), nl=False)


@cli.command("ingest", help="Extract reports' claims and load them (or stage them with --review or "
                            "--min-confidence).")
@click.argument("locations", nargs=-1, required=True)
@metadata_options
@click.option("--reliability", type=click.Choice(RELIABILITY_GRADES),
              help="The source's reliability grade, A (reliable) to F (cannot be judged), over what the report's "
                   "front matter says; changed later with PATCH /v1/sources/{id}.")
@click.option("--review", is_flag=True, help="Stage every claim for `kg review` instead of loading it.")
@click.option("--min-confidence", type=click.FloatRange(0, 1),
              help="Load the claims at or above this confidence and stage the rest for `kg review`.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Parse the reports on this many cores (worth it for many reports).")
@json_option
@pass_env
@handles_errors
def ingest_command(env: Env, locations: tuple[str, ...], title: str | None, outlet: str | None, url: str | None,
                   date: str | None, reliability: str | None, review: bool, min_confidence: float | None,
                   processes: int, as_json: bool) -> None:
    if not env.store.count_entities():
        raise KgError(f"the graph in {env.where} holds nothing yet: run `kg load` first")
    # every report is read before any is written: a bad file stops the run with nothing loaded
    reports = [_report(env, location, title, outlet, url, date, reliability) for location in locations]
    if len(reports) > 1 and not review and min_confidence is None:
        _ingest_together(env, reports, processes, as_json)
        return
    extractions = env.extractor.run_many(reports, n_process=processes)
    verdicts = env.review_log.verdicts()
    results: list[IngestResult] = [
        ingest(report, env.store, env.ontology, extractor=env.extractor, review=review,
               staging=env.settings.staging_path, min_confidence=min_confidence, extraction=extraction,
               decisions=env.decisions, verdicts=verdicts)
        for report, extraction in zip(reports, extractions, strict=True)]
    if as_json:
        emit(results[0].as_dict() if len(results) == 1 else [r.as_dict() for r in results])
        return
    for result in results:
        _print_ingest(env, result, staged_only=review)


def _ingest_together(env: Env, reports: list[ReportInput], processes: int, as_json: bool) -> None:
    """Many reports loaded whole as one write: a claim any of them brings that the loader refuses loads none."""
    many = ingest_many(reports, env.store, env.ontology, extractor=env.extractor, processes=processes,
                       decisions=env.decisions, staging=env.settings.staging_path,
                       verdicts=env.review_log.verdicts())
    if as_json:
        emit({"reports": [r.as_dict() for r in many.reports], "written": many.written.model_dump()})
        return
    for result in many.reports:
        extraction = result.extraction
        click.echo(f"Report {result.source_id}: {len(extraction.claims)} claims extracted")
        if not extraction.outlet_known:
            click.echo(f"outlet: {extraction.outlet} was not in the registry; added as an organization")
        click.echo(_discarded_line(extraction))
        for line in result.placed or []:
            click.echo(f"incident: {line}")
        _print_entities(result)
        for candidate in extraction.candidates:
            click.echo(f"candidate: {candidate.name} ({candidate.reason}): {candidate.sentences[0][:100]}")
    written = many.written
    click.echo(f"{len(many.reports)} reports in one write: created {written.created['claims']} claims, "
               f"{written.created['sources']} sources, {written.created['entities']} entities, "
               f"{written.created['incidents']} incidents ({written.updated['incidents']} told by more reports now; "
               f"{written.unchanged['claims']} claims already there)")


def _print_ingest(env: Env, result: IngestResult, *, staged_only: bool) -> None:
    extraction = result.extraction
    claims = extraction.claims
    written = result.written
    assert written is not None
    loaded = f"created {written.created['claims']} claims" if not staged_only else "loaded none"
    click.echo(f"Report {result.source_id}: {len(claims)} claims extracted; {loaded}, "
               f"{written.created['sources']} sources, {written.created['entities']} entities "
               f"({written.unchanged['claims']} claims already there); {result.staged} newly staged for review "
               f"in {env.settings.staging_path}")
    if not extraction.outlet_known:
        click.echo(f"outlet: {extraction.outlet} was not in the registry; added as an organization")
    click.echo(_discarded_line(extraction))
    for line in result.placed or []:
        click.echo(f"incident: {line}")
    _print_entities(result)
    for candidate in extraction.candidates:
        click.echo(f"candidate: {candidate.name} ({candidate.reason}): {candidate.sentences[0][:100]}")


def _print_entities(result: IngestResult) -> None:
    """The actors the registry lacks that a report's claims name, and where their claims went."""
    extraction = result.extraction
    reviewed = result.reviewed
    for line in reviewed.said if reviewed else []:
        click.echo(f"reviewed actor: {line}")
    if reviewed and reviewed.discarded:
        click.echo(f"{reviewed.discarded} claims discarded: they name a rejected actor "
                   f"({', '.join(sorted(reviewed.rejected.values()))})")
    decided = set(reviewed.resolved) | set(reviewed.rejected) if reviewed else set()
    for entity in extraction.entities:
        if entity.id in decided:
            continue
        parent = f", {entity.parent_relation} {entity.parent}" if entity.parent else ""
        merge = f", proposed as a merge into {entity.merge_into}" if entity.merge_into else ""
        click.echo(f"new actor: {entity.name} ({entity.id}, {entity.kind}{parent}{merge})")
    pending = {e.id for e in extraction.entities} - decided
    rejected = set(reviewed.rejected) if reviewed else set()
    ends = [(c, {c.subject, c.object, c.asserted_by}) for c in extraction.candidate_claims()]
    waiting = [c for c, named in ends if pending & named and not rejected & named]
    if waiting and result.held:
        click.echo(f"{result.held} claims naming new actors held back: no review queue to stage them in")
    elif waiting:
        click.echo(f"{len(waiting)} claims naming new actors staged for review with {result.staged_entities} "
                   f"candidate entities")


@cli.command("review", help="List staged claims and candidate entities (actors the registry lacks); accept or "
                            "reject claims by id (or all), and accept, merge or reject a candidate entity.")
@click.option("--accept", "accept_ids", multiple=True, help="Claim ids to load (repeat or comma-separate), or all.")
@click.option("--reject", "reject_ids", multiple=True, help="Claim ids to drop (repeat or comma-separate), or all.")
@click.option("--accept-entity", "accept_entity", metavar="ID",
              help="Load this candidate entity as a new entity, then the staged claims it decides.")
@click.option("--kind", help="With --accept-entity: the entity's kind, if not the one read.")
@click.option("--name", help="With --accept-entity: the entity's name, if not the one read (the read one stays an "
                             "alias).")
@click.option("--merge-entity", "merge_entity", metavar="ID",
              help="This candidate entity is one the graph holds already (--into, else the merge proposed): its "
                   "claims take that entity's id and its names become aliases.")
@click.option("--into", metavar="ENTITY", help="With --merge-entity: the id of the entity to merge into.")
@click.option("--reject-entity", "reject_entities", multiple=True, metavar="ID",
              help="Candidate entity ids to reject (repeat or comma-separate): the claims naming them are dropped.")
@json_option
@pass_env
@handles_errors
def review_command(env: Env, accept_ids: tuple[str, ...], reject_ids: tuple[str, ...], accept_entity: str | None,
                   kind: str | None, name: str | None, merge_entity: str | None, into: str | None,
                   reject_entities: tuple[str, ...], as_json: bool) -> None:
    staging = Staging(env.settings.staging_path)
    if (kind is not None or name is not None) and accept_entity is None:
        raise InvalidParameter("--kind" if kind is not None else "--name", kind or name,
                               "edits the candidate given with --accept-entity")
    if into is not None and merge_entity is None:
        raise InvalidParameter("--into", into, "names the entity --merge-entity merges into")
    out: dict[str, Any] = {}
    decided: list[Decided] = []
    if accept_entity:
        decided.append(decide(staging, env.review_log, env.store, env.ontology, accept_entity, "accept", kind=kind,
                              name=name))
    if merge_entity:
        decided.append(decide(staging, env.review_log, env.store, env.ontology, merge_entity, "merge", into=into))
    for candidate in _ids(reject_entities):
        decided.append(decide(staging, env.review_log, env.store, env.ontology, candidate, "reject"))
    accept, reject = _ids(accept_ids), _ids(reject_ids)
    if accept:
        accepted, result = staging.accept(accept, env.store, env.ontology)
        out["accepted"], out["written"] = accepted, result.model_dump()
    if reject:
        out["rejected"] = staging.reject(reject)
    staged = staging.claims()
    entities = candidate_entities(staging)
    if as_json:
        emit({**out, "decided": [d.as_dict() for d in decided], "staged": staged, "entities": entities})
        return
    for done in decided:
        click.echo(_decided_line(done))
        for note in done.notes:
            click.echo(f"  {note}")
    if "accepted" in out:
        click.echo(f"accepted {len(out['accepted'])} claims")
    if "rejected" in out:
        click.echo(f"rejected {len(out['rejected'])} claims")
    click.echo(f"{len(staged)} staged claim{'s' if len(staged) != 1 else ''}")
    waiting = [c for c in staged if c.get("waits_on")]
    if waiting:
        names = sorted({e for c in waiting for e in c["waits_on"]})
        click.echo(f"{len(waiting)} of them name actors the registry lacks and wait on their review "
                   f"({', '.join(names)}); --accept all passes over them")
    if staged:
        click.echo(render.table(("CLAIM", "SUBJECT", "TYPE", "OBJECT", "STATUS", "CONF", "QUOTE"),
                                [[c["id"], c["subject"], c["type"], c["object"], c["status"], c["confidence"],
                                  c["quote"][:60]] for c in staged]))
    if entities:
        click.echo(f"{len(entities)} candidate entit{'ies' if len(entities) != 1 else 'y'} awaiting review "
                   "(--accept-entity, --merge-entity, --reject-entity):")
    for entity in entities:
        _print_candidate(entity)


def _ids(values: tuple[str, ...]) -> list[str]:
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


def _decided_line(done: Decided) -> str:
    if done.action == "reject":
        return f"rejected {done.candidate}: {len(done.dropped)} claims naming it dropped"
    verb = "accepted as" if done.action == "accept" else "merged into"
    still = f"; {len(done.still_staged)} still wait on other candidates" if done.still_staged else ""
    return f"{done.candidate} {verb} {done.entity}: {len(done.loaded)} claims loaded{still}"


def _print_candidate(entity: dict[str, Any]) -> None:
    """One candidate entity: what it is read as, what is proposed, where it is named and the claims waiting on it."""
    aliases = f", also {', '.join(entity['aliases'])}" if entity["aliases"] else ""
    click.echo(f"\n{entity['id']}: {entity['name']} ({entity['kind']}{aliases})")
    if entity["merge_into"]:
        click.echo(f"  proposed merge into: {entity['merge_into']}")
    if entity["parent"]:
        click.echo(f"  parent: {entity['parent_relation']} {entity['parent']}")
    for mention in entity["mentions"]:
        click.echo(f"  named in {mention['source']}: {mention['sentence']}")
    for claim in entity["claims"]:
        click.echo(f"  waiting: {claim['id']} {claim['subject']} {claim['type']} {claim['object']}")


def _score_table(score: Score) -> str:
    rows = [[t, c.tp, c.fp, c.fn, f"{c.precision:.2f}", f"{c.recall:.2f}", f"{c.f1:.2f}"]
            for t, c in sorted(score.by_type.items())]
    o = score.overall
    rows.append(["ALL", o.tp, o.fp, o.fn, f"{o.precision:.2f}", f"{o.recall:.2f}", f"{o.f1:.2f}"])
    return render.table(("TYPE", "TP", "FP", "FN", "P", "R", "F1"), rows)


def _band_table(score: Score) -> str:
    rows = [[band, c.tp, c.fp, f"{c.precision:.2f}" if c.tp + c.fp else "-"] for band, c in score.by_band.items()]
    return render.table(("CONFIDENCE", "TP", "FP", "P"), rows)


def _actors_lines(actors: ActorScore, show_errors: bool) -> list[str]:
    merges = f"{actors.merges_right} of {actors.merges} right" if actors.merges else "none proposed"
    misattributed = actors.misattributed
    lines = [f"actors: {actors.found} of {actors.named} groups and states the gold names found "
             f"({actors.found_share:.2f}; {actors.found - actors.found_new} known, {actors.found_new} new); "
             f"{actors.candidates} candidate entities ({actors.matched} matching a set entity by name); "
             f"merges {merges}; {len(misattributed)} claims given to another actor "
             f"({sum(m['as'] == 'parent' for m in misattributed)} to a parent)"]
    if show_errors:
        lines += [f"actor not found: {report} {actor}" for report, actor in actors.missed]
        lines += [f"wrong merge: {report} {name} -> {into}" for report, name, into in actors.wrong_merges]
        lines += [f"given to another actor ({m['as']}): {m['report']} {m['claim']} (gold {m['gold']})"
                  for m in misattributed]
    return lines


@cli.command("eval", help="Score the extractor on a bundle's reports against its curated claims.")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--scope", default="groups-states", show_default=True, type=click.Choice(list(SCOPES)),
              help="Claims between armed groups and states only, or all claims.")
@click.option("--registry", "registry_mode", default="bundle", show_default=True, type=click.Choice(REGISTRIES),
              help="What the extractor knows: the seed registry and the set's own entities (bundle), or the seed "
                   "registry only (seeds: the set's entities are actors to discover, matched by name).")
@click.option("--errors", "show_errors", is_flag=True, help="Also list the missed and spurious triples.")
@click.option("--rules-only", is_flag=True, help="The hand rules alone, without the trained relation model "
                                                 "(its baseline).")
@json_option
@pass_env
@handles_errors
def eval_command(env: Env, gold: Path, scope: str, registry_mode: str, show_errors: bool, rules_only: bool,
                 as_json: bool) -> None:
    registry = read_bundle(env.settings.seeds_dir, env.ontology).entities
    score, reports = evaluate_bundle(gold, env.ontology, registry, scope=scope, model=env.settings.spacy_model,
                                     registry_mode=registry_mode, trained=not rules_only)
    if as_json:
        emit({"gold": str(gold), "reports": reports, "scope": scope, "registry": registry_mode, **score.as_dict()})
        return
    click.echo(f"{gold}: {reports} report(s), scope {scope}, registry {registry_mode}, matching (subject, type, "
               f"object) once per report")
    click.echo(_score_table(score))
    click.echo(f"status right on {score.status_right} of {score.status_total} matched "
               f"({score.status_accuracy:.2f})")
    click.echo("precision by confidence (a triple's highest):")
    click.echo(_band_table(score))
    if score.actors is not None:
        for line in _actors_lines(score.actors, show_errors):
            click.echo(line)
    if show_errors:
        for label, triples in (("missed", score.missed), ("spurious", score.spurious)):
            for triple in triples:
                click.echo(f"{label}: {' '.join(triple)}")


@cli.command("eval-incidents", help="Score the incident reader on a set of reports against its incidents.yaml: "
                                    "incidents found and real, reports merged, perpetrators and casualties right.")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--errors", "show_errors", is_flag=True, help="Also list the incidents missed, those not real, and "
                                                             "each perpetrator and figure the reader got wrong.")
@json_option
@pass_env
@handles_errors
def eval_incidents_command(env: Env, gold: Path, show_errors: bool, as_json: bool) -> None:
    registry = read_bundle(env.settings.seeds_dir, env.ontology).entities
    run = read_set(gold, env.ontology, registry)
    from graph.language.extract.pipeline import Extractor  # noqa: PLC0415 - over the seeds' and the set's names only

    extractor = Extractor(env.ontology, [*registry, *run.entities], model=env.settings.spacy_model)
    store = scratch_store(env.ontology)
    try:
        score, reports = evaluate_incidents(gold, store, env.ontology, extractor, registry)
    finally:
        store.close()
    if as_json:
        emit({"gold": str(gold), "reports": reports, **score.as_dict()})
        return
    click.echo(f"{gold}: {reports} report(s) read into one scratch store as ingest reads them, "
               f"{score.recall.total} gold incidents, {score.precision.total} read")

    def shown(ratio: Ratio) -> str:
        return f"{ratio.value:.2f}" if ratio.value is not None else "-"

    f1 = score.merge_f1
    click.echo(render.table(("FIGURE", "RIGHT", "OF", "VALUE"), [
        ["incidents found (recall)", score.recall.right, score.recall.total, shown(score.recall)],
        ["incidents real (precision)", score.precision.right, score.precision.total, shown(score.precision)],
        ["merge precision (pairs)", score.merge_precision.right, score.merge_precision.total,
         shown(score.merge_precision)],
        ["merge recall (pairs)", score.merge_recall.right, score.merge_recall.total, shown(score.merge_recall)],
        ["merge F1", "", "", f"{f1:.2f}" if f1 is not None else "-"],
        ["perpetrator right", score.perpetrators.right, score.perpetrators.total, shown(score.perpetrators)],
        ["casualties right", score.casualties.right, score.casualties.total, shown(score.casualties)],
        ["type right", score.types.right, score.types.total, shown(score.types)],
        ["date right", score.dates.right, score.dates.total, shown(score.dates)],
        ["place right", score.places.right, score.places.total, shown(score.places)],
        ["must-not-merge kept apart", score.must_not_merge.right, score.must_not_merge.total,
         shown(score.must_not_merge)],
    ]))
    if show_errors:
        for gold_id in score.missed:
            click.echo(f"missed: {gold_id}")
        for output_id in score.spurious:
            click.echo(f"not real: {output_id}")
        for line in score.errors:
            click.echo(f"wrong: {line}")


@cli.command("throughput", help="Extractor throughput on ~600-word articles, beside the language pipeline alone.")
@click.option("--articles", default=600, show_default=True, type=click.IntRange(10, 100000),
              help="How many articles to time.")
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(1, 20),
              help="Runs per side; the fastest is kept.")
@json_option
@pass_env
@handles_errors
def throughput_command(env: Env, articles: int, repeat: int, as_json: bool) -> None:
    seeds = env.settings.seeds_dir
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.rglob("reports/*.txt"))]
    registry = read_bundle(seeds, env.ontology).entities
    from graph.language.extract.pipeline import Extractor  # noqa: PLC0415 - over the seed registry only, not the store's

    extractor = Extractor(env.ontology, registry, model=env.settings.spacy_model)
    # the rules alone, beside: what the trained relation model costs, in the same run
    rules = Extractor(env.ontology, registry, model=env.settings.spacy_model, relations=None) \
        if extractor.reader is not None else None
    result = benchmark(extractor, synthetic_articles(texts, articles), repeat=repeat, rules=rules).as_dict()
    if as_json:
        emit(result)
        return
    click.echo(f"{result['articles']} articles of ~{result['words_per_article']} words, "
               f"{result['sentences']} sentences, one core, fastest of {repeat} runs, pipeline {result['model']}")
    click.echo(render.table(("", "ARTICLES/S", "SENTENCES/S"), [
        [f"extractor ({extractor.name})", result["extractor_articles_per_s"], result["extractor_sentences_per_s"]],
        *([[f"rules alone ({rules.name})", result["rules_articles_per_s"], result["rules_sentences_per_s"]]]
          if rules is not None else []),
        ["floor: the spaCy pipeline alone", result["baseline_articles_per_s"], result["baseline_sentences_per_s"]],
    ]))
    click.echo(f"the extractor's own work adds {result['overhead_percent']}% to the parse")
    if rules is not None:
        click.echo(f"the trained relation model adds {result['model_cost_percent']}% to the rules alone")
