/* The classifier's per-message hot loops in C: word tokens, the rule terms' pass and the model's
 * per-message id sets. Each function mirrors a pure-Python reference exactly (the reference stays the
 * fallback; tests/classify/test_c_terms.py compares both on generated and corpus texts):
 *
 *   tokens(norm)                  text.py  _tokens_python: the \w+ runs of a str, \w as Python's re reads
 *                                 it for str patterns (str.isalnum() per character, or "_").
 *   TermMatcher(...).fired(toks)  rules.py RuleSet._fired_terms_python: the set of term ids whose key
 *                                 string occurs in " " + " ".join(toks) + " " (toks first extended by the
 *                                 digit-read forms of its words when one word mixes letters and digits),
 *                                 keys shared by several terms expanded and prefix-inside terms confirmed
 *                                 word by word. fired_chunk(toks_list) gives a chunk's (text, term) keys
 *                                 as match_chunk sorts them.
 *   id_sets(seq, start, stop, objs)  model.py LinearModel.ids_flat's tail: per message a real Python set
 *                                 built from the same objects in the same order (so its iteration order,
 *                                 which fixes the float32 summation order of the logits, is CPython's own),
 *                                 emptied of None, read out as int32.
 *
 * Why a trie walked from every space instead of Aho-Corasick: every key starts with a space and every
 * space of the joined string starts a word, so the keys found are exactly those that are prefixes of the
 * string at a space; the walk from each space stops at the first character no key continues with, which
 * on market posts is a few characters, and no Python object is made per match.
 *
 * Text is hostile: any code point (lone surrogates, NUL, astral), any length; sizes are checked before
 * every allocation, and every Python error is passed on.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* -- word characters ------------------------------------------------------------------------------------ */
/* Python's character tests for code points below 256, worked out once (the same functions decide) */
enum { C_WORD = 1, C_ALPHA = 2, C_DECIMAL = 4, C_DIGIT = 8 };
static unsigned char latin1_word[256]; /* \w (str.isalnum() or "_") */
static unsigned char latin1_class[256];

static inline int is_word(Py_UCS4 ch) {
    if (ch < 256) return latin1_word[ch];
    return Py_UNICODE_ISALNUM(ch);
}

static inline int char_class(Py_UCS4 ch) {
    if (ch < 256) return latin1_class[ch];
    return (is_word(ch) ? C_WORD : 0) | (Py_UNICODE_ISALPHA(ch) ? C_ALPHA : 0) |
           (Py_UNICODE_ISDECIMAL(ch) ? C_DECIMAL : 0) | (Py_UNICODE_ISDIGIT(ch) ? C_DIGIT : 0);
}

static int ready(PyObject *s) {
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_READY(s);
#else
    (void)s;
    return 0;
#endif
}

