/* The per-message bookkeeping of tgintel.detect.entities in C: cutting a message into lines, the two memo
 * look-ups per line, and building the Entity structs with shifted offsets.
 *
 * Why C: on distinct multi-line messages whose lines are already known, this bookkeeping was ~50k of the
 * ~139k instructions a message cost in Python (the split, ~25 bytecodes and two hashed look-ups per line,
 * ~7 struct calls with an addition each); CPython spends most of that in its eval loop, not in the work.
 *
 * Each function mirrors one piece of tgintel/detect/entities/__init__.py exactly, and that Python stays the
 * reference and the fallback (no compiler, or TGINTEL_PURE_PYTHON=1):
 *   split_lines(text)                          == _LINE_BREAK_RE.split(text)
 *   line_facts(line)                           == _line_facts_py(line)   (with _facts inlined)
 *   scan(text, lower, region, mask, bits, digit) == _scan_py(...)        (the gates and the overlaps)
 *   line_parts(text, region)                   == _line_parts_py(text, region)  (with _scan_line inlined)
 *   whole(text, region)                        == _whole_py(text, region)
 *   extract(text, region)                      == _extract_py(text, region)     (lru_cache wraps either)
 *   entities(parts, Entity)                    == _entities_py(parts)
 *   scan_prices(text, lower, region, out, digit, sign_first, amount_first) == money.scan_prices(...)
 * The scanners themselves (regular expressions, checksums, phone numbers, price values) stay in Python and
 * are called from here (scan_prices is all here: its two patterns are matched by hand-written loops that
 * follow sre's backtracking order, see price_search, and plain prices are formatted here; other values come
 * from money.price_value). configure(globals()) hands this module the entities module's namespace once.
 * tests/entities/test_c_lines.py compares both paths on generated and real texts.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <wchar.h>

/* _LINE_BREAK_RE = re.compile(r"\n(?=[^\w\s\[({€$£₽₴₺₹₸¥])"): a "\n" followed by a character that is no
 * word character (sre's Unicode \w: Py_UNICODE_ISALNUM or "_"), no whitespace (sre's Unicode \s:
 * Py_UNICODE_ISSPACE) and none of the listed signs. */
static int
breaks_before(Py_UCS4 c)
{
    if (c == '_' || Py_UNICODE_ISALNUM(c) || Py_UNICODE_ISSPACE(c)) {
        return 0;
    }
    switch (c) {
    case '[': case '(': case '{':
    case 0x20AC: /* € */
    case '$':
    case 0x00A3: /* £ */
    case 0x20BD: /* ₽ */
    case 0x20B4: /* ₴ */
    case 0x20BA: /* ₺ */
    case 0x20B9: /* ₹ */
    case 0x20B8: /* ₸ */
    case 0x00A5: /* ¥ */
        return 0;
    default:
        return 1;
    }
}

/* Appends text[start:end] to out. */
static int
append_piece(PyObject *out, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *piece = PyUnicode_Substring(text, start, end);
    if (piece == NULL) {
        return -1;
    }
    int rc = PyList_Append(out, piece);
    Py_DECREF(piece);
    return rc;
}

/* The next "\n" at or after i that is followed by a character (i + 1 < n), or -1. */
static Py_ssize_t
next_newline(int kind, const void *data, Py_ssize_t i, Py_ssize_t n)
{
    if (i + 1 >= n) {
        return -1;
    }
    switch (kind) {
    case PyUnicode_1BYTE_KIND: {
        const Py_UCS1 *p = (const Py_UCS1 *)data;
        const Py_UCS1 *hit = memchr(p + i, '\n', (size_t)(n - 1 - i));
        return hit == NULL ? -1 : hit - p;
    }
    case PyUnicode_2BYTE_KIND: {
        const Py_UCS2 *p = (const Py_UCS2 *)data;
        for (; i + 1 < n; i++) {
            if (p[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
    default: {
        const Py_UCS4 *p = (const Py_UCS4 *)data;
#if WCHAR_MAX == 0x7fffffff && WCHAR_MIN == (-0x7fffffff - 1)
        /* a 32-bit wchar_t (glibc, macOS): the C library's vectorised search */
        const wchar_t *hit = wmemchr((const wchar_t *)(p + i), L'\n', (size_t)(n - 1 - i));
        return hit == NULL ? -1 : (const Py_UCS4 *)hit - p;
#endif
        for (; i + 1 < n; i++) {
            if (p[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
    }
}

/* The pieces of text between its line breaks (a new list; at least one piece). */
static PyObject *
split(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    Py_ssize_t start = 0;
    for (Py_ssize_t i = next_newline(kind, data, 0, n); i >= 0; i = next_newline(kind, data, i + 1, n)) {
        if (breaks_before(PyUnicode_READ(kind, data, i + 1))) {
            if (append_piece(out, text, start, i) < 0) {
                Py_DECREF(out);
                return NULL;
            }
            start = i + 1;
        }
    }
    if (append_piece(out, text, start, n) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static int
check_text(PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_READY(text);  /* (a no-op from Python 3.12 on) */
#else
    return 0;
#endif
}

static PyObject *
split_lines(PyObject *module, PyObject *text)
{
    if (check_text(text) < 0) {
        return NULL;
    }
    return split(text);
}

/* Bits of a line's facts (entities._DIGIT ... _GROWS). */
#define F_DIGIT 1L
#define F_OBFUSCATED 2L
#define F_LOOSE_SCHEME 4L
#define F_SLASH 8L
#define F_ONION 16L
#define F_MESSAGE_FACTS 31L
#define F_AT 32L
#define F_AT_WORD 64L
#define F_DOTS 128L
#define F_ONION_WORD 256L
#define F_PLUS 512L
#define F_UPPER 1024L
#define F_PAYMENT_KEY 2048L
#define F_LONG_TOKEN 4096L
#define F_IBAN 8192L
#define F_PRICE_PRE 16384L
#define F_PRICE_POST 32768L
#define F_TLD 65536L
#define F_GROWS (1L << 17)
#define F_WHOLE_ONLY (F_OBFUSCATED | F_GROWS)
#define MESSAGE_FACT_COMBINATIONS 32

/* What configure() took from the entities module: its globals (read at call time where the Python reads a
 * global that tests or callers may rebind: _fact_match, LINE_CACHE_SIZE, _lines_held, _FACTS, _LINES) and the
 * functions and tables the Python calls (fixed at import). Strong references, kept for the process. */
static PyObject *g_globals, *g_whole_py, *g_facts_py, *g_fact_bits, *g_gates, *g_sort_key;
static PyObject *g_email_at_search, *g_tld_anchor_search, *g_iban_search;
static PyObject *g_scan_telegram, *g_scan_onion, *g_scan_email, *g_scan_url, *g_scan_payments;
static PyObject *g_scan_wallets, *g_scan_iban, *g_scan_phone;
static PyObject *g_signs, *g_words, *g_krona, *g_price_value;
static PyObject *s_price, *k_two, *s_empty, *s_sek;
static PyObject *s_lower, *s_fact_match, *s_line_cache_size, *s_lines_held, *s_facts, *s_lines, *s_sort, *s_key;
static PyObject *k_zero, *k_minus_one, *k_grows_facts;

static int
configured(void)
{
    if (g_globals == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_c_lines.configure() was not called");
        return 0;
    }
    return 1;
}

/* A fast-call function's argument count: 1, or 0 with the TypeError Python gives. */
static int
arity(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want) {
        return 1;
    }
    PyErr_Format(PyExc_TypeError, "%s takes %zd arguments", name, want);
    return 0;
}

/* A global of the entities module, borrowed; NULL with an exception when missing. */
static PyObject *
global(PyObject *name)
{
    PyObject *v = PyDict_GetItemWithError(g_globals, name);
    if (v == NULL && !PyErr_Occurred()) {
        PyErr_Format(PyExc_NameError, "name '%U' is not defined", name);
    }
    return v;
}

static int
as_long(PyObject *o, long *out)
{
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = v;
    return 0;
}

/* _DIGIT_RE.search(text).start(): the first ASCII digit, or -1 */
static Py_ssize_t
first_digit(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS1 c = ((const Py_UCS1 *)data)[i];
            if (c >= '0' && c <= '9') {
                return i;
            }
        }
        return -1;
    case PyUnicode_2BYTE_KIND:
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS2 c = ((const Py_UCS2 *)data)[i];
            if (c >= '0' && c <= '9') {
                return i;
            }
        }
        return -1;
    default:
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = ((const Py_UCS4 *)data)[i];
            if (c >= '0' && c <= '9') {
                return i;
            }
        }
        return -1;
    }
}

/* A new tuple of n new references (which it takes, also when it fails: NULL items mean an earlier
 * allocation failed, and the tuple is not made). */
static PyObject *
tuple_of(PyObject **items, Py_ssize_t n)
{
    PyObject *t = NULL;
    int complete = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        complete &= items[i] != NULL;
    }
    if (complete) {
        t = PyTuple_New(n);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (t != NULL) {
            PyTuple_SET_ITEM(t, i, items[i]);
        }
        else {
            Py_XDECREF(items[i]);
        }
    }
    return t;
}

/* Untracks a new tuple from the cyclic GC when none of its items is tracked: what the collector's own
 * _PyTuple_MaybeUntrack does on its first pass over it, done at once (memoised rows of str and int would
 * otherwise be traversed by every young collection until then). No visible change: such a tuple cannot be
 * part of a cycle. */
static PyObject *
untracked(PyObject *t)
{
    if (t == NULL || !PyTuple_CheckExact(t) || !PyObject_GC_IsTracked(t)) {
        return t;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(t); i++) {
        if (PyObject_GC_IsTracked(PyTuple_GET_ITEM(t, i))) {
            return t;
        }
    }
    PyObject_GC_UnTrack(t);
    return t;
}

/* entities._facts(text, lower) -> (bits, digit), here as two C values. */
static int
facts(PyObject *text, PyObject *lower, long *bits_out, Py_ssize_t *digit_out)
{
    PyObject *fact_match = global(s_fact_match);
    if (fact_match == NULL) {
        return -1;
    }
    PyObject *pair = NULL;
    if (fact_match != Py_None) {
        PyObject *data = PyUnicode_AsUTF8String(lower);
        if (data == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
                return -1;
            }
            PyErr_Clear();  /* a lone surrogate: no UTF-8 for RE2 to read */
        }
        else {
            Py_INCREF(fact_match); /* held across the call: the global may be rebound meanwhile */
            PyObject *hits = PyObject_CallOneArg(fact_match, data);
            Py_DECREF(fact_match);
            Py_DECREF(data);
            if (hits == NULL) {
                return -1;
            }
            PyObject *seq = PySequence_Fast(hits, "the fact matcher must return a sequence");
            Py_DECREF(hits);
            if (seq == NULL) {
                return -1;
            }
            long bits = 0;
            Py_ssize_t nbits = PyTuple_GET_SIZE(g_fact_bits);
            for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
                Py_ssize_t at = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i), PyExc_IndexError);
                if (at == -1 && PyErr_Occurred()) {
                    Py_DECREF(seq);
                    return -1;
                }
                if (at < 0) {
                    at += nbits;
                }
                if (at < 0 || at >= nbits) {
                    Py_DECREF(seq);
                    PyErr_SetString(PyExc_IndexError, "tuple index out of range");
                    return -1;
                }
                long bit;
                if (as_long(PyTuple_GET_ITEM(g_fact_bits, at), &bit) < 0) {
                    Py_DECREF(seq);
                    return -1;
                }
                bits += bit;  /* distinct bits: the sum is their or (as the Python sums them) */
            }
            Py_DECREF(seq);
            Py_ssize_t n = PyUnicode_GET_LENGTH(text);
            if (!(bits & F_DIGIT)) {
                *bits_out = bits & ~F_PLUS;
                *digit_out = n;
                return 0;
            }
            int differs = PyObject_RichCompareBool(text, lower, Py_NE);
            if (differs < 0) {
                return -1;
            }
            if (differs) {
                bits |= F_UPPER;
            }
            /* _DIGIT_RE.search(text).start(): the first ASCII digit */
            Py_ssize_t at = first_digit(text);
            if (at >= 0) {
                *bits_out = bits;
                *digit_out = at;
                return 0;
            }
            PyErr_SetString(PyExc_AttributeError, "'NoneType' object has no attribute 'start'");
            return -1;
        }
    }
    pair = PyObject_CallFunctionObjArgs(g_facts_py, text, lower, NULL);
    if (pair == NULL) {
        return -1;
    }
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_TypeError, "_facts_py must return (bits, digit)");
        return -1;
    }
    long bits;
    Py_ssize_t digit = -1;
    if (as_long(PyTuple_GET_ITEM(pair, 0), &bits) < 0
        || ((digit = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1))) == -1 && PyErr_Occurred())) {
        Py_DECREF(pair);
        return -1;
    }
    Py_DECREF(pair);
    *bits_out = bits;
    *digit_out = digit;
    return 0;
}

