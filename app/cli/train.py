"""``kg train``: rebuild the shipped relation model from the repo's gold and config, or check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from graph.domain.errors import KgError
from graph.domain.resources import evaluation_dir
from graph.language.ask import QuestionReader
from graph.language.ask.intent import SHIPPED as INTENT_SHIPPED
from graph.language.ask.intent import load_model as load_intent_model
from graph.language.learn.model import SHIPPED, RelationModel, load_config, load_model
from graph.language.pipeline import load_pipeline
from graph.services import question_training
from graph.services import relation_training as training
from graph.services.loader import read_bundle


def _build(env: Env, config_path: Path) -> tuple[RelationModel, list[training.Figures]]:
    config_text = config_path.read_text(encoding="utf-8")
    config = load_config(config_path)
    sets = training.config_sets(evaluation_dir(), config)
    registry = read_bundle(env.settings.seeds_dir, env.ontology).entities
    corpus = training.collect(evaluation_dir(), env.ontology, registry, sets, model=env.settings.spacy_model,
                              progress=lambda m: click.echo(m, err=True),
                              max_reports=config.get("max_reports_per_set"))
    return training.train(corpus, config, env.ontology, config_text=config_text, spacy_model=env.settings.spacy_model)


def _print_figures(figures: list[training.Figures]) -> None:
    for figure in figures:
        click.echo(f"\ncross-validation grouped by {figure.by} ({figure.folds} folds; each fold's threshold and "
                   "calibration chosen on the other folds), claims between groups and states:")
        click.echo(render.table(("SYSTEM", "TP", "FP", "FN", "P", "R", "F1"), [
            [name, f["tp"], f["fp"], f["fn"], f["precision"], f["recall"], f["f1"]]
            for name, f in figure.systems.items()]))
        click.echo("calibration of the shipped policy's confidence (share right per band):")
        click.echo(render.table(("BAND", "CLAIMS", "MEAN CONFIDENCE", "SHARE RIGHT", "GAP"), [
            [r["band"], r["claims"], r["mean_confidence"], r["share_right"], r["gap"]] for r in figure.reliability]))


@cli.command("train", help="Rebuild the relation model from the gold sets the config names (evaluation/sets.yaml "
                           "roles, never blind) and write it where the extractor reads it; prints cross-validated "
                           "figures grouped by report and by outlet, and the calibration per confidence band.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=training.CONFIG, show_default=True, help="The training config (YAML).")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=SHIPPED, show_default=True,
              help="Where to write the model (gzipped JSON).")
@click.option("--check", is_flag=True, help="Write nothing; fail unless the model at --output is the one "
                                            "this command builds from the repo's data and config.")
@json_option
@pass_env
@handles_errors
def train_command(env: Env, config_path: Path, output: Path, check: bool, as_json: bool) -> None:
    model, figures = _build(env, config_path)
    summary: dict[str, Any] = {"version": model.version, "policy": model.policy, "threshold": model.threshold,
                               "classes": len(model.classes), "features": len(model.vocabulary),
                               **{k: v for k, v in model.provenance.items() if k != "cross_validation"}}
    if check:
        shipped = load_model(output)
        if shipped is None:
            raise KgError(f"{output}: no shipped model to check; run `kg train`")
        if shipped.dumps() != model.dumps():
            raise KgError(f"{output} is version {shipped.version}, but the data and config build version "
                          f"{model.version}" + (" with other coefficients" if shipped.version == model.version else "")
                          + ": run `kg train` and commit the model")
        summary["check"] = "the shipped model is the one the data and config build"
    else:
        model.save(output)
        summary["written"] = str(output)
    if as_json:
        emit({**summary, "cross_validation": [f.as_dict() for f in figures]})
        return
    click.echo(render.table(("", ""), [[k, ", ".join(v) if isinstance(v, list) else v] for k, v in summary.items()]))
    _print_figures(figures)


@cli.command("train-questions", help="Rebuild the trained question reader: write the generated questions "
                                     "(evaluation/intent/generated.jsonl) from the ontology's phrasings and the seed "
                                     "registry's names, add the development question sets (never blind), and write "
                                     "the model the question reader loads; --ablation cross-validates it by set.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=question_training.CONFIG, show_default=True, help="The training config (YAML).")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=INTENT_SHIPPED,
              show_default=True, help="Where to write the model (gzipped JSON).")
@click.option("--check", is_flag=True, help="Write nothing; fail unless the generated questions and the model at "
                                            "--output are those this command builds from the repo.")
@click.option("--ablation", is_flag=True, help="Write nothing; print right/wrong/refused on each development set "
                                               "for the shape functions, the trained reader and both, each set "
                                               "scored by a model trained without it, at 25/50/100% of the "
                                               "generated data.")
@json_option
@pass_env
@handles_errors
def train_questions_command(env: Env, config_path: Path, output: Path, check: bool, ablation: bool,
                            as_json: bool) -> None:
    from app.cli.ask import _seed_store  # noqa: PLC0415 - the seed graph ask-eval scores on

    config_text = config_path.read_text(encoding="utf-8")
    config = load_config(config_path)
    store = _seed_store(env)
    # a reader without the shipped model: training must not depend on the model it replaces
    reader = QuestionReader(env.ontology, load_pipeline(env.settings.spacy_model), store.name_index().entities())
    registry = read_bundle(env.settings.seeds_dir, env.ontology).entities
    say = (lambda m: click.echo(m, err=True)) if not as_json else (lambda m: None)
    generated = question_training.generate(reader, registry, config, progress=say)
    data_path = evaluation_dir() / question_training.DATA
    if ablation:
        figures = question_training.cross_validate(reader, store, evaluation_dir(), config, generated, progress=say)
        if as_json:
            emit(figures)
            return
        _print_ablation(figures)
        return
    model = question_training.train(reader, store, evaluation_dir(), config, config_text=config_text,
                                    spacy_model=env.settings.spacy_model, generated=generated, progress=say)
    summary: dict[str, Any] = {"version": model.version, "threshold": model.threshold,
                               **{k: v for k, v in model.provenance.items() if k not in ("skipped", "version")},
                               "skipped": ", ".join(f"{n} {why}" for why, n in model.provenance["skipped"].items())}
    text = "".join(e.as_json() + "\n" for e in generated.examples)
    if check:
        shipped = load_intent_model(output)
        if not data_path.exists() or data_path.read_text(encoding="utf-8") != text:
            raise KgError(f"{data_path} is not what the ontology, the registry and the config generate: "
                          "run `kg train-questions` and commit it")
        if shipped is None or shipped.dumps() != model.dumps():
            raise KgError(f"{output} is version {shipped.version if shipped else 'none'}, but the data and config "
                          f"build version {model.version}: run `kg train-questions` and commit the model")
        summary["check"] = "the shipped question model is the one the data and config build"
    else:
        question_training.write_data(data_path, generated.examples)
        model.save(output)
        summary["written"] = f"{data_path}, {output}"
    if as_json:
        emit(summary)
        return
    click.echo(render.table(("", ""), [[k, ", ".join(v) if isinstance(v, list) else v] for k, v in summary.items()]))


def _print_ablation(figures: dict[str, Any]) -> None:
    threshold = str(figures["threshold"])
    click.echo(f"{figures['generated']} generated questions, {figures['development_labelled']} development "
               f"questions labelled; each set scored by a model trained without it; threshold {threshold}")
    rows = [["shape functions alone", "-", *(figures["shapes"][v] for v in ("right", "wrong", "refused"))]]
    for share, data in figures["shares"].items():
        for policy in ("trained", "combined"):
            tally = data[policy][threshold]
            rows.append([f"{'trained reader alone' if policy == 'trained' else 'combined'}",
                         f"{float(share):.0%}", tally["right"], tally["wrong"], tally["refused"]])
    click.echo(render.table(("READER", "GENERATED", "% RIGHT", "% WRONG", "% REFUSED"), rows))
    full = figures["shares"][max(figures["shares"], key=float)]
    click.echo("\nby threshold (all generated data):")
    click.echo(render.table(("THRESHOLD", "TRAINED R/W/REF", "COMBINED R/W/REF"), [
        [t, "/".join(str(full["trained"][t][v]) for v in ("right", "wrong", "refused")),
         "/".join(str(full["combined"][t][v]) for v in ("right", "wrong", "refused"))] for t in full["trained"]]))
    click.echo("\nby set (all generated data):")
    click.echo(render.table(("SET", "SHAPES R/W/REF", "TRAINED R/W/REF", "COMBINED R/W/REF"), [
        [name, *("/".join(str(d[p][v]) for v in ("right", "wrong", "refused")) for p in ("shapes", "trained",
                                                                                          "combined"))]
        for name, d in full["by_set"].items()]))
