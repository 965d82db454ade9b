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
import threading
from array import array
from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from tgintel.accel import load as _load_accel
from tgintel.detect.classify.packing import packed_array

__all__ = ["MODEL_DIR", "LinearModel", "extract_features"]

MODEL_DIR = Path(__file__).parent / "data"
# ids_flat in C (``_c_terms.c``): real sets of the same objects in the same order, so the same id order.
_C = _load_accel("tgintel.detect.classify._c_terms")
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


class _WordTable(dict[str, int]):
    """word -> its column in ``feats``: the vocabulary ids of the features a word gives, found on first sight.

    Rows of ``feats`` (int32): the word's own id, whether it is long (over five letters), the ids of its
    ``<stem`` and ``end>``, and its codes as the first and as the second word of a vocabulary bigram (-1:
    never). A missing id is ``len(vocab)``, the index of ``None`` in ``LinearModel._objs``. ``add`` takes a
    chunk's new words together (one numpy write, not one per word).

    Thread-safe: columns are written before their words are published, ``feats`` is replaced when it grows,
    never resized in place, and a full table is replaced by an empty one rather than emptied, so a reader
    that took columns and then ``feats`` always reads a consistent pair."""

    MAX = 300_000  # words; then the model starts a new table

    def __init__(self, model: LinearModel) -> None:
        super().__init__()
        self._model = model
        self._lock = threading.Lock()
        self.feats = np.zeros((6, 4096), dtype=np.int32)

    def add(self, words: Iterable[str]) -> None:
        with self._lock:
            new = [w for w in dict.fromkeys(words) if w not in self]
            if not new:
                return
            first, end = len(self), len(self) + len(new)
            feats = self.feats
            if end > feats.shape[1]:  # columns past ``end`` are written before any reader gets them
                feats = np.empty((6, max(2 * feats.shape[1], end)), dtype=np.int32)
                feats[:, :first] = self.feats[:, :first]
            rows = itertools.chain.from_iterable(map(self._model._word_features, new))
            feats[:, first:end] = np.fromiter(rows, dtype=np.int32, count=6 * len(new)).reshape(-1, 6).T
            self.feats = feats
            self.update(zip(new, range(first, end), strict=True))


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
        nv = len(self.vocab)
        # Bigrams as integer keys (first word's code * number of second words + second word's code), sorted,
        # so a whole chunk's word pairs are looked up in one ``searchsorted`` instead of a tuple and a dict
        # probe per pair.
        pairs = [(tuple(f.split(" ")), i) for f, i in self.index.items() if f.count(" ") == 1]
        self._left = {a: n for n, a in enumerate(dict.fromkeys(a for (a, _b), _i in pairs))}
        self._right = {b: n for n, b in enumerate(dict.fromkeys(b for (_a, b), _i in pairs))}
        keys = [self._left[a] * len(self._right) + self._right[b] for (a, b), _i in pairs]
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        self._bigram_keys = np.array(keys, dtype=np.int64)[order]
        self._bigram_ids = np.array([i for _k, i in pairs], dtype=np.int32)[order]
        # row -> the Python object a feature id is (an int, or None for "not in the vocabulary")
        self._objs = np.empty(nv + 1, dtype=object)
        self._objs[:nv] = range(nv)
        self._objs_list = self._objs.tolist()  # the same objects, for the compiled id sets
        self._words = _WordTable(self)
        self._W32 = np.ascontiguousarray(self.W, dtype=np.float32)
        self._b32 = np.asarray(self.b, dtype=np.float32)
        self.col = {o: i for i, o in enumerate(self.outputs)}
        # The evidence order (see _places), built on first use; per output for top_features as an ``array``
        # (no objects: the garbage collector never walks its entries). Not with NaN weights (their order is
        # undefined): numpy's argsort then decides.
        self._place_table: tuple[np.ndarray, list[list[str]]] | None = None
        self._ranks: dict[str, tuple[array[int], list[str]]] = {}
        self._finite = bool(np.isfinite(self._W32).all())

    def _word_features(self, word: str) -> tuple[int, int, int, int, int, int]:
        """One row of the word table (see :class:`_WordTable`)."""
        get, missing = self.index.get, len(self.vocab)
        long = len(word) > 5
        stem = get("<" + word[:5], missing) if long else missing
        end = get(word[-4:] + ">", missing) if long else missing
        return (get(word, missing), long, stem, end, self._left.get(word, -1), self._right.get(word, -1))

    @property
    def finite(self) -> bool:
        """Whether every weight is finite (else ``top_features_batch`` leaves it to ``top_features``)."""
        return self._finite

    def forget_words(self) -> None:
        """Drop what is remembered per word (benchmarks: a cold start)."""
        self._words = _WordTable(self)

    def ids(self, toks: Sequence[str]) -> list[int]:
        """Vocabulary rows of the message's features (``extract_features``), each once (see ``ids_batch``)."""
        return self.ids_batch([toks])[0]

    def ids_batch(self, tok_lists: Sequence[Sequence[str]]) -> list[list[int]]:
        """Per message (its tokens), the vocabulary rows of its features, each once (see ``ids_flat``)."""
        indptr, indices = self.ids_flat(tok_lists)
        flat = indices.tolist()
        return [flat[a:b] for a, b in itertools.pairwise(indptr.tolist())]

    def ids_flat(self, tok_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """``ids_batch`` as ``flatten`` lays it out: message i's ids are ``indices[indptr[i]:indptr[i + 1]]``.

        The ids come out in one fixed order: that of a set built from the feature ids (``None``
        for a feature outside the vocabulary) in the order ``extract_features`` lists the features, with
        ``None`` then removed. That order decides the summation order of the product (float32 sums, so the
        last bit of a logit) and it is kept exactly: the lookups are done for the whole batch at once with
        numpy (word -> column of the word table; bigrams by ``searchsorted``), laid out message by message in
        ``extract_features`` order, and each message's set is built from its slice, without building any
        feature string or tuple."""
        if not tok_lists:
            return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32)
        table = self._words
        if len(table) > _WordTable.MAX:
            table = self._words = _WordTable(self)
        if _C is not None:
            return self._ids_flat_c(tok_lists, table)
        flat = list(itertools.chain.from_iterable(tok_lists))
        n = len(flat)
        found = list(map(table.get, flat, itertools.repeat(-1)))
        cols = packed_array(found, "q").astype(np.intp, copy=False)
        if n and cols.min() < 0:  # words not seen before: add them all, then look them up
            at = np.flatnonzero(cols < 0)
            words = list(map(flat.__getitem__, at.tolist()))
            table.add(words)
            cols[at] = list(map(table.__getitem__, words))
        # after the lookups: every column handed out is in this array (``take``: the same array as
        # ``feats[:, cols]``, without fancy indexing's general path, ~4x cheaper)
        feats = table.feats.take(cols, axis=1)
        nv = len(self.vocab)
        # bigram ids of the pairs (i, i + 1) of the flat token list (pairs across messages are dropped below)
        bigrams = np.full(max(n - 1, 0), nv, dtype=np.intp)
        keys = self._bigram_keys
        if n > 1 and len(keys):
            cand = np.flatnonzero((feats[4, :-1] >= 0) & (feats[5, 1:] >= 0))
            key = feats[4, cand].astype(np.int64) * len(self._right) + feats[5, cand + 1]
            at = np.searchsorted(keys, key)
            at[at == len(keys)] = 0
            hit = keys[at] == key
            bigrams[cand[hit]] = self._bigram_ids[at[hit]]
        # one sequence per message: its unigrams, bigrams, stems of long words, endings of long words
        m = len(tok_lists)
        t = np.fromiter(map(len, tok_lists), dtype=np.intp, count=m)
        msg = np.repeat(np.arange(m), t)  # message of each flat token
        long = np.flatnonzero(feats[1])
        nlong = np.bincount(msg[long], minlength=m)
        pairs = np.maximum(t - 1, 0)
        stop = np.cumsum(t + pairs + 2 * nlong)
        start = stop - (t + pairs + 2 * nlong)
        seq = np.empty(int(stop[-1]), dtype=np.intp)
        uni_at = (start - (np.cumsum(t) - t))[msg] + np.arange(n)  # start + position in the message
        seq[uni_at] = feats[0]
        if n > 1:
            inside = np.flatnonzero(msg[:-1] == msg[1:])  # pairs within one message
            seq[uni_at[inside] + t[msg[inside]]] = bigrams[inside]
        if len(long):
            lm = msg[long]
            stem_at = (start + t + pairs - (np.cumsum(nlong) - nlong))[lm] + np.arange(len(long))
            seq[stem_at] = feats[2, long]
            seq[stem_at + nlong[lm]] = feats[3, long]
        objs = self._objs[seq].tolist()
        # The sets are built, emptied of None and read out by C-level maps (no Python loop per message); the
        # caller classifies a chunk at a time, so they live only as long as the chunk.
        sets = list(map(set, map(objs.__getitem__, map(slice, start.tolist(), stop.tolist()))))
        deque(map(set.discard, sets, itertools.repeat(None)), maxlen=0)
        lens = np.zeros(m + 1, dtype=np.int64)
        lens[1:] = np.fromiter(map(len, sets), dtype=np.int64, count=m)
        indptr = np.cumsum(lens)
        indices = packed_array(list(itertools.chain.from_iterable(sets)), "i")
        return indptr, indices

    def _ids_flat_c(
        self, tok_lists: Sequence[Sequence[str]], table: _WordTable
    ) -> tuple[np.ndarray, np.ndarray]:
        """``ids_flat`` by the compiled twin (``_c_terms.c``): the same lookups and the same Python sets,
        without a Python object per feature; it names the words the table lacks, which are added first."""
        args = (self._bigram_keys, self._bigram_ids, len(self._right), self._objs_list)
        got = _C.ids_flat(tok_lists, table, table.feats, *args)
        while isinstance(got, list):
            table.add(got)
            got = _C.ids_flat(tok_lists, table, table.feats, *args)
        indptr, indices = got
        return np.frombuffer(indptr, dtype=np.int64), np.frombuffer(indices, dtype=np.int32)

    def flatten(self, id_lists: Sequence[Collection[int]]) -> tuple[np.ndarray, np.ndarray]:
        """``indptr`` and ``indices`` of the messages' ids, in their iteration order (the CSR layout)."""
        indptr = np.zeros(len(id_lists) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in id_lists], out=indptr[1:])
        indices = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int32, count=int(indptr[-1]))
        return indptr, indices

    def matrix(self, id_lists: Sequence[Collection[int]]) -> sparse.csr_matrix:
        return self._matrix(*self.flatten(id_lists))

    def _matrix(self, indptr: np.ndarray, indices: np.ndarray) -> sparse.csr_matrix:
        data = np.ones(len(indices), dtype=np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(self.vocab)))

    def logits(self, id_lists: Sequence[Collection[int]]) -> np.ndarray:
        """Raw scores (n messages x outputs)."""
        return self.logits_flat(*self.flatten(id_lists))

    def logits_flat(self, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """``logits`` from ``flatten``'s arrays."""
        if len(indptr) < 2:
            return np.zeros((0, len(self.outputs)), dtype=np.float32)
        return np.asarray(self._matrix(indptr, indices) @ self._W32) + self._b32

    def top_features(self, ids: Collection[int], output: str, k: int = 3) -> list[str]:
        """The features of a message that pushed hardest towards ``output``: the model's evidence.

        Highest weight first; among equal weights (float16 weights tie often) the feature string decides, so
        the evidence does not depend on the order of ``ids``. Each feature's place in that order is worked
        out once per model (``_places``), so a message costs a lookup per id and a sort of small ints."""
        if not ids:
            return []
        if not self._finite:
            return self._top_features_numpy(ids, output, k)
        ranked = self._ranks.get(output)
        if ranked is None:
            places, names = self._places()
            c = self.col[output]
            ranked = self._ranks[output] = (array("i", places[c].tobytes()), names[c])
        place, names_c = ranked
        return [names_c[r] for r in sorted(map(place.__getitem__, ids))[:k] if r < len(names_c)]

    def top_features_batch(
        self, indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int = 3
    ) -> list[list[str]] | None:
        """``top_features`` for many (message, output column) pairs at once (``rows`` index the messages of
        ``flatten``'s arrays, each message's ids distinct, as ``ids_flat`` gives them): k segment minima for
        all pairs at once instead of a sort per pair, the same answers as ``top_features``; ``None`` for a
        model with NaN weights (ask ``top_features``)."""
        if not self._finite:
            return None
        if not len(rows):
            return []
        places, names = self._places()
        nv = len(self.vocab)  # the place of every feature without positive weight: after all others
        first = indptr[rows]
        lens = indptr[rows + 1] - first
        ends = np.cumsum(lens)
        starts = ends - lens
        at = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(first - starts, lens)
        # places[col, id] read through the flat array (a 1-D gather: ~3x cheaper than the 2-D one)
        vals = places.ravel()[np.repeat(cols, lens) * places.shape[1] + indices[at]]
        if not len(vals):
            return [[] for _ in range(len(rows))]
        # The k smallest places of each pair, smallest first (nv: none), by k segment minima
        # (``minimum.reduceat``, linear) instead of sorting every pair's places (callgrind: ~4,000 fewer
        # instructions a message on the bench). Each found minimum is then replaced by nv: a message's ids are
        # distinct and so are the places below nv in one column, so only that one entry holds it, and
        # replacing nv by nv changes nothing.
        full = lens > 0
        seg = starts[full]
        top = []
        for j in range(k):
            least = np.full(len(rows), nv, dtype=vals.dtype)
            least[full] = np.minimum.reduceat(vals, seg)
            top.append(least.tolist())
            if j + 1 < k:
                vals[vals == np.repeat(least, lens)] = nv
        out = []
        for c, *found in zip(cols.tolist(), *top, strict=True):
            names_c = names[c]
            out.append([names_c[r] for r in found if r < nv])
        return out

    def _places(self) -> tuple[np.ndarray, list[list[str]]]:
        """Per output column: each feature's place in the evidence order (weight descending, then feature
        string ascending; features without positive weight: ``len(vocab)``), and the features in that order.
        Built on first use."""
        if self._place_table is None:
            vocab = self.vocab
            by_string = np.empty(len(vocab), dtype=np.int64)
            by_string[sorted(range(len(vocab)), key=vocab.__getitem__)] = np.arange(len(vocab))
            places = np.full((len(self.outputs), len(vocab)), len(vocab), dtype=np.int32)
            names: list[list[str]] = []
            for c in range(len(self.outputs)):
                col = self._W32[:, c]
                positive = np.flatnonzero(col > 0)
                order = positive[np.lexsort((by_string[positive], np.negative(col[positive])))]
                places[c, order] = np.arange(len(order))
                names.append([vocab[i] for i in order.tolist()])
            self._place_table = (places, names)
        return self._place_table

    def _top_features_numpy(self, ids: Collection[int], output: str, k: int) -> list[str]:
        ids = list(ids)
        col = self._W32[ids, self.col[output]]
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