/* line.lower(), cheaper where the line is UCS-2 or UCS-4 (emoji, Cyrillic): str.lower maps every character
 * through the full case tables (SpecialCasing included) into a scratch buffer; here ASCII capitals are
 * mapped directly, any other character that is neither uppercase nor titlecase is kept (such a character
 * lowercases to itself), an uppercase or titlecase one takes its simple lowercase (Py_UNICODE_TOLOWER: the
 * full mapping is the same single character for all but U+0130, which lowercases to two characters, and
 * U+03A3, whose lowercase depends on its neighbours: for those two str.lower itself is called).
 * tests/entities/test_c_lines.py checks every code point of this Python's Unicode database, in UCS-2 and
 * UCS-4 strings. New reference. */
static PyObject *
lower_by_method(PyObject *s)
{
    /* s.lower(), as the Python calls it: a str subclass may override it, so its answer is checked */
    PyObject *out = PyObject_CallMethodNoArgs(s, s_lower);
    if (out != NULL && !PyUnicode_Check(out)) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_TypeError, "lower() returned no str");
        return NULL;
    }
    return out;
}

static PyObject *
lower_of(PyObject *s)
{
    int kind = PyUnicode_KIND(s);
    if (kind == PyUnicode_1BYTE_KIND || !PyUnicode_CheckExact(s)) {
        return lower_by_method(s);
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    const void *data = PyUnicode_DATA(s);
    PyObject *out = PyUnicode_New(n, kind == PyUnicode_2BYTE_KIND ? 0xFFFF : 0x10FFFF);
    if (out == NULL) {
        return NULL;
    }
    Py_UCS4 top = 0;
    /* one loop per kind: T the code unit type, LIMIT the largest character it holds */
#define LOWER_LOOP(T, LIMIT)                                                 \
    do {                                                                     \
        const T *src = (const T *)data;                                      \
        T *dest = (T *)PyUnicode_DATA(out);                                  \
        for (Py_ssize_t i = 0; i < n; i++) {                                 \
            Py_UCS4 c = src[i];                                              \
            if (c < 128) {                                                   \
                if (c >= 'A' && c <= 'Z') {                                  \
                    c += 'a' - 'A';                                          \
                }                                                            \
            }                                                                \
            else {                                                           \
                if (Py_UNICODE_ISUPPER(c) || Py_UNICODE_ISTITLE(c)) {        \
                    if (c == 0x130 || c == 0x3A3) {                          \
                        goto full;                                           \
                    }                                                        \
                    c = Py_UNICODE_TOLOWER(c);                               \
                    if (c > (LIMIT)) {  /* (no such letter today) */         \
                        goto full;                                           \
                    }                                                        \
                }                                                            \
                if (c > top) {                                               \
                    top = c;                                                 \
                }                                                            \
            }                                                                \
            dest[i] = (T)c;                                                  \
        }                                                                    \
    } while (0)
    if (kind == PyUnicode_2BYTE_KIND) {
        LOWER_LOOP(Py_UCS2, 0xFFFF);
    }
    else {
        LOWER_LOOP(Py_UCS4, 0x10FFFF);
    }
#undef LOWER_LOOP
    /* the copy must be in the narrowest kind, as every str is (a non-canonical input: str.lower decides) */
    if ((kind == PyUnicode_2BYTE_KIND && top < 256) || (kind == PyUnicode_4BYTE_KIND && top < 0x10000)) {
        goto full;
    }
    return out;
full:
    Py_DECREF(out);
    return lower_by_method(s);
}

static PyObject *
lower(PyObject *module, PyObject *text)
{
    if (!configured() || check_text(text) < 0) {
        return NULL;
    }
    return lower_of(text);
}

/* entities._line_facts(line): the line's Facts (lower, bits, reads, digit), memoised in _FACTS. New ref. */
static PyObject *
line_facts_impl(PyObject *line)
{
    PyObject *lower = lower_of(line);
    if (lower == NULL) {
        return NULL;
    }
    if (!PyUnicode_Check(lower)) {
        Py_DECREF(lower);
        PyErr_SetString(PyExc_TypeError, "str.lower() returned no str");
        return NULL;
    }
    PyObject *f;
    if (PyUnicode_GET_LENGTH(lower) != PyUnicode_GET_LENGTH(line)) {
        Py_DECREF(lower);
        f = k_grows_facts;
        Py_INCREF(f);
    }
    else {
        long bits;
        Py_ssize_t digit;
        if (facts(line, lower, &bits, &digit) < 0) {
            Py_DECREF(lower);
            return NULL;
        }
        long reads = ((bits & F_DOTS) ? (F_LOOSE_SCHEME | F_SLASH) : 0) | ((bits & F_ONION_WORD) ? F_ONION : 0);
        if (!(bits & F_DIGIT)) {
            reads |= F_DIGIT;
        }
        PyObject *items[4] = {lower, PyLong_FromLong(bits), PyLong_FromLong(reads), PyLong_FromSsize_t(digit)};
        f = tuple_of(items, 4);  /* takes the four references, also on failure */
        if (f == NULL) {
            return NULL;
        }
        untracked(f);
    }
    PyObject *memo = global(s_facts);
    PyObject *size = memo == NULL ? NULL : global(s_line_cache_size);
    if (size == NULL) {
        Py_DECREF(f);
        return NULL;
    }
    if (!PyDict_Check(memo)) {
        Py_DECREF(f);
        PyErr_SetString(PyExc_TypeError, "_FACTS must be a dict");
        return NULL;
    }
    Py_ssize_t limit = PyLong_AsSsize_t(size);
    if (limit == -1 && PyErr_Occurred()) {
        Py_DECREF(f);
        return NULL;
    }
    Py_INCREF(memo); /* clearing may run finalizers that rebind _FACTS */
    if (PyDict_GET_SIZE(memo) >= limit) {
        PyDict_Clear(memo);
    }
    int rc = PyDict_SetItem(memo, line, f);
    Py_DECREF(memo);
    if (rc < 0) {
        Py_DECREF(f);
        return NULL;
    }
    return f;
}

static PyObject *
line_facts(PyObject *module, PyObject *line)
{
    if (!configured() || check_text(line) < 0) {
        return NULL;
    }
    return line_facts_impl(line);
}

/* --- prices: money.PRICE_PRE_RE (on the text) and money.PRICE_POST_RE (on the lowercased text) matched here.
 * Each pattern is a short sequence of choices (an atomic amount with two alternatives, optional signs,
 * spaces, a "k", a currency word from a trie), so sre's backtracking order can be written out as nested
 * loops over the few end positions each choice allows: the first path that succeeds, trying the choices in
 * the order sre tries them, is the match sre returns, with the same groups; trying start positions from the
 * left is search(). Character classes as sre reads them in str patterns: \d Py_UNICODE_ISDECIMAL, \s
 * Py_UNICODE_ISSPACE, \w Py_UNICODE_ISALNUM or "_". On a distinct advert line, sre's backtracking through
 * these patterns cost ~5k instructions a search (most lines need two); this costs a few hundred.
 * tests/entities/test_c_lines.py compares both matchers with the patterns' search() on generated texts. */

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} ustr;