/* tokens(norm) -> list[str] */
static PyObject *c_tokens(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "tokens() needs a str");
        return NULL;
    }
    if (ready(arg) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t s;
        if (kind == PyUnicode_1BYTE_KIND) {
            const Py_UCS1 *d = (const Py_UCS1 *)data;
            while (i < n && !latin1_word[d[i]]) i++;
            s = i;
            while (i < n && latin1_word[d[i]]) i++;
        } else {
            while (i < n && !is_word(PyUnicode_READ(kind, data, i))) i++;
            s = i;
            while (i < n && is_word(PyUnicode_READ(kind, data, i))) i++;
        }
        if (s == i) break;
        PyObject *w = PyUnicode_Substring(arg, s, i);
        if (w == NULL) goto fail;
        int rc = PyList_Append(out, w);
        Py_DECREF(w);
        if (rc < 0) goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* -- growable buffers ------------------------------------------------------------------------------------ */
typedef struct {
    void *p;
    size_t len, cap, item;
} Buf;

static int buf_grow(Buf *b, size_t more);

static inline int buf_reserve(Buf *b, size_t more) {
    if (more <= b->cap - b->len) return 0;
    return buf_grow(b, more);
}

static int buf_grow(Buf *b, size_t more) {
    if (more > SIZE_MAX / b->item - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    size_t need = b->len + more;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / b->item) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    void *p = realloc(b->p, cap * b->item);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void buf_free(Buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

#define BUF(T) {NULL, 0, 0, sizeof(T)}
#define AT(b, T) ((T *)(b).p)

/* -- the term matcher ------------------------------------------------------------------------------------ */
typedef struct {
    PyObject_HEAD
    /* trie edges: open addressing, key (node << 21 | code point) | EDGE_USED -> child node */
    uint64_t *ekeys;
    int32_t *echild;
    uint64_t emask;
    int eshift;
    int32_t *value; /* per node: the key's value, or -1 */
    Py_ssize_t nnodes;
    Py_ssize_t nterms, nspecial;
    /* special values (nterms + k): ids that fire, ids to confirm (flat, with offsets) */
    Py_ssize_t *sp_plain_off, *sp_conf_off;
    int32_t *sp_plain, *sp_conf;
    /* per term: its words (flat code points, offsets per word), and per word whether it is a prefix */
    Py_ssize_t *term_word_off; /* nterms + 1, into word_off */
    Py_ssize_t *word_off;      /* nwords + 1, into chars */
    unsigned char *word_stem;
    Py_UCS4 *chars;
    int ready; /* set by a successful __init__ only */
} TermMatcher;

#define EDGE_USED (1ULL << 63)

static inline uint64_t edge_slot(const TermMatcher *m, uint64_t key) {
    return ((key * 0x9E3779B97F4A7C15ULL) >> m->eshift) & m->emask;
}

static inline int32_t edge_get(const TermMatcher *m, int32_t node, Py_UCS4 ch) {
    uint64_t key = ((uint64_t)node << 21 | ch) | EDGE_USED;
    uint64_t i = edge_slot(m, key);
    for (;;) {
        uint64_t k = m->ekeys[i];
        if (k == key) return m->echild[i];
        if (k == 0) return -1;
        i = (i + 1) & m->emask;
    }
}

static void tm_dealloc(TermMatcher *m) {
    free(m->ekeys);
    free(m->echild);
    free(m->value);
    free(m->sp_plain_off);
    free(m->sp_conf_off);
    free(m->sp_plain);
    free(m->sp_conf);
    free(m->term_word_off);
    free(m->word_off);
    free(m->word_stem);
    free(m->chars);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

/* An int in [lo, hi) from a Python int, or -1 with an error set. Only exact ints (and, below, exact bools
 * and str): converting them runs no Python code, so the lists being read cannot change meanwhile. */
static Py_ssize_t int_in(PyObject *o, Py_ssize_t lo, Py_ssize_t hi, const char *what) {
    if (!PyLong_CheckExact(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int", what);
        return -1;
    }
    Py_ssize_t v = PyLong_AsSsize_t(o);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < lo || v >= hi) {
        PyErr_Format(PyExc_ValueError, "%s %zd out of range", what, v);
        return -1;
    }
    return v;
}

static int read_id_tuple(PyObject *tup, Buf *ids, Py_ssize_t nterms) {
    if (!PyTuple_Check(tup)) {
        PyErr_SetString(PyExc_TypeError, "special rows hold tuples of term ids");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tup);
    if (buf_reserve(ids, (size_t)n) < 0) return -1;
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_ssize_t v = int_in(PyTuple_GET_ITEM(tup, j), 0, nterms, "term id");
        if (v < 0) return -1;
        AT(*ids, int32_t)[ids->len++] = (int32_t)v;
    }
    return 0;
}

/* TermMatcher(keys, values, nterms, specials, term_words, term_stems) */
static int tm_init(TermMatcher *m, PyObject *args, PyObject *kwds) {
    PyObject *keys, *values, *specials, *words, *stems;
    Py_ssize_t nterms;
    static char *kwlist[] = {"keys", "values", "nterms", "specials", "term_words", "term_stems", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!nO!O!O!", kwlist, &PyList_Type, &keys, &PyList_Type,
                                     &values, &nterms, &PyList_Type, &specials, &PyList_Type, &words,
                                     &PyList_Type, &stems))
        return -1;
    if (m->ekeys != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TermMatcher is initialised once");
        return -1;
    }
    Py_ssize_t nkeys = PyList_GET_SIZE(keys);
    if (PyList_GET_SIZE(values) != nkeys || PyList_GET_SIZE(words) != nterms ||
        PyList_GET_SIZE(stems) != nterms || nterms < 0 || nterms > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "TermMatcher: lengths do not agree");
        return -1;
    }
    m->nterms = nterms;
    m->nspecial = PyList_GET_SIZE(specials);
    if (m->nspecial > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "TermMatcher: too many special rows");
        return -1;
    }
    /* trie: at most 1 + total key length nodes */
    size_t total = 1;
    for (Py_ssize_t k = 0; k < nkeys; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        if (!PyUnicode_CheckExact(key) || ready(key) < 0) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "TermMatcher: keys are str");
            return -1;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        if (len < 1 || PyUnicode_READ_CHAR(key, 0) != ' ') {
            PyErr_SetString(PyExc_ValueError, "TermMatcher: every key starts with a space");
            return -1;
        }
        total += (size_t)len;
        if (total > INT32_MAX / 4) {
            PyErr_SetString(PyExc_ValueError, "TermMatcher: keys too long");
            return -1;
        }
    }
    uint64_t size = 16;
    int bits = 4;
    while (size < 2 * (uint64_t)total) {
        size *= 2;
        bits++;
    }
    m->emask = size - 1;
    m->eshift = 64 - bits;
    m->ekeys = calloc(size, sizeof(uint64_t));
    m->echild = calloc(size, sizeof(int32_t));
    m->value = malloc(total * sizeof(int32_t));
    if (!m->ekeys || !m->echild || !m->value) {
        PyErr_NoMemory();
        return -1;
    }
    m->value[0] = -1;
    m->nnodes = 1;
    Py_ssize_t nvalues = nterms + m->nspecial;
    for (Py_ssize_t k = 0; k < nkeys; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        Py_ssize_t v = int_in(PyList_GET_ITEM(values, k), 0, nvalues, "key value");
        if (v < 0) return -1;
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        int32_t node = 0;
        for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(key); i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            int32_t child = edge_get(m, node, ch);
            if (child < 0) {
                child = (int32_t)m->nnodes++;
                m->value[child] = -1;
                uint64_t ekey = ((uint64_t)node << 21 | ch) | EDGE_USED;
                uint64_t s = edge_slot(m, ekey);
                while (m->ekeys[s] != 0) s = (s + 1) & m->emask;
                m->ekeys[s] = ekey;
                m->echild[s] = child;
            }
            node = child;
        }
        m->value[node] = (int32_t)v;
    }
    /* special rows */
    m->sp_plain_off = malloc((size_t)(m->nspecial + 1) * sizeof(Py_ssize_t));
    m->sp_conf_off = malloc((size_t)(m->nspecial + 1) * sizeof(Py_ssize_t));
    if (!m->sp_plain_off || !m->sp_conf_off) {
        PyErr_NoMemory();
        return -1;
    }
    Buf plain = BUF(int32_t), conf = BUF(int32_t);
    m->sp_plain_off[0] = m->sp_conf_off[0] = 0;
    for (Py_ssize_t k = 0; k < m->nspecial; k++) {
        PyObject *row = PyList_GET_ITEM(specials, k);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 2) {
            PyErr_SetString(PyExc_TypeError, "special rows are (plain ids, ids to confirm)");
            goto fail_sp;
        }
        if (read_id_tuple(PyTuple_GET_ITEM(row, 0), &plain, nterms) < 0) goto fail_sp;
        if (read_id_tuple(PyTuple_GET_ITEM(row, 1), &conf, nterms) < 0) goto fail_sp;
        m->sp_plain_off[k + 1] = (Py_ssize_t)plain.len;
        m->sp_conf_off[k + 1] = (Py_ssize_t)conf.len;
    }
    m->sp_plain = plain.p;
    m->sp_conf = conf.p;
    /* the terms' words */
    m->term_word_off = malloc((size_t)(nterms + 1) * sizeof(Py_ssize_t));
    if (!m->term_word_off) {
        PyErr_NoMemory();
        return -1;
    }
    Buf woff = BUF(Py_ssize_t), wstem = BUF(unsigned char), chars = BUF(Py_UCS4);
    if (buf_reserve(&woff, 1) < 0) goto fail_w;
    AT(woff, Py_ssize_t)[woff.len++] = 0;
    m->term_word_off[0] = 0;
    for (Py_ssize_t t = 0; t < nterms; t++) {
        PyObject *tw = PyList_GET_ITEM(words, t), *ts = PyList_GET_ITEM(stems, t);
        if (!PyTuple_Check(tw) || !PyTuple_Check(ts) || PyTuple_GET_SIZE(tw) != PyTuple_GET_SIZE(ts) ||
            PyTuple_GET_SIZE(tw) < 1) {
            PyErr_SetString(PyExc_ValueError, "term words and stems are tuples of one length (>= 1)");
            goto fail_w;
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(tw); j++) {
            PyObject *w = PyTuple_GET_ITEM(tw, j);
            if (!PyUnicode_CheckExact(w) || ready(w) < 0) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "term words are str");
                goto fail_w;
            }
            PyObject *stem = PyTuple_GET_ITEM(ts, j);
            if (!PyBool_Check(stem)) {
                PyErr_SetString(PyExc_TypeError, "term stems are bools");
                goto fail_w;
            }
            int st = stem == Py_True;
            Py_ssize_t len = PyUnicode_GET_LENGTH(w);
            if (buf_reserve(&chars, (size_t)len) < 0 || buf_reserve(&woff, 1) < 0 || buf_reserve(&wstem, 1) < 0)
                goto fail_w;
            for (Py_ssize_t i = 0; i < len; i++) AT(chars, Py_UCS4)[chars.len++] = PyUnicode_READ_CHAR(w, i);
            AT(woff, Py_ssize_t)[woff.len++] = (Py_ssize_t)chars.len;
            AT(wstem, unsigned char)[wstem.len++] = (unsigned char)st;
        }
        m->term_word_off[t + 1] = (Py_ssize_t)woff.len - 1;
    }
    m->word_off = woff.p;
    m->word_stem = wstem.p;
    m->chars = chars.p;
    m->ready = 1;
    return 0;
