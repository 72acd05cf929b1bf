"""What more training gold buys: the relation model trained on a quarter, a half and all of the training reports,
each scored on the held-back sets (issue 21's learning curve).

    python -m benchmarks.learning_curve [--fractions 0.25,0.5,1] [--sets theatres1,theatres2,holdout10] [--json]

The training data is what ``kg train`` reads (graph/language/learn/relclf.yaml: the sets its roles allow, less
its ``hold_out``), parsed once; each fraction keeps that share of every set's reports, chosen by a seeded hash of
the report id (the same reports at every run, and a smaller fraction's reports inside a larger one's). Each model
is fitted, calibrated and thresholded exactly as ``kg train`` builds the shipped one, then loaded in place of it
for ``kg eval`` on each held-back set (claims between groups and states). A blind set scored here is scored, not
read: nothing of it goes into training, and no choice is made from these figures. Rows with ``rules`` are the
extractor without any model, the baseline every fraction adds to.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.domain.ontology import Ontology, load_ontology
from graph.domain.resources import data_dir, evaluation_dir
from graph.language.learn import model as shipped_model
from graph.language.learn.model import NONE
from graph.services import relation_training as training
from graph.services.claim_scoring import Counts, evaluate_bundle
from graph.services.loader import read_bundle

DEFAULT_SETS = ("theatres1", "theatres2", "holdout10")


def _rank(report_id: str, seed: int) -> str:
    """A report's place in the draw: a hash of its id and the config's seed, stable across runs."""
    return hashlib.sha256(f"{seed}:{report_id}".encode()).hexdigest()


def subset(corpus: training.Corpus, fraction: float, seed: int) -> training.Corpus:
    """``fraction`` of every set's reports (at least one), their pairs and gold: nested as the fraction grows."""
    by_set: dict[str, list[str]] = {}
    for report in corpus.reports:
        by_set.setdefault(report.set_name, []).append(report.report)
    kept: set[str] = set()
    for reports in by_set.values():
        ranked = sorted(reports, key=lambda r: _rank(r, seed))
        kept.update(ranked[:max(1, math.ceil(fraction * len(ranked)))])
    return training.Corpus(pairs=[p for p in corpus.pairs if p.report in kept],
                           reports=[r for r in corpus.reports if r.report in kept],
                           data_hash=f"{corpus.data_hash}:{fraction}", sets=corpus.sets)


def score_sets(sets: Sequence[str], ontology: Ontology, model_path: Path | None) -> dict[str, Counts]:
    """``kg eval`` on each set with the model at ``model_path`` in place of the shipped one (None: rules alone)."""
    registry = read_bundle(data_dir("seeds"), ontology).entities
    saved = shipped_model.SHIPPED
    try:
        if model_path is not None:
            shipped_model.SHIPPED = model_path
        out = {}
        for name in sets:
            score, _ = evaluate_bundle(evaluation_dir() / "claims" / name, ontology, registry,
                                       trained=model_path is not None)
            out[name] = score.overall
        return out
    finally:
        shipped_model.SHIPPED = saved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.25,0.5,1", help="Shares of the training reports, comma-separated.")
    parser.add_argument("--sets", default=",".join(DEFAULT_SETS), help="Held-back claim sets to score on.")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args(argv)
    fractions = [float(f) for f in args.fractions.split(",")]
    sets = [s for s in args.sets.split(",") if s]
    ontology = load_ontology()
    config = shipped_model.load_config(training.CONFIG)
    config_text = training.CONFIG.read_text(encoding="utf-8")
    names = training.config_sets(evaluation_dir(), config)
    if set(sets) & set(names):
        parser.error(f"sets {sorted(set(sets) & set(names))} are trained on: score on sets the model never reads")
    registry = read_bundle(data_dir("seeds"), ontology).entities
    corpus = training.collect(evaluation_dir(), ontology, registry, names,
                              progress=_say)
    rows: list[dict[str, Any]] = [{"fraction": 0.0, "system": "rules", "reports": 0, "positives": 0,
                                   **{name: _figures(s) for name, s in score_sets(sets, ontology, None).items()}}]
    with tempfile.TemporaryDirectory() as scratch:
        for fraction in fractions:
            part = subset(corpus, fraction, int(config.get("seed", 0)))
            model, _ = training.train(part, config, ontology, config_text=config_text, spacy_model="curve")
            path = Path(scratch) / f"relclf-{fraction}.json.gz"
            model.save(path)
            rows.append({"fraction": fraction, "system": "rules + model", "reports": len(part.reports),
                         "positives": sum(p.label not in (None, NONE) for p in part.pairs),
                         **{name: _figures(s) for name, s in score_sets(sets, ontology, path).items()}})
            sys.stderr.write(f"fraction {fraction}: {len(part.reports)} reports trained on\n")
    if args.json:
        sys.stdout.write(json.dumps({"sets": sets, "rows": rows}, indent=2) + "\n")
        return 0
    header = ["SHARE", "SYSTEM", "REPORTS", "POSITIVE PAIRS", *[f"{s} P/R/F1" for s in sets]]
    lines = [header] + [[f"{r['fraction']:.2f}", r["system"], str(r["reports"]), str(r["positives"]),
                         *[f"{r[s]['precision']:.2f} / {r[s]['recall']:.2f} / {r[s]['f1']:.2f}" for s in sets]]
                        for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() + "\n")
    return 0


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _figures(counts: Counts) -> dict[str, float]:
    return {"precision": round(counts.precision, 3), "recall": round(counts.recall, 3), "f1": round(counts.f1, 3),
            "tp": counts.tp, "fp": counts.fp, "fn": counts.fn}


if __name__ == "__main__":
    raise SystemExit(main())