#define AT(s, i) PyUnicode_READ((s)->kind, (s)->data, (i))

static inline int
u_digit(Py_UCS4 c)
{
    return c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDECIMAL(c);
}

static inline int
u_space(Py_UCS4 c)
{
    return Py_UNICODE_ISSPACE(c);
}

static inline int
u_word(Py_UCS4 c)
{
    if (c < 128) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
    return Py_UNICODE_ISALNUM(c);
}

/* (?:[.,]\d{1,8}|) from i: where it ends (greedy) */
static Py_ssize_t
decimals_end(const ustr *s, Py_ssize_t i)
{
    if (i + 1 < s->n) {
        Py_UCS4 c = AT(s, i);
        if ((c == '.' || c == ',') && u_digit(AT(s, i + 1))) {
            Py_ssize_t j = i + 2;
            while (j < s->n && j < i + 9 && u_digit(AT(s, j))) {
                j++;
            }
            return j;
        }
    }
    return i;
}

/* [ .,'\u00a0\u202f]\d{3} at i */
static int
thousands_at(const ustr *s, Py_ssize_t i)
{
    if (i + 3 >= s->n) {
        return 0;
    }
    Py_UCS4 c = AT(s, i);
    return (c == ' ' || c == '.' || c == ',' || c == '\'' || c == 0xA0 || c == 0x202F)
           && u_digit(AT(s, i + 1)) && u_digit(AT(s, i + 2)) && u_digit(AT(s, i + 3));
}

/* money._AMOUNT_REST from q (after an amount's first digit): its possible ends in sre's order, the first
 * alternative's (when it matches) then the second's; each alternative is atomic, so each has one end. */
static int
amount_ends(const ustr *s, Py_ssize_t q, Py_ssize_t ends[2])
{
    int count = 0;
    Py_ssize_t r = 0;
    while (r < 2 && q + r < s->n && u_digit(AT(s, q + r))) {
        r++;
    }
    /* (?>\d{0,2}(?:[sep]\d{3})+(?:[.,]\d{1,8}|)): \d{0,2} gives back digits until a group follows; the
     * groups are greedy and the decimals always match, so the first success keeps every group */
    for (Py_ssize_t k = r; k >= 0; k--) {
        if (thousands_at(s, q + k)) {
            Py_ssize_t x = q + k + 4;
            while (thousands_at(s, x)) {
                x += 4;
            }
            ends[count++] = decimals_end(s, x);
            break;
        }
    }
    /* (?>\d*(?:[.,]\d{1,8}|)) */
    Py_ssize_t x = q;
    while (x < s->n && u_digit(AT(s, x))) {
        x++;
    }
    ends[count++] = decimals_end(s, x);
    return count;
}

/* (?:,-{1,2}|\.-|) at i: its ends in sre's order */
static int
dash_ends(const ustr *s, Py_ssize_t i, Py_ssize_t ends[3])
{
    int count = 0;
    if (i + 1 < s->n && AT(s, i + 1) == '-') {
        Py_UCS4 c = AT(s, i);
        if (c == ',') {
            if (i + 2 < s->n && AT(s, i + 2) == '-') {
                ends[count++] = i + 3;
            }
            ends[count++] = i + 2;
        }
        else if (c == '.') {
            ends[count++] = i + 2;
        }
    }
    ends[count++] = i;
    return count;
}

typedef struct {
    Py_ssize_t start, end;      /* the match */
    Py_ssize_t amount, amount_end;
    Py_ssize_t k, k_end;        /* k == -1: no "k" */
    Py_ssize_t word, word_end;  /* PRICE_POST_RE's post group; PRICE_PRE_RE's pre group */
} price_match;

/* money.POST_WORDS (the currency words of PRICE_POST_RE's trie), longest first: at one position the words
 * that match are prefixes of each other, and the trie tries the longer before the shorter. */
typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t len;
} post_word;
static post_word *g_post_words;
static Py_ssize_t g_post_word_count;

static int
longer_first(const void *a, const void *b)
{
    Py_ssize_t la = ((const post_word *)a)->len, lb = ((const post_word *)b)->len;
    return la < lb ? 1 : la > lb ? -1 : 0;
}

static void
free_post_words(void)
{
    for (Py_ssize_t i = 0; i < g_post_word_count; i++) {
        PyMem_Free(g_post_words[i].chars);
    }
    PyMem_Free(g_post_words);
    g_post_words = NULL;
    g_post_word_count = 0;
}

static int
take_post_words(PyObject *words)
{
    free_post_words();
    if (!PyTuple_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "configure: money.POST_WORDS must be a tuple");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(words);
    g_post_words = PyMem_New(post_word, n > 0 ? n : 1);
    if (g_post_words == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(w) || PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_SetString(PyExc_TypeError, "configure: each of money.POST_WORDS must be a non-empty str");
            free_post_words();
            return -1;
        }
        Py_UCS4 *chars = PyUnicode_AsUCS4Copy(w);
        if (chars == NULL) {
            free_post_words();
            return -1;
        }
        g_post_words[g_post_word_count].chars = chars;
        g_post_words[g_post_word_count].len = PyUnicode_GET_LENGTH(w);
        g_post_word_count++;
    }
    qsort(g_post_words, (size_t)g_post_word_count, sizeof(post_word), longer_first);
    return 0;
}

/* \.?(?<!\.\.)(?![^\W\d_]) after a currency word ending at u: the match's end, or -1 */
static Py_ssize_t
post_tail(const ustr *s, Py_ssize_t u)
{
    Py_ssize_t v[2];
    int nv = 0;
    if (u < s->n && AT(s, u) == '.') {
        v[nv++] = u + 1;
    }
    v[nv++] = u;
    for (int i = 0; i < nv; i++) {
        Py_ssize_t x = v[i];
        if (x >= 2 && AT(s, x - 1) == '.' && AT(s, x - 2) == '.') {
            continue;
        }
        if (x < s->n) {
            Py_UCS4 c = AT(s, x);
            if (c != '_' && u_word(c) && !u_digit(c)) {  /* [^\W\d_]: a letter */
                continue;
            }
        }
        return x;
    }
    return -1;
}

