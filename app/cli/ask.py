"""The question commands of ``kg``: ask, ask-eval (scoring the reader on a question set) and ask-bench."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from app.cli.incidents import INCIDENT_HEADERS, contradiction_lines, figure, incident_row
from app.components import open_reader, scratch_store
from app.usecases.ask import AskAnswer, ReaderSlot, ask, context_of, linked, shapes_text
from graph.domain.errors import EmptyGraph, KgError
from graph.domain.inputs import check_question
from graph.domain.resources import evaluation_dir
from graph.language.ask.evaluate import VERDICTS, Evaluation, evaluate, read_questions
from graph.services.loader import load
from graph.stores.protocol import GraphStore

ASK_HELP = "Answer a question in plain English from the graph's claims, with their quotes.\n\n" + \
    "\b\nShapes it reads, with what the seed graph answers:\n" + shapes_text("  ") + \
    "\n\nWithout QUESTION it prompts for questions one per line (an empty line ends), each follow-up (\"and in " \
    "2023?\", \"what about Iran?\", \"who denied it?\") read against the last answer." \
    "\n\nA question it cannot read is refused (exit 2) with the closest questions it can; an unknown name " \
    "exits 1 with suggestions. --json prints what GET /v1/ask returns."


@cli.command("ask", help=ASK_HELP, short_help='Answer a question, e.g. "who is IS-K trying to provoke?"')
@click.argument("question", required=False)
@click.option("--context", "context", metavar="JSON",
              help="The previous answer's `query` (as --json prints it): a follow-up (\"and in 2023?\", \"what about "
                   "Iran?\", \"who denied it?\") reuses its slots.")
@json_option
@pass_env
@handles_errors
def ask_command(env: Env, question: str | None, context: str | None, as_json: bool) -> None:
    if not env.store.count_entities():
        raise EmptyGraph(f"the graph in {env.where} holds nothing yet: run `kg load` to load the seeds, then ask again")
    if question is None:
        _prompt(env, as_json)
        return
    check_question(question, "QUESTION")
    result = linked(ask(env.store, env.reader, question, context_of(context, "--context")), env.ontology)
    if as_json:
        emit(result.model_dump(mode="json", by_alias=True))
        return
    click.echo(_answer_text(env, result))


def _prompt(env: Env, as_json: bool) -> None:
    """Questions one per line until an empty line or the end of input; each follow-up is read against the last
    answer's query. A question refused or naming what the graph lacks says why and the prompt goes on."""
    previous = None
    while True:
        try:
            question = click.prompt("ask", default="", show_default=False, prompt_suffix="> ", err=True)
        except click.Abort:  # the end of input: as an empty line
            return
        if not question.strip():
            return
        try:
            check_question(question, "QUESTION")
            result = linked(ask(env.store, env.reader, question, previous), env.ontology)
        except KgError as error:
            click.echo(f"error: {error}", err=True)
            continue
        previous = result.query
        click.echo(json.dumps(result.model_dump(mode="json", by_alias=True)) if as_json else _answer_text(env, result))


def _answer_text(env: Env, result: AskAnswer) -> str:
    parts = [result.explanation]
    if result.reading is not None and result.reading.confidence < 1:
        parts.append(f"Confidence in the reading: {result.reading.confidence:.2f} "
                     f"({'; '.join(result.reading.notes)})")
    if result.answers and result.query.form != "yes_no":
        parts.append(render.table(("ANSWER", "ID", "KIND", "CLAIMS"),
                                  [[a.name, a.id, a.kind, len(a.claims)] for a in result.answers]))
    if result.incidents:
        parts.append(_incidents_text(result))
    claims = {c.id: c for c in result.claims}
    if result.paths:
        parts.append("\n\n".join(render.path_text(i, path.hops, env.name, env.store.get_source)
                                 for i, path in enumerate(result.paths, start=1)))
    elif result.groups:
        for kind, ids in result.groups.items():
            parts.append(f"{kind} ({len(ids)})\n"
                         + render.claims_with_quotes([claims[i] for i in ids], env.name, env.store.get_source))
    elif result.claims:
        parts.append(render.claims_with_quotes(result.claims, env.name, env.store.get_source))
    if result.nearest:
        parts.append("Nearest claims the graph holds:\n"
                     + render.claims_with_quotes(result.nearest, env.name, env.store.get_source))
    if result.coverage is not None:
        parts.append(_coverage_text(result))
    parts.append("Same claims: " + "  ".join(f"GET {e}" for e in result.endpoints) + f"\nRun again: GET {result.rerun}")
    return "\n\n".join(parts)


def _coverage_text(result: AskAnswer) -> str:
    """The coverage of a thin answer: its sentence, then each entity's figures and the reports citing most."""
    assert result.coverage is not None
    rows = [[e.name, e.id, e.claims, e.reports, e.first or "", e.last or "",
             ", ".join(f"{r.id} ({r.claims})" for r in e.top)] for e in result.coverage.entities]
    return result.coverage.note + "\n" + render.table(("ENTITY", "ID", "CLAIMS", "REPORTS", "FIRST", "LAST",
                                                        "REPORTS CITING MOST"), rows)


