"""The shipped relation model as plain data: vocabulary, coefficients, calibration, provenance.

A multinomial logistic regression over the sparse features (``features.pair_features``):
classes are ``NONE`` and the relation types seen often enough in the gold. For a candidate
pair it gives, for each type, the probability that the sentence says subject TYPE object.
The raw probability is mapped through an isotonic calibration fitted on cross-validated
predictions (``calibrate``), so that a claim given 0.7 is right about 70% of the time. There are
three maps, because the same raw score means different things: ``calibration`` for a triple only the
model proposes, ``voted_calibration`` for the model's score of a triple the rules read too (the rules'
reading is evidence the score leaves out: such triples were right half the time even where the model
gave them under 0.3), and ``rules_calibration`` for the rules' own confidence where the model has no
pair (a claim read across sentences).

The file is gzipped JSON (no pickle): anything that reads JSON can audit it, and ``kg train --check``
compares a rebuilt model with it. The coefficients are stored as whole thousandths (``coef_milli``,
one row of integers per class: the model the extractor runs is the rounded one, each coefficient
within 0.0005 of the fitted value), which gzip packs to about 0.3 MB (the first model was 3.3 MB
of six-decimal JSON, one number a line; sparse rows were larger, as L2 leaves few zeros).
``version`` is the first characters of a hash of the data, the config and the parser; it goes into
every claim's ``extracted_by``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from graph.domain.errors import KgError

NONE = "NONE"
FORMAT = 3
SCALE = 1000  # the coefficients are stored (and run) as whole multiples of 1/SCALE
DECIMALS = 4  # the intercepts' precision in the file
SHIPPED = Path(__file__).with_name("relclf.json.gz")


@dataclass
class Calibration:
    """A monotone step map from a raw score to the share right, fitted by isotonic regression."""

    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)

    def __call__(self, score: float) -> float:
        """The calibrated probability of a raw score (linear between the fitted points)."""
        if not self.x:
            return score
        return float(np.interp(score, self.x, self.y))


@dataclass
class RelationModel:
    """Coefficients per class over a fixed vocabulary, with calibration and the threshold chosen by CV."""

    classes: list[str]
    vocabulary: list[str]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)
    calibration: Calibration
    rules_calibration: Calibration
    voted_calibration: Calibration
    threshold: float
    policy: str
    provenance: dict[str, Any]

    def __post_init__(self) -> None:
        self._index = {f: i for i, f in enumerate(self.vocabulary)}

    @property
    def version(self) -> str:
        """A short hash of what the model is: its data, config, coefficients and thresholds."""
        return str(self.provenance.get("version", "untrained"))

    def probabilities(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Class probabilities for each row of features (unknown features are ignored)."""
        scores = np.tile(self.intercept, (len(rows), 1))
        for r, row in enumerate(rows):
            cols = [self._index[f] for f in row if f in self._index]
            if cols:
                scores[r] += self.coef[:, cols].sum(axis=1)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def to_json(self) -> dict[str, Any]:
        """The model as JSON-ready data, rounded so that the file is stable across platforms."""
        return {"format": FORMAT, "provenance": self.provenance, "policy": self.policy,
                "threshold": self.threshold, "classes": self.classes, "vocabulary": self.vocabulary,
                "intercept": [round(float(v), DECIMALS) for v in self.intercept],
                "coef_milli": [[int(v) for v in np.rint(row * SCALE)] for row in self.coef],
                "calibration": {"x": self.calibration.x, "y": self.calibration.y},
                "rules_calibration": {"x": self.rules_calibration.x, "y": self.rules_calibration.y},
                "voted_calibration": {"x": self.voted_calibration.x, "y": self.voted_calibration.y}}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, origin: str = "model") -> RelationModel:
        """A model from its JSON data; ``ModelFileError``-style ``KgError`` naming what is wrong."""
        if data.get("format") != FORMAT:
            raise KgError(f"{origin}: relation model format {data.get('format')!r}, expected {FORMAT}")
        try:
            coef = np.asarray(data["coef_milli"], dtype=np.float64) / SCALE
            vocabulary = list(data["vocabulary"])
            if coef.shape != (len(data["classes"]), len(vocabulary)):
                raise ValueError(f"coefficients of shape {coef.shape} for {len(data['classes'])} classes and "
                                 f"{len(vocabulary)} features")
            return cls(list(data["classes"]), vocabulary, coef, np.asarray(data["intercept"], dtype=np.float64),
                       Calibration(**data["calibration"]), Calibration(**data["rules_calibration"]),
                       Calibration(**data["voted_calibration"]),
                       float(data["threshold"]), str(data["policy"]), dict(data["provenance"]))
        except (KeyError, TypeError, ValueError) as error:
            raise KgError(f"{origin}: not a relation model ({error})") from error

    def dumps(self) -> str:
        """The file's text, before gzip: sorted keys, compact."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")) + "\n"

    def save(self, path: Path) -> None:
        """Write the model gzipped, with no time stamp in the header, so the same model is the same bytes."""
        path.write_bytes(gzip.compress(self.dumps().encode("utf-8"), compresslevel=9, mtime=0))


def fingerprint(*parts: str) -> str:
    """A short sha256 over some texts (data, config, coefficients)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def read_model_file(path: Path, what: str) -> dict[str, Any] | None:
    """The JSON of a shipped model file (gzipped, or plain for one written by hand); None when it is absent.

    The relation model and the question model (``graph.language.ask.intent``) are stored alike, so one reader
    serves both; ``what`` names the model in the error a broken file raises.
    """
    if not path.exists():
        return None
    try:
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise KgError(f"{path}: the {what} is not gzipped JSON ({error})") from error
    if not isinstance(data, dict):
        raise KgError(f"{path}: the {what} is JSON but not an object")
    return data


def load_config(path: Path) -> dict[str, Any]:
    """A training config (relclf.yaml, intent.yaml): a YAML mapping, or a ``KgError`` naming the file.

    Both trainers (``graph.services.relation_training``, ``graph.services.question_training``) read their
    config through this one function, so a config is accepted or refused the same way by both.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KgError(f"{path}: the training config cannot be read ({error})") from error
    if not isinstance(data, dict):
        raise KgError(f"{path}: the training config must be a mapping")
    return data


def load_model(path: Path | None = None) -> RelationModel | None:
    """The shipped model (or the one at ``path``); None when no model has been trained and shipped."""
    path = path or SHIPPED
    data = read_model_file(path, "relation model")
    return None if data is None else RelationModel.from_json(data, origin=str(path))