/* PRICE_POST_RE.match(lower, p) */
static int
post_match_at(const ustr *s, Py_ssize_t p, price_match *m)
{
    Py_UCS4 c = AT(s, p);
    if (c < '0' || c > '9') {
        return 0;
    }
    if (p > 0) {  /* (?<![\w.,+\-][0-9]) */
        Py_UCS4 b = AT(s, p - 1);
        if (u_word(b) || b == '.' || b == ',' || b == '+' || b == '-') {
            return 0;
        }
    }
    Py_ssize_t amounts[2];
    int na = amount_ends(s, p + 1, amounts);
    for (int a = 0; a < na; a++) {
        Py_ssize_t dashes[3];
        int nd = dash_ends(s, amounts[a], dashes);
        for (int d = 0; d < nd; d++) {
            Py_ssize_t spaces[2];  /* \s? */
            int ns = 0;
            if (dashes[d] < s->n && u_space(AT(s, dashes[d]))) {
                spaces[ns++] = dashes[d] + 1;
            }
            spaces[ns++] = dashes[d];
            for (int sp = 0; sp < ns; sp++) {
                Py_ssize_t e3 = spaces[sp];
                Py_ssize_t ks[3];  /* (?:(?P<k>[kк]\s?)|): where the word starts, with a "k" then without */
                int nk = 0;
                if (e3 < s->n && (AT(s, e3) == 'k' || AT(s, e3) == 0x43A)) {
                    if (e3 + 1 < s->n && u_space(AT(s, e3 + 1))) {
                        ks[nk++] = e3 + 2;
                    }
                    ks[nk++] = e3 + 1;
                }
                ks[nk++] = e3;
                for (int k = 0; k < nk; k++) {
                    Py_ssize_t z = ks[k];
                    if (z >= s->n) {
                        continue;
                    }
                    Py_UCS4 first = AT(s, z);
                    Py_ssize_t end = -1, word_end = -1;
                    for (Py_ssize_t w = 0; w < g_post_word_count && end < 0; w++) {
                        const post_word *pw = &g_post_words[w];
                        if (pw->chars[0] != first || z + pw->len > s->n) {
                            continue;
                        }
                        Py_ssize_t i = 1;
                        while (i < pw->len && AT(s, z + i) == pw->chars[i]) {
                            i++;
                        }
                        if (i == pw->len) {
                            end = post_tail(s, z + pw->len);
                            word_end = z + pw->len;
                        }
                    }
                    /* e(?=\s|$) */
                    if (end < 0 && first == 'e' && (z + 1 == s->n || u_space(AT(s, z + 1)))) {
                        end = post_tail(s, z + 1);
                        word_end = z + 1;
                    }
                    if (end >= 0) {
                        m->start = p;
                        m->end = end;
                        m->amount = p;
                        m->amount_end = amounts[a];
                        m->k = k + 1 < nk ? e3 : -1;
                        m->k_end = k + 1 < nk ? z : -1;
                        m->word = z;
                        m->word_end = word_end;
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}

/* The end of PRICE_PRE_RE's pre group at p ("€" ... "¥", "EUR\s" ... "BTC\s"; at most one can match), or -1 */
static Py_ssize_t
sign_end(const ustr *s, Py_ssize_t p)
{
    Py_UCS4 c = AT(s, p);
    switch (c) {
    case 0x20AC: case '$': case 0xA3: case 0x20BD: case 0x20B4: case 0x20BA: case 0x20B9: case 0x20B8:
    case 0xA5:
        return p + 1;
    case 'E': case 'U': case 'G': case 'R': case 'B':
        break;
    default:
        return -1;
    }
    static const char *const codes[] = {"EUR", "USD", "GBP", "RUB", "USDT", "BTC"};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        Py_ssize_t len = (Py_ssize_t)strlen(codes[i]);
        if (p + len >= s->n) {
            continue;
        }
        Py_ssize_t j = 0;
        while (j < len && AT(s, p + j) == (Py_UCS4)(unsigned char)codes[i][j]) {
            j++;
        }
        if (j == len && u_space(AT(s, p + len))) {
            return p + len + 1;
        }
    }
    return -1;
}

/* PRICE_PRE_RE.match(text, p) */
static int
pre_match_at(const ustr *s, Py_ssize_t p, price_match *m)
{
    Py_ssize_t pre_end = sign_end(s, p);
    if (pre_end < 0) {
        return 0;
    }
    Py_ssize_t starts[2];  /* \s? */
    int nst = 0;
    if (pre_end < s->n && u_space(AT(s, pre_end))) {
        starts[nst++] = pre_end + 1;
    }
    starts[nst++] = pre_end;
    for (int st = 0; st < nst; st++) {
        Py_ssize_t a0 = starts[st];
        if (a0 >= s->n || AT(s, a0) < '0' || AT(s, a0) > '9') {
            continue;
        }
        Py_ssize_t amounts[2];
        int na = amount_ends(s, a0 + 1, amounts);
        for (int a = 0; a < na; a++) {
            Py_ssize_t e = amounts[a];
            Py_ssize_t ks[2];  /* (?:(?P<k>[kKкК](?!\w))|) */
            int nk = 0;
            if (e < s->n) {
                Py_UCS4 c = AT(s, e);
                if ((c == 'k' || c == 'K' || c == 0x43A || c == 0x41A) && !(e + 1 < s->n && u_word(AT(s, e + 1)))) {
                    ks[nk++] = e + 1;
                }
            }
            ks[nk++] = e;
            for (int k = 0; k < nk; k++) {
                Py_ssize_t dashes[3];
                int nd = dash_ends(s, ks[k], dashes);
                for (int d = 0; d < nd; d++) {
                    Py_ssize_t v = dashes[d];  /* (?![\w.,]\d|\d) */
                    if (v < s->n) {
                        Py_UCS4 c = AT(s, v);
                        if (u_digit(c)) {
                            continue;
                        }
                        if (v + 1 < s->n && (u_word(c) || c == '.' || c == ',') && u_digit(AT(s, v + 1))) {
                            continue;
                        }
                    }
                    m->start = p;
                    m->end = v;
                    m->amount = a0;
                    m->amount_end = e;
                    m->k = k + 1 < nk ? e : -1;
                    m->k_end = k + 1 < nk ? e + 1 : -1;
                    m->word = p;
                    m->word_end = pre_end;
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Where a match can start: an ASCII digit (PRICE_POST_RE), a sign or the first letter of a code
 * (PRICE_PRE_RE; a superset, pre_match_at decides) */
static inline int
may_start(Py_UCS4 c, int sign_first)
{
    if (!sign_first) {
        return c >= '0' && c <= '9';
    }
    return c == '$' || c == 'E' || c == 'U' || c == 'G' || c == 'R' || c == 'B' || c == 0xA3 || c == 0xA5
           || (c >= 0x20AC && c <= 0x20BD);
}

/* PRICE_PRE_RE.search(text, pos) (sign_first) or PRICE_POST_RE.search(lower, pos): 1 and *m, or 0 */
static int
price_search(const ustr *s, Py_ssize_t pos, int sign_first, price_match *m)
{
    Py_ssize_t p = pos > 0 ? pos : 0;
    for (;;) {
        /* the next possible start, one loop per string kind */
        switch (s->kind) {
        case PyUnicode_1BYTE_KIND:
            while (p < s->n && !may_start(((const Py_UCS1 *)s->data)[p], sign_first)) {
                p++;
            }
            break;
        case PyUnicode_2BYTE_KIND:
            while (p < s->n && !may_start(((const Py_UCS2 *)s->data)[p], sign_first)) {
                p++;
            }
            break;
        default:
            while (p < s->n && !may_start(((const Py_UCS4 *)s->data)[p], sign_first)) {
                p++;
            }
            break;
        }
        if (p >= s->n) {
            return 0;
        }
        if (sign_first ? pre_match_at(s, p, m) : post_match_at(s, p, m)) {
            return 1;
        }
        p++;
    }
}

/* money.price_value(amount, code, thousands): plain ASCII digits (most prices) the way its shortcut writes
 * them (amount.lstrip("0") or "0", a space, the code); anything else from money.price_value itself. */
static PyObject *
price_value_of(PyObject *amount, PyObject *code, int thousands)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(amount);
    if (!thousands && PyUnicode_IS_ASCII(amount) && PyUnicode_CheckExact(code) && len > 0 && len <= 28) {
        const Py_UCS1 *a = PyUnicode_1BYTE_DATA(amount);
        Py_ssize_t i = 0;
        while (i < len && a[i] >= '0' && a[i] <= '9') {
            i++;
        }
        if (i == len) {
            Py_ssize_t z = 0;
            while (z < len - 1 && a[z] == '0') {
                z++;
            }
            Py_ssize_t clen = PyUnicode_GET_LENGTH(code);
            PyObject *out = PyUnicode_New(len - z + 1 + clen, PyUnicode_MAX_CHAR_VALUE(code));
            if (out == NULL) {
                return NULL;
            }
            int okind = PyUnicode_KIND(out);
            void *odata = PyUnicode_DATA(out);
            for (Py_ssize_t j = z; j < len; j++) {
                PyUnicode_WRITE(okind, odata, j - z, a[j]);
            }
            PyUnicode_WRITE(okind, odata, len - z, ' ');
            if (PyUnicode_CopyCharacters(out, len - z + 1, code, 0, clen) < 0) {
                Py_DECREF(out);
                return NULL;
            }
            return out;
        }
    }
    PyObject *args[3] = {amount, code, thousands ? Py_True : Py_False};
    return PyObject_Vectorcall(g_price_value, args, 3, NULL);
}

/* out.append((start, end, 2, "price", price_value(text[amount], code, k))) unless the value is None */
static int
add_price(PyObject *out, PyObject *s, const price_match *m, Py_ssize_t start, PyObject *code)
{
    PyObject *amount = PyUnicode_Substring(s, m->amount, m->amount_end);
    if (amount == NULL) {
        return -1;
    }
    PyObject *value = price_value_of(amount, code, m->k >= 0);
    Py_DECREF(amount);
    if (value == NULL) {
        return -1;
    }
    int rc = 0;
    if (value != Py_None) {
        Py_INCREF(k_two);
        Py_INCREF(s_price);
        PyObject *items[5] = {PyLong_FromSsize_t(start), PyLong_FromSsize_t(m->end), k_two, s_price, value};
        PyObject *cand = tuple_of(items, 5);  /* takes value */
        rc = cand == NULL ? -1 : PyList_Append(out, cand);
        Py_XDECREF(cand);
    }
    else {
        Py_DECREF(value);
    }
    return rc;
}

/* money.scan_prices(text, lower, region, out, digit, sign_first, amount_first), line for line, with the
 * two searches above and money's tables (_SIGNS, _WORDS, _KRONA). */
static int
scan_prices_impl(PyObject *text, PyObject *lower, PyObject *region, PyObject *out, Py_ssize_t digit,
                 int sign_first, int amount_first)
{
    ustr t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    price_match m;
    Py_ssize_t pos = digit > 6 ? digit - 6 : 0;
    while (sign_first && pos < t.n && price_search(&t, pos, 1, &m)) {
        Py_ssize_t start = m.start;
        PyObject *code;
        if (m.word_end - m.word == 1) {
            PyObject *pre = PyUnicode_Substring(text, m.word, m.word_end);
            if (pre == NULL) {
                return -1;
            }
            code = PyDict_GetItemWithError(g_signs, pre);
            if (code == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, pre);
                }
                Py_DECREF(pre);
                return -1;
            }
            Py_DECREF(pre);
            Py_INCREF(code);
            if (AT(&t, m.word) == '$' && start > 0) {
                Py_UCS4 before = AT(&t, start - 1);
                if (before == 'S' || before == 'C' || before == 'A') {
                    int us = start >= 2 && AT(&t, start - 2) == 'U' && before == 'S';
                    /* "US$" -> "us$", "C$" -> "c$", "A$" -> "a$"; "S$" is no sign we know */
                    char key[4] = {us ? 'u' : (char)(before - 'A' + 'a'), us ? 's' : '$', us ? '$' : 0, 0};
                    PyObject *prefixed = PyDict_GetItemString(g_signs, key);  /* borrowed */
                    if (prefixed != NULL) {
                        start -= us ? 2 : 1;
                        Py_INCREF(prefixed);
                        Py_SETREF(code, prefixed);
                    }
                }
            }
        }
        else {  /* "EUR " ... "BTC ": the code without its space */
            code = PyUnicode_Substring(text, m.word, m.word_end - 1);
            if (code == NULL) {
                return -1;
            }
        }
        int glued = 0;
        if (start > 0) {
            Py_UCS4 before = AT(&t, start - 1);
            glued = Py_UNICODE_ISALNUM(before) || before == '.' || before == ',';
        }
        int rc = glued ? 0 : add_price(out, text, &m, start, code);
        Py_DECREF(code);
        if (rc < 0) {
            return -1;
        }
        pos = m.end;
    }
    if (!amount_first) {
        return 0;
    }
    if (!PyUnicode_Check(lower)) {
        PyErr_SetString(PyExc_TypeError, "lower must be a str");
        return -1;
    }
    ustr l = {PyUnicode_KIND(lower), PyUnicode_DATA(lower), PyUnicode_GET_LENGTH(lower)};
    pos = digit;
    while (pos < l.n && price_search(&l, pos, 0, &m)) {
        /* if post != "e" or amount.isdigit() */
        int take = m.word_end - m.word != 1 || AT(&l, m.word) != 'e';
        if (!take) {
            take = 1;
            for (Py_ssize_t i = m.amount; i < m.amount_end; i++) {
                if (!Py_UNICODE_ISDIGIT(AT(&l, i))) {
                    take = 0;
                    break;
                }
            }
        }
        if (take) {
            PyObject *post = PyUnicode_Substring(lower, m.word, m.word_end);
            if (post == NULL) {
                return -1;
            }
            PyObject *code;
            if (PyUnicode_CompareWithASCIIString(post, "kr") == 0) {
                int has_region = PyObject_IsTrue(region);
                if (has_region < 0) {
                    Py_DECREF(post);
                    return -1;
                }
                code = PyDict_GetItemWithError(g_krona, has_region ? region : s_empty);
                if (code == NULL && !PyErr_Occurred()) {
                    code = s_sek;
                }
            }
            else {
                code = PyDict_GetItemWithError(g_words, post);
                if (code == NULL && !PyErr_Occurred()) {
                    code = s_empty;
                }
            }
            Py_DECREF(post);
            if (code == NULL) {
                return -1;
            }
            Py_INCREF(code);
            int nonempty = PyObject_IsTrue(code);
            if (nonempty > 0 && add_price(out, lower, &m, m.start, code) < 0) {
                nonempty = -1;
            }
            Py_DECREF(code);
            if (nonempty < 0) {
                return -1;
            }
        }
        pos = m.end;
    }
    return 0;
}

static PyObject *
match_tuple(PyObject *s, const price_match *m)
{
    PyObject *k = m->k >= 0 ? PyUnicode_Substring(s, m->k, m->k_end) : (Py_INCREF(Py_None), Py_None);
    PyObject *items[5] = {
        PyLong_FromSsize_t(m->start), PyLong_FromSsize_t(m->end), PyUnicode_Substring(s, m->word, m->word_end),
        PyUnicode_Substring(s, m->amount, m->amount_end), k,
    };
    return tuple_of(items, 5);
}

/* price_search(text, pos, sign_first) -> (start, end, pre or post, amt, k) | None: for the tests, which
 * compare it with PRICE_PRE_RE.search(text, pos) / PRICE_POST_RE.search(text, pos) */
static PyObject *
price_search_py(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("price_search", nargs, 3)) {
        return NULL;
    }
    if (!configured() || check_text(args[0]) < 0) {
        return NULL;
    }
    Py_ssize_t pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred()) {
        return NULL;
    }
    int sign_first = PyObject_IsTrue(args[2]);
    if (sign_first < 0) {
        return NULL;
    }
    ustr s = {PyUnicode_KIND(args[0]), PyUnicode_DATA(args[0]), PyUnicode_GET_LENGTH(args[0])};
    price_match m;
    if (!price_search(&s, pos, sign_first, &m)) {
        Py_RETURN_NONE;
    }
    return match_tuple(args[0], &m);
}

static PyObject *
price_value_py(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("price_value", nargs, 3)) {
        return NULL;
    }
    if (!configured() || check_text(args[0]) < 0 || check_text(args[1]) < 0) {
        return NULL;
    }
    int thousands = PyObject_IsTrue(args[2]);
    if (thousands < 0) {
        return NULL;
    }
    return price_value_of(args[0], args[1], thousands);
}

static PyObject *
scan_prices(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("scan_prices", nargs, 7)) {
        return NULL;
    }
    if (!configured() || check_text(args[0]) < 0) {
        return NULL;
    }
    if (!PyList_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "scan_prices: out must be a list");
        return NULL;
    }
    Py_ssize_t digit = PyLong_AsSsize_t(args[4]);
    if (digit == -1 && PyErr_Occurred()) {
        return NULL;
    }
    int sign_first = PyObject_IsTrue(args[5]), amount_first = PyObject_IsTrue(args[6]);
    if (sign_first < 0 || amount_first < 0) {
        return NULL;
    }
    if (scan_prices_impl(args[0], args[1], args[2], args[3], digit, sign_first, amount_first) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Calls fn(args...) and drops the result (the scanners append to ``found`` and return None). */
static int
call_scanner(PyObject *fn, PyObject *const *args, size_t nargs)
{
    PyObject *r = PyObject_Vectorcall(fn, args, nargs, NULL);
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* pattern.search(...) is not None; -1 on error */
static int
searches(PyObject *search, PyObject *const *args, size_t nargs)
{
    PyObject *m = PyObject_Vectorcall(search, args, nargs, NULL);
    if (m == NULL) {
        return -1;
    }
    int hit = m != Py_None;
    Py_DECREF(m);
    return hit;
}

/* entities._scan(text, lower, region, mask, bits, digit) with mask, bits and digit as C values. */
static PyObject *
scan_impl(PyObject *text, PyObject *lower, PyObject *region, long mask, long bits, Py_ssize_t digit)
{
    PyObject *found = PyList_New(0), *result = NULL, *from = NULL;
    if (found == NULL) {
        return NULL;
    }
    if (bits & (F_AT | F_SLASH)) {
        PyObject *a[3] = {text, lower, found};
        if (call_scanner(g_scan_telegram, a, 3) < 0) {
            goto done;
        }
    }
    if ((mask & F_ONION) && (bits & F_ONION_WORD)) {
        PyObject *a[4] = {text, lower, found, Py_True};
        if (call_scanner(g_scan_onion, a, 4) < 0) {
            goto done;
        }
    }
    int email = (bits & F_AT_WORD) != 0;
    if (!email && (bits & F_AT)) {
        email = searches(g_email_at_search, &text, 1);
        if (email < 0) {
            goto done;
        }
    }
    if (email) {
        PyObject *a[3] = {text, lower, found};
        if (call_scanner(g_scan_email, a, 3) < 0) {
            goto done;
        }
    }
    if (bits & F_DOTS) {
        int url = (mask & (F_OBFUSCATED | F_LOOSE_SCHEME)) != 0;
        if (!url && (bits & F_TLD)) {
            url = searches(g_tld_anchor_search, &lower, 1);
            if (url < 0) {
                goto done;
            }
        }
        if (url) {
            PyObject *gates = PyTuple_GetSlice(PyTuple_GET_ITEM(g_gates, mask & F_MESSAGE_FACTS), 1, 4);
            if (gates == NULL) {
                goto done;
            }
            PyObject *a[4] = {text, lower, found, gates};
            int rc = call_scanner(g_scan_url, a, 4);
            Py_DECREF(gates);
            if (rc < 0) {
                goto done;
            }
        }
    }
    if (bits & F_PAYMENT_KEY) {
        PyObject *a[3] = {text, lower, found};
        if (call_scanner(g_scan_payments, a, 3) < 0) {
            goto done;
        }
    }
    if (mask & F_DIGIT) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int wallets = n > 24 && (bits & F_LONG_TOKEN) != 0;  /* (see _scan_py) */
        PyObject *wa[2] = {text, found};
        if (bits & F_DIGIT) {
            if (wallets && call_scanner(g_scan_wallets, wa, 2) < 0) {
                goto done;
            }
            if ((bits & F_IBAN) && (bits & F_UPPER)) {
                from = PyLong_FromSsize_t(digit > 2 ? digit - 2 : 0);
                if (from == NULL) {
                    goto done;
                }
                PyObject *sa[2] = {text, from};
                int hit = searches(g_iban_search, sa, 2);
                if (hit < 0) {
                    goto done;
                }
                if (hit) {
                    PyObject *a[3] = {text, found, from};
                    if (call_scanner(g_scan_iban, a, 3) < 0) {
                        goto done;
                    }
                }
            }
            if (bits & (F_PRICE_PRE | F_PRICE_POST)) {
                if (scan_prices_impl(text, lower, region, found, digit, (bits & F_PRICE_PRE) != 0,
                                     (bits & F_PRICE_POST) != 0) < 0) {
                    goto done;
                }
            }
            if (region != Py_None || (bits & F_PLUS)) {
                PyObject *a[3] = {text, region, found};
                if (call_scanner(g_scan_phone, a, 3) < 0) {
                    goto done;
                }
            }
        }
        else if (wallets && call_scanner(g_scan_wallets, wa, 2) < 0) {
            goto done;
        }
    }
    Py_ssize_t count = PyList_GET_SIZE(found);
    if (count == 0) {
        result = PyTuple_New(0);
        goto done;
    }
    if (count > 1) {
        /* found.sort(key=_by_start_then_priority): the earliest span, then the most specific type */
        PyObject *names = PyTuple_Pack(1, s_key);
        if (names == NULL) {
            goto done;
        }
        PyObject *a[2] = {found, g_sort_key};
        PyObject *r = PyObject_VectorcallMethod(s_sort, a, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, names);
        Py_DECREF(names);
        if (r == NULL) {
            goto done;
        }
        Py_DECREF(r);
    }
    PyObject *rows = PyList_New(0);
    if (rows == NULL) {
        goto done;
    }
    PyObject *last_end = k_minus_one;
    Py_INCREF(last_end);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(found); i++) {
        PyObject *c = PyList_GET_ITEM(found, i);
        if (!PyTuple_Check(c) || PyTuple_GET_SIZE(c) != 5) {
            PyErr_SetString(PyExc_ValueError, "a candidate must be (start, end, priority, kind, value)");
            goto rows_fail;
        }
        Py_INCREF(c); /* held: the comparison below may run Python code that changes found */
        PyObject *start = PyTuple_GET_ITEM(c, 0), *end = PyTuple_GET_ITEM(c, 1);
        int keep = count == 1 ? 1 : PyObject_RichCompareBool(start, last_end, Py_GE);
        if (keep < 0) {
            Py_DECREF(c);
            goto rows_fail;
        }
        if (keep) {
            PyObject *row = untracked(PyTuple_Pack(4, PyTuple_GET_ITEM(c, 3), PyTuple_GET_ITEM(c, 4), start, end));
            if (row == NULL || PyList_Append(rows, row) < 0) {
                Py_XDECREF(row);
                Py_DECREF(c);
                goto rows_fail;
            }
            Py_DECREF(row);
            Py_INCREF(end);
            Py_SETREF(last_end, end);
        }
        Py_DECREF(c);
    }
    Py_DECREF(last_end);
    result = untracked(PyList_AsTuple(rows));
    Py_DECREF(rows);
    goto done;
rows_fail:
    Py_DECREF(last_end);
    Py_DECREF(rows);
done:
    Py_XDECREF(from);
    Py_DECREF(found);
    return result;
}

static PyObject *
scan(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("scan", nargs, 6)) {
        return NULL;
    }
    if (!configured() || check_text(args[0]) < 0) {
        return NULL;
    }
    long mask, bits;
    Py_ssize_t digit;
    if (as_long(args[3], &mask) < 0 || as_long(args[4], &bits) < 0) {
        return NULL;
    }
    digit = PyLong_AsSsize_t(args[5]);
    if (digit == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return scan_impl(args[0], args[1], args[2], mask, bits, digit);
}

/* An int field of a line's facts tuple (lower, bits, reads, digit), checked. */
static int
fact_field(PyObject *f, Py_ssize_t i, long *value)
{
    if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 4) {
        PyErr_SetString(PyExc_TypeError, "a line's facts must be a 4-tuple");
        return -1;
    }
    return as_long(PyTuple_GET_ITEM(f, i), value);
}

/* entities._scan_line(line, f, key, region, memo): scan a new line as its message would, memoise it. */
static PyObject *
scan_line_impl(PyObject *line, PyObject *f, long key, PyObject *region, PyObject *memo)
{
    long bits;
    Py_ssize_t digit;
    if (fact_field(f, 1, &bits) < 0) {
        return NULL;
    }
    digit = PyLong_AsSsize_t(PyTuple_GET_ITEM(f, 3));
    if (digit == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *found = scan_impl(line, PyTuple_GET_ITEM(f, 0), region, bits | key, bits, digit);
    if (found == NULL) {
        return NULL;
    }
    PyObject *held_obj = global(s_lines_held);
    PyObject *limit_obj = held_obj == NULL ? NULL : global(s_line_cache_size);
    if (limit_obj == NULL) {
        goto fail;
    }
    Py_INCREF(held_obj);
    Py_INCREF(limit_obj);
    int full = PyObject_RichCompareBool(held_obj, limit_obj, Py_GE);
    Py_DECREF(held_obj);
    Py_DECREF(limit_obj);
    if (full < 0) {
        goto fail;
    }
    if (full) {
        PyObject *lines_memo = global(s_lines);
        if (lines_memo == NULL) {
            goto fail;
        }
        PyObject *all = PyDict_Check(lines_memo) ? PyDict_Values(lines_memo) : NULL;
        if (all == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "_LINES must be a dict");
            }
            goto fail;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(all); i++) {
            PyObject *memos = PyList_GET_ITEM(all, i);
            if (!PyList_Check(memos)) {
                Py_DECREF(all);
                PyErr_SetString(PyExc_TypeError, "a region's line memos must be a list");
                goto fail;
            }
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(memos); j++) {
                PyObject *m = PyList_GET_ITEM(memos, j);
                if (PyDict_Check(m)) {
                    PyDict_Clear(m);
                }
            }
        }
        Py_DECREF(all);
        if (PyDict_SetItem(g_globals, s_lines_held, k_zero) < 0) {
            goto fail;
        }
    }
    if (PyDict_SetItem(memo, line, found) < 0) {
        goto fail;
    }
    /* _lines_held += 1 (read again: the clear above may have reset it) */
    held_obj = global(s_lines_held);
    if (held_obj == NULL) {
        goto fail;
    }
    Py_INCREF(held_obj);
    PyObject *one = PyLong_FromLong(1);
    PyObject *next = one == NULL ? NULL : PyNumber_Add(held_obj, one);
    Py_XDECREF(one);
    Py_DECREF(held_obj);
    if (next == NULL) {
        goto fail;
    }
    int rc = PyDict_SetItem(g_globals, s_lines_held, next);
    Py_DECREF(next);
    if (rc < 0) {
        goto fail;
    }
    return found;
