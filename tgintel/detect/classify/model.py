"""The learned half of the classifier: a linear model over word n-grams and word stems/endings.

Why our own scorer around scikit-learn's training: ``HashingVectorizer`` builds features in Python per
document and then runs a general sparse pipeline, about 5-10k short messages/s; the issue asks 20k/s on one
core for rules and model together. At inference we need only a dict lookup per n-gram (the vocabulary kept
after training, pruned to the features that carry weight) and one sparse-times-dense product per batch.
Training still uses scikit-learn's ``LogisticRegression`` (one binary model per output), on exactly the same
features, so what is trained is what runs.

Serialisation: ``model.npz`` (weights, float16, loaded with ``allow_pickle=False``) and ``model.json``
(vocabulary, outputs, combination coefficients, provenance): no pickle, so a model file from elsewhere
cannot execute code.
"""

from __future__ import annotations

import itertools
import json
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

__all__ = ["MODEL_DIR", "LinearModel", "extract_features"]

MODEL_DIR = Path(__file__).parent / "data"
FORMAT = "tgintel-linear-1"


def extract_features(toks: Sequence[str]) -> list[str]:
    """Feature strings of one message: word unigrams and bigrams, and for longer words their first five
    letters (``<kokai``: the stem, which carries inflected Russian and Finnish forms) and last four
    (``ment>``: endings and misspelt stems).

    Why not all character 4-grams: they cost three times the lookups (about 260 per message on the
    simulator's posts against 80 here) and cut throughput from ~37k to ~8k messages/s on one core, for no
    measurable gain on the validation corpus."""
    feats = list(toks)
    feats += map(" ".join, itertools.pairwise(toks))  # "a b", built in C
    long = [t for t in toks if len(t) > 5]
    feats += ["<" + t[:5] for t in long]
    feats += [t[-4:] + ">" for t in long]
    return feats


class _DerivedIds(dict[str, "int | None"]):
    """word -> vocabulary id of a feature derived from it (``<stem`` or ``end>``), worked out on first sight.

    Bounded: emptied when it grows past ``MAX`` words (the values never change, so emptying is safe even while
    another thread reads)."""

    MAX = 300_000

    def __init__(self, index: dict[str, int], derive: Callable[[str], str]) -> None:
        super().__init__()
        self._index = index
        self._derive = derive

    def __missing__(self, word: str) -> int | None:
        if len(self) > self.MAX:
            self.clear()
        found = self[word] = self._index.get(self._derive(word))
        return found


