"""``kg train``: rebuild the shipped relation model from the repo's gold and config, or check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from graph.domain.errors import KgError
from graph.domain.resources import evaluation_dir
from graph.language.learn.model import SHIPPED, RelationModel, load_model
from graph.services import relation_training as training
from graph.services.loader import read_bundle


def _build(env: Env, config_path: Path) -> tuple[RelationModel, list[training.Figures]]:
    config_text = config_path.read_text(encoding="utf-8")
    config = training.load_config(config_path)
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