fail:
    Py_DECREF(found);
    return NULL;
}

/* lines_memo[region], made (32 empty dicts) when missing; a new reference. */
static PyObject *
memos_of(PyObject *lines_memo, PyObject *region)
{
    PyObject *by_facts = PyDict_GetItemWithError(lines_memo, region);
    if (by_facts != NULL) {
        if (!PyList_Check(by_facts) || PyList_GET_SIZE(by_facts) != MESSAGE_FACT_COMBINATIONS) {
            PyErr_SetString(PyExc_TypeError, "a region's line memos must be a list of 32 dicts");
            return NULL;
        }
        Py_INCREF(by_facts);
        return by_facts;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    by_facts = PyList_New(MESSAGE_FACT_COMBINATIONS);
    if (by_facts == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < MESSAGE_FACT_COMBINATIONS; i++) {
        PyObject *d = PyDict_New();
        if (d == NULL) {
            Py_DECREF(by_facts);
            return NULL;
        }
        PyList_SET_ITEM(by_facts, i, d);
    }
    if (PyDict_SetItem(lines_memo, region, by_facts) < 0) {
        Py_DECREF(by_facts);
        return NULL;
    }
    return by_facts;
}

/* line_parts(text, region) -> Parts | None: entities._line_parts_py(text, region, _FACTS, _LINES,
 * _line_facts, _scan_line) with this module's line_facts and scan_line. None: the message is read whole
 * (one line only, or a line with a whole-only fact). */
static PyObject *
line_parts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("line_parts", nargs, 2)) {
        return NULL;
    }
    PyObject *text = args[0], *region = args[1];
    if (!configured() || check_text(text) < 0) {
        return NULL;
    }
    PyObject *facts_memo = global(s_facts);
    PyObject *lines_memo = facts_memo == NULL ? NULL : global(s_lines);
    if (lines_memo == NULL) {
        return NULL;
    }
    if (!PyDict_Check(facts_memo) || !PyDict_Check(lines_memo)) {
        PyErr_SetString(PyExc_TypeError, "line_parts: the memos must be dicts");
        return NULL;
    }
    /* strong references: the callees may rebind or empty what they came from */
    Py_INCREF(facts_memo);
    Py_INCREF(lines_memo);
    PyObject *result = NULL, *by_facts = NULL, *parts = NULL, **facts_of = NULL;
    Py_ssize_t held = 0;
    PyObject *lines = split(text);
    if (lines == NULL) {
        goto done;
    }
    Py_ssize_t n = PyList_GET_SIZE(lines);
    if (n == 1) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    facts_of = PyMem_New(PyObject *, n);
    if (facts_of == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    long mask = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        PyObject *f = PyDict_GetItemWithError(facts_memo, line);
        if (f != NULL) {
            Py_INCREF(f);
        }
        else if (PyErr_Occurred()) {
            goto done;
        }
        else {
            f = line_facts_impl(line);
            if (f == NULL) {
                goto done;
            }
        }
        facts_of[held++] = f;
        long bits;
        if (fact_field(f, 1, &bits) < 0) {
            goto done;
        }
        mask |= bits;
    }
    if (mask & F_WHOLE_ONLY) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    by_facts = memos_of(lines_memo, region);
    if (by_facts == NULL) {
        goto done;
    }
    parts = PyList_New(0);
    if (parts == NULL) {
        goto done;
    }
    Py_ssize_t offset = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        long reads;
        if (fact_field(facts_of[i], 2, &reads) < 0) {
            goto done;
        }
        long key = mask & reads;
        if (key < 0 || key >= MESSAGE_FACT_COMBINATIONS) {
            PyErr_SetString(PyExc_ValueError, "a line's reads must be message facts (0..31)");
            goto done;
        }
        PyObject *memo = PyList_GET_ITEM(by_facts, key);
        if (!PyDict_Check(memo)) {
            PyErr_SetString(PyExc_TypeError, "a line memo must be a dict");
            goto done;
        }
        PyObject *found = PyDict_GetItemWithError(memo, line);
        if (found != NULL) {
            Py_INCREF(found);
        }
        else if (PyErr_Occurred()) {
            goto done;
        }
        else {
            Py_INCREF(memo);  /* held while the scanners run */
            found = scan_line_impl(line, facts_of[i], key, region, memo);
            Py_DECREF(memo);
            if (found == NULL) {
                goto done;
            }
        }
        int nonempty = PyObject_IsTrue(found);
        if (nonempty < 0) {
            Py_DECREF(found);
            goto done;
        }
        if (nonempty) {
            PyObject *off = PyLong_FromSsize_t(offset);
            PyObject *part = off == NULL ? NULL : untracked(PyTuple_Pack(2, found, off));
            Py_XDECREF(off);
            if (part == NULL || PyList_Append(parts, part) < 0) {
                Py_XDECREF(part);
                Py_DECREF(found);
                goto done;
            }
            Py_DECREF(part);
        }
        Py_DECREF(found);
        offset += PyUnicode_GET_LENGTH(line) + 1;
    }
    result = untracked(PyList_AsTuple(parts));
