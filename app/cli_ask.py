"""The question commands of ``kg``: ask-eval (and, beside it in ``app.cli``, ask)."""

from __future__ import annotations

from pathlib import Path

import click

from app import render
from app.cli import Env, cli, emit, handles_errors, json_option, pass_env
from graph.ask import ask
from graph.ask.evaluate import VERDICTS, Evaluation, evaluate, read_questions
from graph.loader import load
from graph.store import GraphStore
from graph.stores.memory import MemoryStore


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
    evaluation = evaluate(asked, lambda question: ask(store, question, env.ontology))
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
