"""How an item is known, so that nothing is read twice: its canonical URL, its text's fingerprint, its MinHash.

- ``canonical_url``: the scheme and host lower-cased, the default port, the fragment and the
  tracking parameters (``utm_*``, ``fbclid``, ``gclid``…) dropped, the other parameters sorted:
  one article shared through five campaigns is one URL.
- ``fingerprint``: SHA-256 of the text with case, white space, quotation marks and dashes
  evened out: the same story laid out by two templates is one text.
- ``Sketch``: a MinHash (``datasketch``) of the text's 5-word shingles, and its LSH band keys,
  so that a near-duplicate (a wire story with another byline or a trimmed last paragraph) is
  found by an indexed lookup of its bands rather than by comparing it with every text read.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SEED = 1
SHINGLE = 5
# Query parameters that say how a reader arrived, never which article it is.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "_hs", "oly_", "vero_", "ga_")
TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid", "ttclid", "li_fat_id",
    "mkt_tok", "_ga", "_gl", "ref", "ref_src", "ref_url", "referrer", "cmpid", "cmp", "ocid", "ito", "taid",
    "smid", "sr_share", "at_medium", "at_campaign", "at_custom1", "xtor", "spm", "s_cid", "s_kwcid", "soc_src",
    "soc_trk", "__twitter_impression", "guccounter",
})
_WORD = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                       "\u00a0": " "})


def canonical_url(url: str) -> str:
    """The URL an item is known by: lower-case scheme and host, no default port, fragment or tracking parameter."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        netloc += f":{port}"
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in TRACKING and not k.lower().startswith(TRACKING_PREFIXES)]
    query = urlencode(sorted(kept), doseq=True)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def normalised(text: str) -> str:
    """The text with case, white space, quotation marks and dashes evened out."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return " ".join(folded.split())


def fingerprint(text: str) -> str:
    """The exact-sameness key of a text: its normalised form's SHA-256."""
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """The text's runs of ``size`` words (the whole text when shorter), as bytes for hashing."""
    words = _WORD.findall(normalised(text))
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


# The permutations a MinHash of this seed draws, drawn once (drawing them is most of a short text's sketch).
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)


@dataclass(frozen=True)
class Sketch:
    """A text's MinHash signature (``NUM_PERM`` 32-bit values)."""

    values: npt.NDArray[np.uint32]

    @classmethod
    def of(cls, text: str) -> Sketch:
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
        minhash.update_batch(sorted(shingles(text)))
        return cls(np.asarray(minhash.hashvalues, dtype=np.uint32))

    @classmethod
    def from_bytes(cls, data: bytes) -> Sketch:
        return cls(np.frombuffer(data, dtype=np.uint32).copy())

    def to_bytes(self) -> bytes:
        return self.values.astype(np.uint32).tobytes()

    def similarity(self, other: Sketch) -> float:
        """The estimated Jaccard similarity of the two texts' shingles (0..1)."""
        return float(np.mean(self.values == other.values))


# LSH weighs a missed copy (a text read twice) far above a false candidate (one signature compared for nothing).
BAND_WEIGHTS = (0.02, 0.98)


class Bands:
    """LSH banding for a similarity threshold: ``b`` bands of ``r`` values, chosen by ``datasketch``.

    Two texts at or above the threshold share at least one band's key with high probability (at
    0.7 with 128 values: 23 bands of 5, so a pair at the threshold is found 98.5 % of the time, at
    0.76 99.9 %, while unrelated articles, under 0.1, almost never meet); a shared key makes them
    candidates, whose signatures are then compared against the threshold.
    """

    def __init__(self, threshold: float) -> None:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=BAND_WEIGHTS)
        self.threshold = threshold
        self.b, self.r = int(lsh.b), int(lsh.r)

    def keys(self, sketch: Sketch) -> list[tuple[int, bytes]]:
        """(band number, key) for each band of the signature."""
        values = sketch.values
        return [(band, values[band * self.r:(band + 1) * self.r].tobytes()) for band in range(self.b)]


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blocks between blank lines, or lines when it has none), normalised."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) <= 1:
        blocks = [line for line in text.splitlines() if line.strip()]
    return [normalised(b) for b in blocks]


def extra_paragraphs(copy: str, leader: str) -> list[str]:
    """Paragraphs of ``copy`` (of more than a few words) that ``leader`` does not hold: what a near copy adds."""
    held = normalised(leader)
    return [p for p in paragraphs(copy) if len(p.split()) > 6 and p not in held]