done:
    for (Py_ssize_t i = 0; i < held; i++) {
        Py_DECREF(facts_of[i]);
    }
    PyMem_Free(facts_of);
    Py_XDECREF(parts);
    Py_XDECREF(by_facts);
    Py_XDECREF(lines);
    Py_DECREF(lines_memo);
    Py_DECREF(facts_memo);
    return result;
}

/* entities._whole_py(text, region): one pass over the whole text. New reference. */
static PyObject *
whole_impl(PyObject *text, PyObject *region)
{
    PyObject *lower = lower_of(text);
    if (lower == NULL) {
        return NULL;
    }
    if (PyUnicode_GET_LENGTH(lower) != PyUnicode_GET_LENGTH(text)) {
        /* a character that lengthens when lowercased ("İ"): the Python keeps the offsets aligned */
        Py_DECREF(lower);
        return PyObject_CallFunctionObjArgs(g_whole_py, text, region, NULL);
    }
    long bits;
    Py_ssize_t digit;
    PyObject *found = NULL;
    if (facts(text, lower, &bits, &digit) == 0) {
        found = scan_impl(text, lower, region, bits, bits, digit);
    }
    Py_DECREF(lower);
    return found;
}

static PyObject *
whole(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("whole", nargs, 2)) {
        return NULL;
    }
    if (!configured() || check_text(args[0]) < 0) {
        return NULL;
    }
    return whole_impl(args[0], args[1]);
}