@dataclass
class LinearModel:
    """Weights ``W`` (features x outputs), bias ``b``, the vocabulary (feature string per row of ``W``) and
    provenance (``meta``: when, from what, with which settings)."""

    outputs: list[str]
    vocab: list[str]
    W: np.ndarray
    b: np.ndarray
    meta: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {f: i for i, f in enumerate(self.vocab)}
        # Lookups for ids() that skip building feature strings: bigrams by word pair, stems and endings by
        # word (remembered per word).
        self._bigrams = {tuple(f.split(" ")): i for f, i in self.index.items() if f.count(" ") == 1}
        self._stems = _DerivedIds(self.index, lambda w: "<" + w[:5])
        self._ends = _DerivedIds(self.index, lambda w: w[-4:] + ">")
        self._W32 = np.ascontiguousarray(self.W, dtype=np.float32)
        self._b32 = np.asarray(self.b, dtype=np.float32)
        self.col = {o: i for i, o in enumerate(self.outputs)}
        # Per output, its weights as a float32 array (indexing gives the float32 values exactly as Python
        # floats), for top_features without a numpy call per message; built on first use. An ``array``, not a
        # list of floats: it holds no objects, so the garbage collector never walks its 20k entries. Not with
        # NaN weights (sorting them is undefined).
        self._wcols: dict[str, array[float]] = {}
        self._finite = bool(np.isfinite(self._W32).all())

    def forget_words(self) -> None:
        """Drop the per-word stem and ending ids (benchmarks: a cold start)."""
        self._stems.clear()
        self._ends.clear()

    def ids(self, toks: Sequence[str]) -> list[int]:
        """Vocabulary rows of the message's features (``extract_features``), each once.

        The ids are looked up in the same order as ``extract_features`` lists the features and collected in
        a set built the same way, so they come out in one fixed order (it decides the summation order of the
        product and ties between equal weights in ``top_features``), without building the bigram, stem and
        ending strings."""
        seq = list(map(self.index.get, toks))
        seq += map(self._bigrams.get, itertools.pairwise(toks))
        long = [t for t in toks if len(t) > 5]
        if long:
            seq += map(self._stems.__getitem__, long)
            seq += map(self._ends.__getitem__, long)
        found = set(seq)
        found.discard(None)
        return list(found)  # type: ignore[arg-type]

    def matrix(self, id_lists: Sequence[Sequence[int]]) -> sparse.csr_matrix:
        indptr = np.zeros(len(id_lists) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in id_lists], out=indptr[1:])
        indices = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int32, count=int(indptr[-1]))
        data = np.ones(len(indices), dtype=np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(id_lists), len(self.vocab)))

    def logits(self, id_lists: Sequence[Sequence[int]]) -> np.ndarray:
        """Raw scores (n messages x outputs)."""
        if not id_lists:
            return np.zeros((0, len(self.outputs)), dtype=np.float32)
        return np.asarray(self.matrix(id_lists) @ self._W32) + self._b32

    def top_features(self, ids: Sequence[int], output: str, k: int = 3) -> list[str]:
        """The features of a message that pushed hardest towards ``output``: the model's evidence.

        Sorted in Python (a C sort of ~50 floats) rather than by numpy fancy indexing: the same answer
        whenever it is unique; when two of the positive weights that would be named are equal, the order
        numpy's argsort (not a stable sort) gives them decides, so that case still asks numpy."""
        if not ids:
            return []
        wcol = self._wcols.get(output)
        if wcol is None:
            if not self._finite:
                return self._top_features_numpy(ids, output, k)
            wcol = self._wcols[output] = array("f", self._W32[:, self.col[output]].tobytes())
        col = list(map(wcol.__getitem__, ids))
        ranked = sorted(col, reverse=True)
        top = [w for w in ranked[:k] if w > 0]
        vocab = self.vocab
        if len(set(top)) < len(top) or (len(top) == k and len(ranked) > k and ranked[k] == top[-1]):
            # a tie among the named: the order numpy's argsort gives them (the same float32 array as
            # ``_top_features_numpy`` builds, from the same values)
            order = np.argsort(np.negative(np.array(col, dtype=np.float32)))[:k].tolist()
            return [vocab[ids[i]] for i in order if col[i] > 0]
        return [vocab[ids[col.index(w)]] for w in top]

    def _top_features_numpy(self, ids: Sequence[int], output: str, k: int) -> list[str]:
        col = self._W32[list(ids), self.col[output]]
        order = np.argsort(-col)[:k]
        return [self.vocab[ids[i]] for i in order if col[i] > 0]

    # -- persistence -------------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / "model.npz", W=self.W.astype(np.float16), b=self.b.astype(np.float32))
        doc = {"format": FORMAT, "outputs": self.outputs, "meta": self.meta, "vocab": self.vocab}
        (directory / "model.json").write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))

    @classmethod
    def load(cls, directory: Path) -> LinearModel:
        doc = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError(f"{directory / 'model.json'}: not a {FORMAT} model")
        with np.load(directory / "model.npz", allow_pickle=False) as z:
            W, b = z["W"], z["b"]
        if W.shape != (len(doc["vocab"]), len(doc["outputs"])):
            raise ValueError(f"{directory}: weights {W.shape} do not fit the vocabulary and outputs")
        return cls(outputs=list(doc["outputs"]), vocab=list(doc["vocab"]), W=W, b=b,
                   meta=dict(doc.get("meta", {})))  # fmt: skip

    @classmethod
    def default(cls) -> LinearModel | None:
        """The model shipped with the package (built by ``tgintel train``), if there is one."""
        if (MODEL_DIR / "model.json").exists():
            return cls.load(MODEL_DIR)
        return None
