"""``kg train``: rebuild the shipped relation model from the repo's gold and config, or check it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli import render
from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from graph.domain.errors import KgError
from graph.domain.resources import evaluation_dir
from graph.language.learn.model import SHIPPED, RelationModel, load_model
from graph.services import relation_training as training
from graph.services.loader import read_bundle


def _build(env: Env, config_path: Path) -> RelationModel:
    config_text = config_path.read_text(encoding="utf-8")
    config = training.load_config(config_path)
    sets = training.training_sets(evaluation_dir(), config["roles"])
    registry = read_bundle(env.settings.seeds_dir, env.ontology).entities
    corpus = training.collect(evaluation_dir(), env.ontology, registry, sets, model=env.settings.spacy_model,
                              progress=lambda m: click.echo(m, err=True))
    return training.train(corpus, config, env.ontology, config_text=config_text, spacy_model=env.settings.spacy_model)


@cli.command("train", help="Rebuild the relation model from the training and development gold sets "
                           "(evaluation/sets.yaml) and the config, and write it where the extractor reads it.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=training.CONFIG, show_default=True, help="The training config (YAML).")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=SHIPPED, show_default=True,
              help="Where to write the model (JSON).")
@click.option("--check", is_flag=True, help="Write nothing; fail unless the model at --output is the one "
                                            "this command builds.")
@json_option
@pass_env
@handles_errors
def train_command(env: Env, config_path: Path, output: Path, check: bool, as_json: bool) -> None:
    model = _build(env, config_path)
    text = model.dumps()
    summary = {"version": model.version, "policy": model.policy, "threshold": model.threshold,
               "classes": len(model.classes), "features": len(model.vocabulary), **model.provenance}
    if check:
        shipped = load_model(output)
        if shipped is None:
            raise KgError(f"{output}: no shipped model to check; run `kg train`")
        if shipped.dumps() != text:
            raise KgError(f"{output} is version {shipped.version}, but the data and config build version "
                          f"{model.version}: run `kg train` and commit the model")
        summary["check"] = "the shipped model is the one the data and config build"
    else:
        output.write_text(text, encoding="utf-8")
        summary["written"] = str(output)
    if as_json:
        emit(summary)
        return
    click.echo(render.table(("", ""), [[k, json.dumps(v) if isinstance(v, list) else v]
                                       for k, v in summary.items()]))