/* entities._extract_py(text, region): the parts of a text, cut into lines where it can be. */
static PyObject *
extract(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("extract", nargs, 2)) {
        return NULL;
    }
    PyObject *text = args[0], *region = args[1];
    if (!configured() || check_text(text) < 0) {
        return NULL;
    }
    Py_ssize_t nl = PyUnicode_FindChar(text, '\n', 0, PyUnicode_GET_LENGTH(text), 1);
    if (nl == -2) {
        return NULL;
    }
    if (nl >= 0) {
        PyObject *parts = line_parts(module, args, 2);
        if (parts != Py_None) {
            return parts;  /* (or NULL: an error) */
        }
        Py_DECREF(parts);
    }
    PyObject *found = whole_impl(text, region);
    if (found == NULL) {
        return NULL;
    }
    PyObject *part = untracked(PyTuple_Pack(2, found, k_zero));
    Py_DECREF(found);
    if (part == NULL) {
        return NULL;
    }
    PyObject *parts = untracked(PyTuple_Pack(1, part));
    Py_DECREF(part);
    return parts;
}

/* configure(namespace): the entities module's globals (kept; see g_globals). */
static PyObject *
take(PyObject *ns, const char *name)
{
    PyObject *v = PyDict_GetItemString(ns, name);  /* borrowed */
    if (v == NULL) {
        PyErr_Format(PyExc_KeyError, "configure: %s missing", name);
        return NULL;
    }
    Py_INCREF(v);
    return v;
}

static PyObject *
take_attr(PyObject *ns, const char *module, const char *name)
{
    PyObject *m = PyDict_GetItemString(ns, module);
    if (m == NULL) {
        PyErr_Format(PyExc_KeyError, "configure: %s missing", module);
        return NULL;
    }
    return PyObject_GetAttrString(m, name);
}

static PyObject *
configure(PyObject *module, PyObject *ns)
{
    if (!PyDict_Check(ns)) {
        PyErr_SetString(PyExc_TypeError, "configure takes the entities module's globals()");
        return NULL;
    }
    /* again (a reload of the package): let go of the old namespace first; a failure below leaves the
     * module unconfigured (its functions raise) rather than half configured */
    Py_CLEAR(g_globals);
    PyObject *fact_bits = take(ns, "_FACT_BITS"), *gates = take(ns, "_GATES");
    if (fact_bits == NULL || gates == NULL || !PyTuple_Check(fact_bits) || !PyTuple_Check(gates)
        || PyTuple_GET_SIZE(gates) != MESSAGE_FACT_COMBINATIONS) {
        Py_XDECREF(fact_bits);
        Py_XDECREF(gates);
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "configure: _FACT_BITS and _GATES (32) must be tuples");
        }
        return NULL;
    }
    for (Py_ssize_t i = 0; i < MESSAGE_FACT_COMBINATIONS; i++) {
        if (!PyTuple_Check(PyTuple_GET_ITEM(gates, i))) {
            Py_DECREF(fact_bits);
            Py_DECREF(gates);
            PyErr_SetString(PyExc_TypeError, "configure: each of _GATES must be a tuple");
            return NULL;
        }
    }
    Py_XSETREF(g_fact_bits, fact_bits);
    Py_XSETREF(g_gates, gates);