fail_sp:
    buf_free(&plain);
    buf_free(&conf);
    return -1;
fail_w:
    buf_free(&woff);
    buf_free(&wstem);
    buf_free(&chars);
    return -1;
}

/* -- one message ------------------------------------------------------------------------------------------ */
/* Scratch for one call: the joined text, its words' spans, the values found, the term ids. */
typedef struct {
    Buf text;  /* Py_UCS4 */
    Buf spans; /* Py_ssize_t pairs: start, length of each word in text */
    Buf vals;  /* int32_t */
    Buf ids;   /* int32_t */
} Scratch;

static void scratch_free(Scratch *s) {
    buf_free(&s->text);
    buf_free(&s->spans);
    buf_free(&s->vals);
    buf_free(&s->ids);
}

/* [^\W\d_] of Python's re: a word character that is neither a decimal digit nor "_" */
static inline int letterish(Py_UCS4 ch) {
    return ch != '_' && (char_class(ch) & (C_WORD | C_DECIMAL)) == C_WORD;
}
static inline int ascii_digit(Py_UCS4 ch) { return ch >= '0' && ch <= '9'; }

/* _MIXED.search(word): a letter next to an ASCII digit */
static int mixed(int kind, const void *d, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!ascii_digit(PyUnicode_READ(kind, d, i))) continue;
        if ((i > 0 && letterish(PyUnicode_READ(kind, d, i - 1))) ||
            (i + 1 < n && letterish(PyUnicode_READ(kind, d, i + 1))))
            return 1;
    }
    return 0;
}

