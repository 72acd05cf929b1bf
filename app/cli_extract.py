"""The extraction commands of ``kg``: extract, ingest, review, eval and throughput."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from app import render
from app.cli import Env, cli, emit, handles_errors, json_option, pass_env
from graph.errors import KgError
from graph.extract.evaluate import SCOPES, Score, benchmark, evaluate_bundle, synthetic_articles
from graph.extract.ingest import Staging, candidate_dict, claim_record, ingest
from graph.extract.pipeline import Extraction, Extractor
from graph.extract.text import ReportInput, read_report, with_given_metadata
from graph.loader import read_bundle
from graph.model import Entity


def _registry(env: Env) -> list[Entity]:
    """The seed registry, overlaid with whatever the store holds."""
    entities = {e.id: e for e in read_bundle(env.settings.seeds_dir, env.ontology).entities}
    if env.settings.data_file.exists():
        entities.update({e.id: e for e in env.store.entities()})
    return list(entities.values())


def _report(location: str, title: str | None, outlet: str | None, url: str | None, date: str | None) -> ReportInput:
    return with_given_metadata(read_report(location), title=title, outlet=outlet, url=url, published=date)


def metadata_options(command: Any) -> Any:
    for option in reversed([
        click.option("--title", help="The report's title."),
        click.option("--outlet", help="The outlet: a registry name or alias (e.g. RFE/RL)."),
        click.option("--url", help="Where the report was published."),
        click.option("--date", help="Publication date (YYYY[-MM[-DD]]), which relative dates are read against."),
    ]):
        command = option(command)
    return command


def _yaml_output(extraction: Extraction) -> str:
    body = {"source": extraction.source_id,
            "claims": [claim_record(c) for c in extraction.claims],
            "candidates": [candidate_dict(c) for c in extraction.candidates]}
    header = (f"# extracted by {Extractor.name} from {extraction.report.origin}: {len(extraction.claims)} claims, "
              f"{len(extraction.candidates)} candidate names, {extraction.sentences} sentences read\n")
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)


@cli.command("extract", help="Extract claims from a report (text or HTML, file or URL) and print them.")
@click.argument("location")
@metadata_options
@json_option
@pass_env
@handles_errors
def extract_command(env: Env, location: str, title: str | None, outlet: str | None, url: str | None,
                    date: str | None, as_json: bool) -> None:
    report = _report(location, title, outlet, url, date)
    extraction = Extractor(env.ontology, _registry(env)).run(report)
    if as_json:
        emit({"source": extraction.source_id, "claims": [c.model_dump() | {"disputed": False, "disputed_by": []}
                                                         for c in extraction.claims],
              "candidates": [candidate_dict(c) for c in extraction.candidates]})
        return
    click.echo(_yaml_output(extraction), nl=False)


@cli.command("ingest", help="Extract a report's claims and load them with it (or stage them with --review).")
@click.argument("location")
@metadata_options
@click.option("--review", is_flag=True, help="Stage the claims for `kg review` instead of loading them.")
@json_option
@pass_env
@handles_errors
def ingest_command(env: Env, location: str, title: str | None, outlet: str | None, url: str | None,
                   date: str | None, review: bool, as_json: bool) -> None:
    report = _report(location, title, outlet, url, date)
    if not env.store.count_entities():
        raise KgError(f"the graph in {env.settings.data_file} holds nothing yet: run `kg load` first")
    result = ingest(report, env.store, env.ontology, review=review, staging=env.settings.staging_path)
    if as_json:
        emit(result.as_dict())
        return
    claims = result.extraction.claims
    if review:
        click.echo(f"Report {result.source_id}: {len(claims)} claims extracted, {result.staged} newly staged "
                   f"for review in {env.settings.staging_path} (`kg review`)")
    else:
        assert result.written is not None
        click.echo(f"Report {result.source_id}: {len(claims)} claims extracted; created "
                   f"{result.written.created['claims']} claims, {result.written.created['sources']} sources "
                   f"({result.written.unchanged['claims']} claims already there)")
    for candidate in result.extraction.candidates:
        click.echo(f"candidate: {candidate.name} ({candidate.reason}): {candidate.sentences[0][:100]}")


@cli.command("review", help="List staged claims, or accept or reject them by id (or all).")
@click.option("--accept", "accept_ids", multiple=True, help="Claim ids to load (repeat or comma-separate), or all.")
@click.option("--reject", "reject_ids", multiple=True, help="Claim ids to drop (repeat or comma-separate), or all.")
@json_option
@pass_env
@handles_errors
def review_command(env: Env, accept_ids: tuple[str, ...], reject_ids: tuple[str, ...], as_json: bool) -> None:
    staging = Staging(env.settings.staging_path)
    accept = [p.strip() for v in accept_ids for p in v.split(",") if p.strip()]
    reject = [p.strip() for v in reject_ids for p in v.split(",") if p.strip()]
    out: dict[str, Any] = {}
    if accept:
        accepted, result = staging.accept(accept, env.store, env.ontology)
        out["accepted"], out["written"] = accepted, result.model_dump()
    if reject:
        out["rejected"] = staging.reject(reject)
    staged = staging.claims()
    if as_json:
        emit({**out, "staged": staged})
        return
    if "accepted" in out:
        click.echo(f"accepted {len(out['accepted'])} claims")
    if "rejected" in out:
        click.echo(f"rejected {len(out['rejected'])} claims")
    click.echo(f"{len(staged)} staged claim{'s' if len(staged) != 1 else ''}")
    if staged:
        click.echo(render.table(("CLAIM", "SUBJECT", "TYPE", "OBJECT", "STATUS", "CONF", "QUOTE"),
                                [[c["id"], c["subject"], c["type"], c["object"], c["status"], c["confidence"],
                                  c["quote"][:60]] for c in staged]))


def _score_table(score: Score) -> str:
    rows = [[t, c.tp, c.fp, c.fn, f"{c.precision:.2f}", f"{c.recall:.2f}", f"{c.f1:.2f}"]
            for t, c in sorted(score.by_type.items())]
    o = score.overall
    rows.append(["ALL", o.tp, o.fp, o.fn, f"{o.precision:.2f}", f"{o.recall:.2f}", f"{o.f1:.2f}"])
    return render.table(("TYPE", "TP", "FP", "FN", "P", "R", "F1"), rows)


@cli.command("eval", help="Score the extractor on a bundle's reports against its curated claims.")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--scope", default="groups-states", show_default=True, type=click.Choice(list(SCOPES)),
              help="Claims between armed groups and states only, or all claims.")
@click.option("--errors", "show_errors", is_flag=True, help="Also list the missed and spurious triples.")
@json_option
@pass_env
@handles_errors
def eval_command(env: Env, gold: Path, scope: str, show_errors: bool, as_json: bool) -> None:
    registry = read_bundle(env.settings.seeds_dir, env.ontology).entities
    score, reports = evaluate_bundle(gold, env.ontology, registry, scope=scope)
    if as_json:
        emit({"gold": str(gold), "reports": reports, "scope": scope, **score.as_dict()})
        return
    click.echo(f"{gold}: {reports} report(s), scope {scope}, matching (subject, type, object) once per report")
    click.echo(_score_table(score))
    click.echo(f"status right on {score.status_right} of {score.status_total} matched "
               f"({score.status_accuracy:.2f})")
    if show_errors:
        for label, triples in (("missed", score.missed), ("spurious", score.spurious)):
            for triple in triples:
                click.echo(f"{label}: {' '.join(triple)}")


@cli.command("throughput", help="Extractor throughput on ~600-word articles, beside the bare tokenizer.")
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
    result = benchmark(Extractor(env.ontology, registry), synthetic_articles(texts, articles), repeat=repeat).as_dict()
    if as_json:
        emit(result)
        return
    click.echo(f"{result['articles']} articles of ~{result['words_per_article']} words, "
               f"{result['sentences']} sentences, one core, fastest of {repeat} runs")
    click.echo(render.table(("", "ARTICLES/S", "SENTENCES/S"), [
        ["extractor (kg-rules)", result["extractor_articles_per_s"], result["extractor_sentences_per_s"]],
        ["baseline: spaCy blank tokenizer", result["baseline_articles_per_s"], result["baseline_sentences_per_s"]],
    ]))