#define TAKE(var, expr)                                                      \
    do {                                                                     \
        PyObject *taken_ = (expr);                                           \
        if (taken_ == NULL) {                                                \
            return NULL;                                                     \
        }                                                                    \
        Py_XSETREF(var, taken_);                                             \
    } while (0);
    TAKE(g_facts_py, take(ns, "_facts_py"))
    TAKE(g_whole_py, take(ns, "_whole_py"))
    TAKE(g_sort_key, take(ns, "_by_start_then_priority"))
    TAKE(g_email_at_search, take(ns, "_email_at_search"))
    TAKE(g_tld_anchor_search, take(ns, "_tld_anchor_search"))
    TAKE(g_iban_search, take(ns, "_iban_search"))
    TAKE(g_scan_telegram, take_attr(ns, "contacts", "scan_telegram"))
    TAKE(g_scan_onion, take_attr(ns, "contacts", "scan_onion"))
    TAKE(g_scan_email, take_attr(ns, "contacts", "scan_email"))
    TAKE(g_scan_url, take_attr(ns, "contacts", "scan_url"))
    TAKE(g_scan_phone, take_attr(ns, "contacts", "scan_phone"))
    TAKE(g_scan_payments, take_attr(ns, "money", "scan_payments"))
    TAKE(g_scan_wallets, take_attr(ns, "money", "scan_wallets"))
    TAKE(g_scan_iban, take_attr(ns, "money", "scan_iban"))
    TAKE(g_signs, take_attr(ns, "money", "_SIGNS"))
    TAKE(g_words, take_attr(ns, "money", "_WORDS"))
    TAKE(g_krona, take_attr(ns, "money", "_KRONA"))
    TAKE(g_price_value, take_attr(ns, "money", "price_value"))
    {
        PyObject *words = take_attr(ns, "money", "POST_WORDS");
        if (words == NULL) {
            return NULL;
        }
        int rc = take_post_words(words);
        Py_DECREF(words);
        if (rc < 0) {
            return NULL;
        }
    }
    if (!PyDict_Check(g_signs) || !PyDict_Check(g_words) || !PyDict_Check(g_krona)) {
        PyErr_SetString(PyExc_TypeError, "configure: money._SIGNS, _WORDS and _KRONA must be dicts");
        return NULL;
    }
    TAKE(s_price, PyUnicode_InternFromString("price"))
    TAKE(s_empty, PyUnicode_InternFromString(""))
    TAKE(s_sek, PyUnicode_InternFromString("SEK"))
    TAKE(k_two, PyLong_FromLong(2))
    TAKE(s_lower, PyUnicode_InternFromString("lower"))
    TAKE(s_fact_match, PyUnicode_InternFromString("_fact_match"))
    TAKE(s_line_cache_size, PyUnicode_InternFromString("LINE_CACHE_SIZE"))
    TAKE(s_lines_held, PyUnicode_InternFromString("_lines_held"))
    TAKE(s_facts, PyUnicode_InternFromString("_FACTS"))
    TAKE(s_lines, PyUnicode_InternFromString("_LINES"))
    TAKE(s_sort, PyUnicode_InternFromString("sort"))
    TAKE(s_key, PyUnicode_InternFromString("key"))
    TAKE(k_zero, PyLong_FromLong(0))
    TAKE(k_minus_one, PyLong_FromLong(-1))
    TAKE(k_grows_facts, Py_BuildValue("(Olii)", Py_None, F_GROWS, 0, 0))
#undef TAKE
    Py_INCREF(ns);
    g_globals = ns;
    Py_RETURN_NONE;
}

/* entities(parts, Entity) -> [Entity(kind, value, start + o, end + o) for found, o in parts
 *                             for kind, value, start, end in found] */
static PyObject *
entities(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!arity("entities", nargs, 2)) {
        return NULL;
    }
    PyObject *parts = args[0], *entity = args[1];
    if (!PyTuple_Check(parts)) {
        PyErr_SetString(PyExc_TypeError, "entities: parts must be a tuple");
        return NULL;
    }
    Py_ssize_t count = 0;
    for (Py_ssize_t p = 0; p < PyTuple_GET_SIZE(parts); p++) {
        PyObject *part = PyTuple_GET_ITEM(parts, p);
        if (!PyTuple_Check(part) || PyTuple_GET_SIZE(part) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(part, 0))) {
            PyErr_SetString(PyExc_TypeError, "entities: a part must be (tuple, offset)");
            return NULL;
        }
        count += PyTuple_GET_SIZE(PyTuple_GET_ITEM(part, 0));
    }
    PyObject *out = PyList_New(count);
    if (out == NULL) {
        return NULL;
    }
    /* out holds NULL slots until it is full: untracked, the collector (gc.get_objects) can't hand it to
     * Python code that the Entity calls may run; tracked again once every slot is set */
    PyObject_GC_UnTrack(out);
    Py_ssize_t at = 0;
    for (Py_ssize_t p = 0; p < PyTuple_GET_SIZE(parts); p++) {
        PyObject *part = PyTuple_GET_ITEM(parts, p);
        PyObject *found = PyTuple_GET_ITEM(part, 0), *off = PyTuple_GET_ITEM(part, 1);
        /* an offset of int 0 adds nothing (0 + an int is that int): the positions are passed as they are */
        int shift = 1;
        if (PyLong_CheckExact(off)) {
            Py_ssize_t o = PyLong_AsSsize_t(off);
            if (o == -1 && PyErr_Occurred()) {
                PyErr_Clear();  /* too large for a Py_ssize_t: added as Python adds */
            }
            else {
                shift = o != 0;
            }
        }
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(found); j++) {
            PyObject *row = PyTuple_GET_ITEM(found, j);
            if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 4) {
                PyErr_SetString(PyExc_TypeError, "entities: a row must be (kind, value, start, end)");
                goto fail;
            }
            PyObject *call[4] = {PyTuple_GET_ITEM(row, 0), PyTuple_GET_ITEM(row, 1), NULL, NULL};
            PyObject *ent;
            if (shift) {
                call[2] = PyNumber_Add(PyTuple_GET_ITEM(row, 2), off);
                if (call[2] == NULL) {
                    goto fail;
                }
                call[3] = PyNumber_Add(PyTuple_GET_ITEM(row, 3), off);
                if (call[3] == NULL) {
                    Py_DECREF(call[2]);
                    goto fail;
                }
                ent = PyObject_Vectorcall(entity, call, 4, NULL);
                Py_DECREF(call[2]);
                Py_DECREF(call[3]);
            }
            else {
                call[2] = PyTuple_GET_ITEM(row, 2);
                call[3] = PyTuple_GET_ITEM(row, 3);
                ent = PyObject_Vectorcall(entity, call, 4, NULL);
            }
            if (ent == NULL) {
                goto fail;
            }
            if (at >= count) {  /* the parts changed size under us (a callee mutating them): impossible for tuples */
                Py_DECREF(ent);
                PyErr_SetString(PyExc_RuntimeError, "entities: parts changed");
                goto fail;
            }
            PyList_SET_ITEM(out, at++, ent);
        }
    }
    PyObject_GC_Track(out);
    return out;
fail:
    /* slots not yet set are NULL, which list deallocation skips */
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"configure", (PyCFunction)configure, METH_O, "configure(globals of tgintel.detect.entities)"},
    {"split_lines", (PyCFunction)split_lines, METH_O, "_LINE_BREAK_RE.split(text)"},
    {"line_facts", (PyCFunction)line_facts, METH_O, "_line_facts(line)"},
    {"whole", (PyCFunction)(void (*)(void))whole, METH_FASTCALL, "_whole(text, region)"},
    {"extract", (PyCFunction)(void (*)(void))extract, METH_FASTCALL, "_extract(text, region) (not memoised)"},
    {"lower", (PyCFunction)lower, METH_O, "str.lower(text)"},
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL, "_scan(text, lower, region, mask, bits, digit)"},
    {"scan_prices", (PyCFunction)(void (*)(void))scan_prices, METH_FASTCALL,
     "money.scan_prices(text, lower, region, out, digit, sign_first, amount_first)"},
    {"price_search", (PyCFunction)(void (*)(void))price_search_py, METH_FASTCALL,
     "price_search(text, pos, sign_first) -> (start, end, pre or post, amt, k) | None"},
    {"price_value", (PyCFunction)(void (*)(void))price_value_py, METH_FASTCALL,
     "money.price_value(amount, code, thousands)"},
    {"line_parts", (PyCFunction)(void (*)(void))line_parts, METH_FASTCALL,
     "line_parts(text, region) -> Parts | None"},
    {"entities", (PyCFunction)(void (*)(void))entities, METH_FASTCALL, "entities(parts, Entity) -> list"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_c_lines",
    "C mirror of tgintel.detect.entities' per-message line loop (see the Python for the reference).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__c_lines(void)
{
    return PyModule_Create(&module);
}