/* Whether _WordForms gives the word a non-empty digit-read form: not str.isalpha(), str.isdecimal() or
 * str.isdigit(); an empty word has none (the Python drops empty forms). */
static int has_form(int kind, const void *d, Py_ssize_t n) {
    if (n == 0) return 0;
    int all = C_ALPHA | C_DECIMAL | C_DIGIT;
    for (Py_ssize_t i = 0; i < n && all; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, d, i);
        if (ch < 256) {
            all &= latin1_class[ch];
            continue;
        }
        int c = 0; /* only the tests still open */
        if ((all & C_ALPHA) && Py_UNICODE_ISALPHA(ch)) c |= C_ALPHA;
        if ((all & C_DECIMAL) && Py_UNICODE_ISDECIMAL(ch)) c |= C_DECIMAL;
        if ((all & C_DIGIT) && Py_UNICODE_ISDIGIT(ch)) c |= C_DIGIT;
        all &= c;
    }
    return all == 0;
}

static inline Py_UCS4 leet(Py_UCS4 ch) { /* str.maketrans("013457@$", "oieastas") */
    switch (ch) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    default: return ch;
    }
}

static int add_word(Scratch *s, int kind, const void *d, Py_ssize_t n, int translate) {
    if (buf_reserve(&s->text, (size_t)n + 1) < 0 || buf_reserve(&s->spans, 2) < 0) return -1;
    Py_UCS4 *t = AT(s->text, Py_UCS4);
    AT(s->spans, Py_ssize_t)[s->spans.len++] = (Py_ssize_t)s->text.len;
    AT(s->spans, Py_ssize_t)[s->spans.len++] = n;
    if (kind == PyUnicode_1BYTE_KIND && !translate) {
        const Py_UCS1 *b = d;
        for (Py_ssize_t i = 0; i < n; i++) t[s->text.len++] = b[i];
    } else {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, d, i);
            t[s->text.len++] = translate ? leet(ch) : ch;
        }
    }
    t[s->text.len++] = ' ';
    return 0;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* sort and drop repeats; returns the new length */