def _incidents_text(result: AskAnswer) -> str:
    """The incidents that answer: a table as `kg incidents` prints it, then each one's figures by report where they
    differ, its perpetrators claimed and denied side by side, and each report's quote with its citation."""
    lines = [render.table(INCIDENT_HEADERS, [incident_row(i) for i in result.incidents])]
    for incident in result.incidents:
        lines.append(f"\n{incident.id}: {incident.type_label}, {incident.date or 'date unknown'}, "
                     f"{incident.place.name if incident.place else 'place unknown'}")
        for label, count in (("killed", incident.killed), ("injured", incident.injured)):
            if count is not None:
                lines.append(f"  {label}: {figure(count) or '?'}" + (f" ({count.text})" if count.text else ""))
        lines.extend(contradiction_lines(incident))
        for report in incident.reports:
            lines.append(f"  — {report.report.outlet}, {report.report.published or 'undated'}: {report.report.title} "
                         f"[{report.source} {report.span[0]}-{report.span[1]}]")
            lines.append(f"    │ {report.quote}")
    return "\n".join(lines)


def _seed_store(env: Env) -> GraphStore:
    """The seed bundle in a fresh in-memory store, so figures never depend on what a data file holds."""
    store = scratch_store(env.ontology)
    load(env.settings.seeds_dir, store, env.ontology)
    return store


def evaluation_table(evaluation: Evaluation) -> str:
    """Right, wrong and refused per shape, then overall, with shares."""
    rows: list[list[object]] = [[shape, t.right, t.wrong, t.refused, t.total]
                                for shape, t in evaluation.by_shape.items()]
    overall = evaluation.overall
    rows.append(["all", overall.right, overall.wrong, overall.refused, overall.total])
    return (render.table(("SHAPE", "RIGHT", "WRONG", "REFUSED", "TOTAL"), rows)
            + f"\n{overall.share('right'):.1%} right, {overall.share('wrong'):.1%} wrong, "
              f"{overall.share('refused'):.1%} refused")


@cli.command("ask-eval", help="Score `kg ask` on a file of questions with expected answers (right, wrong, "
                              "refused, per shape), over the seed graph.")
@click.argument("questions", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", "use_store", is_flag=True,
              help="Ask the configured store (KG_STORE, NEO4J_URI) instead of the seed bundle loaded in memory.")
@click.option("--errors", "show_errors", is_flag=True, help="Also list every question not answered right, and why.")
@json_option
@pass_env
@handles_errors
def ask_eval_command(env: Env, questions: Path, use_store: bool, show_errors: bool, as_json: bool) -> None:
    asked = read_questions(questions)
    store = env.store if use_store else _seed_store(env)
    slot = ReaderSlot(lambda: open_reader(env.settings, env.ontology, store))
    evaluation = evaluate(asked, lambda question: ask(store, slot, question))
    if as_json:
        emit({"questions": str(questions), "graph": "store" if use_store else str(env.settings.seeds_dir),
              **evaluation.as_dict()})
        return
    graph = f"the configured store ({env.where})" if use_store else f"the seed graph ({env.settings.seeds_dir})"
    click.echo(f"{questions}: {len(asked)} questions over {graph}")
    click.echo(evaluation_table(evaluation))
    if show_errors:
        for verdict in VERDICTS[1:]:
            for outcome in (o for o in evaluation.outcomes if o.verdict == verdict):
                click.echo(f"\n{outcome.question.id} [{verdict}, {outcome.question.shape}] {outcome.question.text}")
                for reason in outcome.reasons:
                    click.echo(f"    {reason}")
                if outcome.reading and verdict == "wrong":
                    click.echo(f"    read: {outcome.reading}")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _timed(works: list[Callable[[str], object]], questions: list[str], repeat: int) -> list[list[float]]:
    """Milliseconds per question for each of ``works``, every question ``repeat`` times, the works interleaved
    question by question so that a busy machine slows them alike."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(repeat):
        for question in questions:
            for work, spent in zip(works, times, strict=True):
                start = time.perf_counter()
                with contextlib.suppress(KgError):  # a refusal is read too: it costs what reading costs
                    work(question)
                spent.append((time.perf_counter() - start) * 1000)
    return times


@cli.command("ask-bench", help="Time reading questions (the query, not the answer) beside spaCy's parse alone on "
                               "the same questions, on one core.")
@click.argument("questions", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Times each question is read.")
@json_option
@pass_env
@handles_errors
def ask_bench_command(env: Env, questions: tuple[Path, ...], repeat: int, as_json: bool) -> None:
    files = list(questions) or sorted((evaluation_dir() / "questions").glob("*.yaml"))
    texts = [q.text for path in files for q in read_questions(path)]
    reader = open_reader(env.settings, env.ontology, _seed_store(env))
    nlp = reader.nlp
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores:
        os.sched_setaffinity(0, {min(cores)})  # one core, as the target is stated
    try:
        _timed([nlp, reader.read], texts[:20], 1)  # warm the caches both ways
        parse, read = _timed([nlp, reader.read], texts, repeat)
    finally:
        if cores:
            os.sched_setaffinity(0, cores)
    rows = {"parse alone (spaCy pipeline)": parse, "reading a question": read}
    figures = {label: {"p50_ms": round(statistics.median(t), 2), "p90_ms": round(_percentile(t, 0.9), 2),
                       "mean_ms": round(statistics.fmean(t), 2)} for label, t in rows.items()}
    if as_json:
        emit({"questions": len(texts), "repeat": repeat, "model": env.settings.spacy_model, "times": figures})
        return
    click.echo(f"{len(texts)} questions ({', '.join(str(f) for f in files)}) x {repeat}, one core, "
               f"spaCy pipeline {env.settings.spacy_model}")
    click.echo(render.table(("", "P50 MS", "P90 MS", "MEAN MS"),
                            [[label, f["p50_ms"], f["p90_ms"], f["mean_ms"]] for label, f in figures.items()]))
