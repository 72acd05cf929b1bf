"""The question commands of ``kg``: ask, ask-eval (scoring the reader on a question set) and ask-bench."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from app import render
from app.asking import AskAnswer, ReaderSlot, ask, linked
from app.cli import Env, cli, emit, handles_errors, json_option, pass_env
from app.deps import open_reader
from graph.ask.evaluate import VERDICTS, Evaluation, evaluate, read_questions
from graph.errors import EmptyGraph, KgError
from graph.loader import load
from graph.store import GraphStore
from graph.stores.memory import MemoryStore


@dataclass(frozen=True)
class ShapeExample:
    """A shape `kg ask` reads, a question of that shape, and what the seed graph answers (a test keeps it true)."""

    shape: str
    question: str
    answer: str
    answers: frozenset[str] = frozenset()  # ids the answer must list (at least)
    claims: frozenset[str] = frozenset()  # claim ids it must cite (at least)
    verdict: str | None = None
    count: int | None = None


SHAPE_EXAMPLES: list[ShapeExample] = [
    ShapeExample("a relation", "who is IS-K trying to provoke?", "Pakistan (2 claims), Iran (1)",
                 frozenset({"pakistan", "iran"})),
    ShapeExample("a category", "who are IS-K's enemies?",
                 "8: the Taliban, Pakistan, Shia Muslims, … (hostile claims either way)",
                 frozenset({"taliban", "pakistan", "shia-muslims"})),
    ShapeExample("kinds of answer", "which communities does ISKP target?",
                 "Hazara, Shia Muslims (not the states it targets)", frozenset({"hazara", "shia-muslims"})),
    ShapeExample("a date window", "who did IS-K attack in 2021?", "Shia Muslims (the Kunduz and Kandahar mosques)",
                 frozenset({"shia-muslims"})),
    ShapeExample("a chain", "who hosted al-Qaeda's leader?",
                 "the Taliban (it hosted Osama bin Laden, who leads al-Qaeda)", frozenset({"taliban"}),
                 frozenset({"bin-laden-leads-al-qaeda", "taliban-hosts-bin-laden-2001"})),
    ShapeExample("every tie of a pair", "what is the relationship between Pakistan and the Taliban?",
                 "ALLIED_WITH and STRAINED_RELATIONS_WITH, grouped by type", frozenset(),
                 frozenset({"pakistan-allied-taliban", "pakistan-strained-taliban-2022-04"})),
    ShapeExample("a connection", "how is IS-K connected to China?", "3 paths, the shortest of 2 hops",
                 frozenset({"china"})),
    ShapeExample("yes or no", "does IS-K recruit from the TTP?", "yes, 1 claim (isk-recruits-from-ttp-2015)",
                 claims=frozenset({"isk-recruits-from-ttp-2015"}), verdict="yes"),
    ShapeExample("events at a place", "what happened in Kunduz?", "the October 2021 mosque bombing (2 claims)",
                 frozenset({"isk", "mohammad-al-uyghuri"}), frozenset({"isk-attacked-shia-kunduz-2021-10"})),
    ShapeExample("events in a period", "what happened in October 2021?",
                 "5 claims: the Kunduz and Kandahar bombings, China's strained ties with Afghanistan",
                 claims=frozenset({"isk-attacked-shia-kandahar-2021-10", "china-strained-afghanistan-kunduz"})),
    ShapeExample("an attack named", "who was behind the Termez attack?", "IS-K (isk-attacked-uzbekistan-2022-04-18)",
                 frozenset({"isk"}), frozenset({"isk-attacked-uzbekistan-2022-04-18"})),
    ShapeExample("who asserts", "what does Riccardo Valle say about the Taliban?",
                 "1 claim (isk-undermine-taliban-valle-propaganda)",
                 claims=frozenset({"isk-undermine-taliban-valle-propaganda"})),
    ShapeExample("a count", "how many attacks did IS-K carry out in 2021?", "2 incidents (2 claims)", count=2),
    ShapeExample("denials", "who denied the Termez attack?", "Uzbekistan, the Taliban",
                 frozenset({"uzbekistan", "taliban"})),
    ShapeExample("a status", "which claims about IS-K are disputed?",
                 "the attacks on Tajikistan and Uzbekistan, with the 3 denials",
                 claims=frozenset({"isk-attacked-tajikistan-2022-05-07", "tajikistan-denied-rocket-attack"})),
    ShapeExample("a profile", "what do we know about the TTP?", "3 claims grouped by type",
                 frozenset({"isk", "pakistan"})),
]

ASK_HELP = "Answer a question in plain English from the graph's claims, with their quotes.\n\n" + \
    "\b\nShapes it reads, with what the seed graph answers:\n" + "\n".join(
        f"  {e.shape:<20} {e.question}\n  {'':<20} → {e.answer}" for e in SHAPE_EXAMPLES) + \
    "\n\nA question it cannot read is refused (exit 2) with the closest questions it can; an unknown name " \
    "exits 1 with suggestions. --json prints what GET /v1/ask returns."


@cli.command("ask", help=ASK_HELP, short_help='Answer a question, e.g. "who is IS-K trying to provoke?"')
@click.argument("question")
@json_option
@pass_env
@handles_errors
def ask_command(env: Env, question: str, as_json: bool) -> None:
    if not env.store.entities():
        raise EmptyGraph(f"the graph in {env.where} holds nothing yet: run `kg load` to load the seeds, then ask again")
    result = linked(ask(env.store, env.reader, question))
    if as_json:
        emit(result.model_dump(mode="json", by_alias=True))
        return
    click.echo(_answer_text(env, result))


def _answer_text(env: Env, result: AskAnswer) -> str:
    parts = [result.explanation]
    if result.answers and result.query.form != "yes_no":
        parts.append(render.table(("ANSWER", "ID", "KIND", "CLAIMS"),
                                  [[a.name, a.id, a.kind, len(a.claims)] for a in result.answers]))
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
    parts.append("Same claims: " + "  ".join(f"GET {e}" for e in result.endpoints) + f"\nRun again: GET {result.rerun}")
    return "\n\n".join(parts)


def _seed_store(env: Env) -> GraphStore:
    """The seed bundle in a fresh in-memory store, so figures never depend on what a data file holds."""
    store = MemoryStore(env.ontology)
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
    files = list(questions) or sorted((env.settings.seeds_dir / "questions").glob("*.yaml"))
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