static size_t sort_unique(int32_t *v, size_t n) {
    if (n < 2) return n;
    if (n <= 32) { /* insertion sort: a message's handful of values */
        for (size_t i = 1; i < n; i++) {
            int32_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
            v[j] = x;
        }
    } else {
        qsort(v, n, sizeof(int32_t), cmp_i32);
    }
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

static inline int word_is(const Py_UCS4 *w, Py_ssize_t wn, const Py_UCS4 *t, Py_ssize_t tn, int prefix) {
    if (prefix ? wn < tn : wn != tn) return 0;
    return tn == 0 || memcmp(w, t, (size_t)tn * sizeof(Py_UCS4)) == 0;
}

/* RuleSet._confirm: term ti matches word by word somewhere in the message's words */
static int confirm(const TermMatcher *m, const Scratch *s, int32_t ti) {
    Py_ssize_t w0 = m->term_word_off[ti], nw = m->term_word_off[ti + 1] - w0;
    Py_ssize_t nwords = (Py_ssize_t)s->spans.len / 2;
    const Py_ssize_t *sp = AT(s->spans, Py_ssize_t);
    const Py_UCS4 *text = AT(s->text, Py_UCS4);
    Py_ssize_t f0 = m->word_off[w0], flen = m->word_off[w0 + 1] - f0;
    int first_prefix = m->word_stem[w0] && flen >= 3;
    for (Py_ssize_t i = 0; i + nw <= nwords; i++) {
        if (!word_is(text + sp[2 * i], sp[2 * i + 1], m->chars + f0, flen, first_prefix)) continue;
        Py_ssize_t j = 1;
        for (; j < nw; j++) {
            Py_ssize_t a = m->word_off[w0 + j], len = m->word_off[w0 + j + 1] - a;
            if (!word_is(text + sp[2 * (i + j)], sp[2 * (i + j) + 1], m->chars + a, len, m->word_stem[w0 + j]))
                break;
        }
        if (j == nw) return 1;
    }
    return 0;
}

/* The fired term ids of one message's words into s->ids, sorted, each once. */
static int fire_words(const TermMatcher *m, Scratch *s, PyObject *toks);

static int fire(const TermMatcher *m, Scratch *s, PyObject *words) {
    PyObject *toks = PySequence_Fast(words, "words must be a list of str");
    if (toks == NULL) return -1;
    int rc = fire_words(m, s, toks);
    Py_DECREF(toks);
    return rc;
}

/* fire() for a list or tuple */
static int fire_words(const TermMatcher *m, Scratch *s, PyObject *toks) {
    s->text.len = s->spans.len = s->vals.len = s->ids.len = 0;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(toks);
    if (buf_reserve(&s->text, 1) < 0) return -1;
    AT(s->text, Py_UCS4)[s->text.len++] = ' ';
    int any_mixed = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PySequence_Fast_GET_ITEM(toks, i);
        if (!PyUnicode_Check(w) || ready(w) < 0) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "words must be a list of str");
            return -1;
        }
        int kind = PyUnicode_KIND(w);
        const void *d = PyUnicode_DATA(w);
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        if (add_word(s, kind, d, len, 0) < 0) return -1;
        if (!any_mixed && mixed(kind, d, len)) any_mixed = 1;
    }
    if (any_mixed) { /* the digit-read forms of the words that have one, after the words */
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *w = PySequence_Fast_GET_ITEM(toks, i);
            int kind = PyUnicode_KIND(w);
            const void *d = PyUnicode_DATA(w);
            Py_ssize_t len = PyUnicode_GET_LENGTH(w);
            if (has_form(kind, d, len) && add_word(s, kind, d, len, 1) < 0) return -1;
        }
    }
    if (s->spans.len == 0) { /* " ".join([]) : the text is two spaces */
        if (buf_reserve(&s->text, 1) < 0) return -1;
        AT(s->text, Py_UCS4)[s->text.len++] = ' ';
    }
    /* every key starts with a space: walk the trie from each space */
    const Py_UCS4 *t = AT(s->text, Py_UCS4);
    size_t len = s->text.len;
    for (size_t p = 0; p < len; p++) {
        if (t[p] != ' ') continue;
        int32_t node = 0;
        for (size_t q = p; q < len; q++) {
            node = edge_get(m, node, t[q]);
            if (node < 0) break;
            int32_t v = m->value[node];
            if (v >= 0) {
                if (buf_reserve(&s->vals, 1) < 0) return -1;
                AT(s->vals, int32_t)[s->vals.len++] = v;
            }
        }
    }
    size_t nv = sort_unique(AT(s->vals, int32_t), s->vals.len);
    const int32_t *vals = AT(s->vals, int32_t);
    if (nv == 0) return 0;
    if (vals[nv - 1] < m->nterms) { /* the usual case: no shared or prefix-inside key */
        if (buf_reserve(&s->ids, nv) < 0) return -1;
        memcpy(s->ids.p, vals, nv * sizeof(int32_t));
        s->ids.len = nv;
        return 0;
    }
    for (size_t k = 0; k < nv; k++) {
        int32_t v = vals[k];
        if (v < m->nterms) {
            if (buf_reserve(&s->ids, 1) < 0) return -1;
            AT(s->ids, int32_t)[s->ids.len++] = v;
            continue;
        }
        Py_ssize_t r = v - m->nterms;
        Py_ssize_t a = m->sp_plain_off[r], b = m->sp_plain_off[r + 1];
        if (buf_reserve(&s->ids, (size_t)(b - a)) < 0) return -1;
        for (Py_ssize_t j = a; j < b; j++) AT(s->ids, int32_t)[s->ids.len++] = m->sp_plain[j];
    }
    /* ids to confirm: those not fired already (confirming is a pure test, so the order does not matter) */
    size_t plain = sort_unique(AT(s->ids, int32_t), s->ids.len);
    s->ids.len = plain;
    for (size_t k = 0; k < nv; k++) {
        int32_t v = vals[k];
        if (v < m->nterms) continue;
        Py_ssize_t r = v - m->nterms;
        for (Py_ssize_t j = m->sp_conf_off[r]; j < m->sp_conf_off[r + 1]; j++) {
            int32_t ti = m->sp_conf[j];
            if (plain && bsearch(&ti, s->ids.p, plain, sizeof(int32_t), cmp_i32) != NULL) continue;
            if (confirm(m, s, ti)) {
                if (buf_reserve(&s->ids, 1) < 0) return -1;
                AT(s->ids, int32_t)[s->ids.len++] = ti;
            }
        }
    }
    s->ids.len = sort_unique(AT(s->ids, int32_t), s->ids.len);
    return 0;
}

static int check_ready(const TermMatcher *m) {
    if (m->ready) return 0;
    PyErr_SetString(PyExc_RuntimeError, "TermMatcher was not initialised");
    return -1;
}

/* fired(toks) -> set[int] */
static PyObject *tm_fired(TermMatcher *m, PyObject *toks) {
    if (check_ready(m) < 0) return NULL;
    Scratch s = {BUF(Py_UCS4), BUF(Py_ssize_t), BUF(int32_t), BUF(int32_t)};
    PyObject *out = NULL;
    if (fire(m, &s, toks) < 0) goto done;
    out = PySet_New(NULL);
    if (out == NULL) goto done;
    for (size_t k = 0; k < s.ids.len; k++) {
        PyObject *v = PyLong_FromLong(AT(s.ids, int32_t)[k]);
        if (v == NULL || PySet_Add(out, v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(v);
    }
done:
    scratch_free(&s);
    return out;
}

/* fired_chunk(toks_list) -> bytes: int64 keys text * nterms + term id, ascending */
static PyObject *tm_fired_chunk(TermMatcher *m, PyObject *toks_list) {
    if (check_ready(m) < 0) return NULL;
    if (!PyList_Check(toks_list)) {
        PyErr_SetString(PyExc_TypeError, "fired_chunk needs a list of word lists");
        return NULL;
    }
    Scratch s = {BUF(Py_UCS4), BUF(Py_ssize_t), BUF(int32_t), BUF(int32_t)};
    Buf keys = BUF(int64_t);
    PyObject *out = NULL;
    for (Py_ssize_t r = 0; r < PyList_GET_SIZE(toks_list); r++) {
        PyObject *item = PyList_GET_ITEM(toks_list, r);
        Py_INCREF(item); /* an item's __iter__ may change the list */
        int rc = fire(m, &s, item);
        Py_DECREF(item);
        if (rc < 0) goto done;
        if (buf_reserve(&keys, s.ids.len) < 0) goto done;
        for (size_t k = 0; k < s.ids.len; k++)
            AT(keys, int64_t)[keys.len++] = (int64_t)r * m->nterms + AT(s.ids, int32_t)[k];
    }
    if (keys.len > (size_t)PY_SSIZE_T_MAX / sizeof(int64_t)) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyBytes_FromStringAndSize(keys.p ? keys.p : "", (Py_ssize_t)(keys.len * sizeof(int64_t)));
done:
    scratch_free(&s);
    buf_free(&keys);
    return out;
}

static PyMethodDef tm_methods[] = {
    {"fired", (PyCFunction)tm_fired, METH_O, "The set of term ids found in a message's words."},
    {"fired_chunk", (PyCFunction)tm_fired_chunk, METH_O,
     "For a list of word lists: bytes of int64 keys text * nterms + term id, ascending."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TermMatcherType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tgintel.detect.classify._c_terms.TermMatcher",
    .tp_basicsize = sizeof(TermMatcher),
    .tp_dealloc = (destructor)tm_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Rule terms' keys in a trie, walked from every space of a message's joined words.",
    .tp_methods = tm_methods,
    .tp_init = (initproc)tm_init,
    .tp_new = PyType_GenericNew,
};

/* -- the model's per-message id sets ---------------------------------------------------------------------- */
static int typed_view(PyObject *o, Py_buffer *view, Py_ssize_t itemsize, int ndim, const char *what) {
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    int ok = view->itemsize == itemsize && view->ndim == ndim &&
             (itemsize == 8 ? (strcmp(f, "q") == 0 || strcmp(f, "l") == 0) : strcmp(f, "i") == 0);
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous %d-d int%zd array", what, ndim, 8 * itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* A set's ints appended to ids (room reserved), in the set's iteration order. */
static int read_set(PyObject *set, Buf *ids) {
#if PY_VERSION_HEX < 0x030D0000
    Py_ssize_t pos = 0;
    PyObject *key;
    Py_hash_t hash;
    while (_PySet_NextEntry(set, &pos, &key, &hash)) {
#else
    PyObject *it = PyObject_GetIter(set), *key;
    if (it == NULL) return -1;
    while ((key = PyIter_Next(it)) != NULL) {
        Py_DECREF(key); /* the set holds it */
#endif
        long v = PyLong_AsLong(key);
        if ((v == -1 && PyErr_Occurred()) || v < INT32_MIN || v > INT32_MAX || ids->len >= ids->cap) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "an id does not fit int32");
#if PY_VERSION_HEX >= 0x030D0000
            Py_DECREF(it);
#endif
            return -1;
        }
        AT(*ids, int32_t)[ids->len++] = (int32_t)v;
    }
#if PY_VERSION_HEX >= 0x030D0000
    Py_DECREF(it);
    if (PyErr_Occurred()) return -1;
#endif
    return 0;
}

/* The index of key in the ascending keys, or -1. */
static Py_ssize_t find_key(const int64_t *keys, Py_ssize_t n, int64_t key) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && keys[lo] == key ? lo : -1;
}

enum { F_ID, F_LONG, F_STEM, F_END, F_LEFT, F_RIGHT, F_ROWS };

/* ids_flat(tok_lists, table, feats, bigram_keys, bigram_ids, nright, objs)
 *   -> (indptr bytearray int64 (m + 1), indices bytearray int32), or the list of words not in table.
 * LinearModel.ids_flat after its empty-input check: per message the word table's rows of its words (feats:
 * int32, 6 x columns), its features in extract_features order (unigrams, bigrams, stems of long words,
 * endings of long words; a feature outside the vocabulary is objs' last entry, None), put into a Python set
 * of objs' entries in that order, None discarded, read out in the set's order. */
static PyObject *c_ids_flat(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *tok_lists, *table, *feats_o, *keys_o, *bids_o, *objs;
    Py_ssize_t nright;
    if (!PyArg_ParseTuple(args, "OO!OOOnO!", &tok_lists, &PyDict_Type, &table, &feats_o, &keys_o, &bids_o,
                          &nright, &PyList_Type, &objs))
        return NULL;
    if (nright < 0 || nright > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "ids_flat: nright is outside 0..2**31-1");
        return NULL;
    }
    /* Tuples of the messages and of each message's words: a caller's list that Python code run from here
     * (an item's __iter__, a key's __eq__) shrinks can't leave a stale length behind. Words must be exact
     * str. */
    PyObject *outer = PySequence_Tuple(tok_lists);
    if (outer == NULL) return NULL;
    Py_ssize_t m = PyTuple_GET_SIZE(outer);
    PyObject *result = NULL, *missing = NULL, *indptr = NULL, *inner = NULL;
    Py_buffer feats = {0}, keys = {0}, bids = {0};
    Buf cols = BUF(int64_t), seq = BUF(int64_t), ids = BUF(int32_t);
    Py_ssize_t *msg_len = PyMem_Calloc((size_t)m + 1, sizeof(Py_ssize_t));
    if (msg_len == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* 1. every word's column in the word table; the words it lacks, if any */
    for (Py_ssize_t i = 0; i < m; i++) {
        inner = PySequence_Tuple(PyTuple_GET_ITEM(outer, i));
        if (inner == NULL) goto done;
        Py_ssize_t n = PyTuple_GET_SIZE(inner);
        if (buf_reserve(&cols, (size_t)n) < 0) goto done;
        for (Py_ssize_t j = 0; j < n; j++) {
            PyObject *w = PyTuple_GET_ITEM(inner, j);
            if (!PyUnicode_CheckExact(w)) {
                PyErr_SetString(PyExc_TypeError, "ids_flat: words must be str");
                goto done;
            }
            PyObject *col = PyDict_GetItemWithError(table, w);
            if (col == NULL) {
                if (PyErr_Occurred()) goto done;
                if (missing == NULL && (missing = PyList_New(0)) == NULL) goto done;
                if (PyList_Append(missing, w) < 0) goto done;
                AT(cols, int64_t)[cols.len++] = -1;
                continue;
            }
            Py_ssize_t c = PyLong_AsSsize_t(col);
            if (c == -1 && PyErr_Occurred()) goto done;
            AT(cols, int64_t)[cols.len++] = c;
        }
        msg_len[i] = n;
        Py_CLEAR(inner);
    }
    if (missing != NULL) {
        result = missing;
        missing = NULL;
        goto done;
    }
    if (typed_view(feats_o, &feats, 4, 2, "feats") < 0) goto done;
    if (typed_view(keys_o, &keys, 8, 1, "bigram_keys") < 0) goto done;
    if (typed_view(bids_o, &bids, 4, 1, "bigram_ids") < 0) goto done;
    if (feats.shape[0] != F_ROWS || keys.len / 8 != bids.len / 4) {
        PyErr_SetString(PyExc_ValueError, "ids_flat: feats has 6 rows, bigram keys and ids one length");
        goto done;
    }
    Py_ssize_t ncols = feats.shape[1], nkeys = keys.len / 8, nobj = PyList_GET_SIZE(objs);
    const int32_t *F = feats.buf;
    const int64_t *K = keys.buf;
    const int32_t *B = bids.buf;
    const int32_t missing_id = (int32_t)(nobj - 1); /* objs[-1] is None: a feature outside the vocabulary */
    if (nobj < 1) {
        PyErr_SetString(PyExc_ValueError, "ids_flat: objs is empty");
        goto done;
    }
    for (size_t k = 0; k < cols.len; k++) {
        if (AT(cols, int64_t)[k] < 0 || AT(cols, int64_t)[k] >= ncols) {
            PyErr_SetString(PyExc_ValueError, "ids_flat: a word's column is outside feats");
            goto done;
        }
    }
#define ROW(r, c) F[(Py_ssize_t)(r) * ncols + (c)]
    indptr = PyByteArray_FromStringAndSize(NULL, (m + 1) * 8);
    if (indptr == NULL) goto done;
    int64_t *ip = (int64_t *)PyByteArray_AS_STRING(indptr);
    ip[0] = 0;
    const int64_t *cl = AT(cols, int64_t);
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t n = msg_len[i];
        /* 2. the message's features in extract_features order */
        seq.len = 0;
        if (buf_reserve(&seq, (size_t)(4 * n)) < 0) goto done;
        int64_t *sq = AT(seq, int64_t);
        for (Py_ssize_t j = 0; j < n; j++) sq[seq.len++] = ROW(F_ID, cl[j]);
        for (Py_ssize_t j = 0; j + 1 < n; j++) {
            int32_t left = ROW(F_LEFT, cl[j]), right = ROW(F_RIGHT, cl[j + 1]);
            int64_t id = missing_id;
            if (left >= 0 && right >= 0) {
                Py_ssize_t at = find_key(K, nkeys, (int64_t)left * nright + right);
                if (at >= 0) id = B[at];
            }
            sq[seq.len++] = id;
        }
        for (Py_ssize_t j = 0; j < n; j++)
            if (ROW(F_LONG, cl[j])) sq[seq.len++] = ROW(F_STEM, cl[j]);
        for (Py_ssize_t j = 0; j < n; j++)
            if (ROW(F_LONG, cl[j])) sq[seq.len++] = ROW(F_END, cl[j]);
        /* 3. the set of their objects, as Python builds it */
        PyObject *set = PySet_New(NULL);
        if (set == NULL) goto done;
        for (size_t k = 0; k < seq.len; k++) {
            if (sq[k] < 0 || sq[k] >= nobj) {
                PyErr_SetString(PyExc_ValueError, "ids_flat: a feature id is outside objs");
                Py_DECREF(set);
                goto done;
            }
            if (PySet_Add(set, PyList_GET_ITEM(objs, sq[k])) < 0) {
                Py_DECREF(set);
                goto done;
            }
        }
        if (PySet_Discard(set, Py_None) < 0 || buf_reserve(&ids, (size_t)PySet_GET_SIZE(set)) < 0 ||
            read_set(set, &ids) < 0) {
            Py_DECREF(set);
            goto done;
        }
        Py_DECREF(set);
        ip[i + 1] = (int64_t)ids.len;
        cl += n;
    }
#undef ROW
    if (ids.len > (size_t)PY_SSIZE_T_MAX / sizeof(int32_t)) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject *idx = PyByteArray_FromStringAndSize(ids.p ? ids.p : "", (Py_ssize_t)(ids.len * sizeof(int32_t)));
    if (idx == NULL) goto done;
    result = PyTuple_Pack(2, indptr, idx);
    Py_DECREF(idx);
done:
    Py_XDECREF(inner);
    Py_XDECREF(missing);
    Py_XDECREF(indptr);
    Py_DECREF(outer);
    PyMem_Free(msg_len);
    buf_free(&cols);
    buf_free(&seq);
    buf_free(&ids);
    if (feats.obj) PyBuffer_Release(&feats);
    if (keys.obj) PyBuffer_Release(&keys);
    if (bids.obj) PyBuffer_Release(&bids);
    return result;
}

static PyMethodDef module_methods[] = {
    {"tokens", c_tokens, METH_O, "Word tokens (\\w+ runs) of a str, as text.tokens gives them."},
    {"ids_flat", c_ids_flat, METH_VARARGS, "LinearModel.ids_flat's per-message ids (or the new words)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_c_terms", "The classifier's hot loops in C (see the file's comment).", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__c_terms(void) {
    for (Py_UCS4 ch = 0; ch < 256; ch++) {
        latin1_word[ch] = (unsigned char)(ch == '_' || Py_UNICODE_ISALNUM(ch));
        latin1_class[ch] = (unsigned char)((latin1_word[ch] ? C_WORD : 0) | (Py_UNICODE_ISALPHA(ch) ? C_ALPHA : 0) |
                                           (Py_UNICODE_ISDECIMAL(ch) ? C_DECIMAL : 0) |
                                           (Py_UNICODE_ISDIGIT(ch) ? C_DIGIT : 0));
    }
    if (PyType_Ready(&TermMatcherType) < 0) return NULL;
    PyObject *mod = PyModule_Create(&module);
    if (mod == NULL) return NULL;
    Py_INCREF(&TermMatcherType);
    if (PyModule_AddObject(mod, "TermMatcher", (PyObject *)&TermMatcherType) < 0) {
        Py_DECREF(&TermMatcherType);
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
