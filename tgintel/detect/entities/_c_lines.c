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
 * are called from here (scan_prices: its loop is here, its two searches and price_value are money's); configure(globals()) hands this module the entities module's namespace once, at import.
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
static PyObject *g_price_pre_search, *g_price_post_search, *g_signs, *g_words, *g_krona, *g_price_value;
static PyObject *s_start, *s_end, *s_group, *s_isdigit, *s_price, *k_one, *k_two, *k_group23, *k_group123;
static PyObject *s_dollar, *s_e, *s_kr, *s_empty, *s_sek;
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
            PyObject *hits = PyObject_CallOneArg(fact_match, data);
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
lower_of(PyObject *s)
{
    int kind = PyUnicode_KIND(s);
    if (kind == PyUnicode_1BYTE_KIND) {
        return PyObject_CallMethodNoArgs(s, s_lower);
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
    return PyObject_CallMethodNoArgs(s, s_lower);
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
    if (PyDict_GET_SIZE(memo) >= limit) {
        PyDict_Clear(memo);
    }
    if (PyDict_SetItem(memo, line, f) < 0) {
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

/* m.<name>(*args) for a match object; a new reference */
static PyObject *
match_call(PyObject *m, PyObject *name, PyObject *arg)
{
    PyObject *a[2] = {m, arg};
    return PyObject_VectorcallMethod(name, a, (arg == NULL ? 1 : 2) | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* m.start() / m.end() as a C value; -1 with an exception on error */
static Py_ssize_t
match_pos(PyObject *m, PyObject *name)
{
    PyObject *r = match_call(m, name, NULL);
    if (r == NULL) {
        return -1;
    }
    Py_ssize_t v = PyLong_AsSsize_t(r);
    Py_DECREF(r);
    return v;
}

/* m.group(*numbers) for a tuple of group numbers: a tuple of that many items; a new reference */
static PyObject *
match_groups(PyObject *m, PyObject *numbers)
{
    Py_ssize_t k = PyTuple_GET_SIZE(numbers);
    PyObject *a[4] = {m, NULL, NULL, NULL};
    for (Py_ssize_t i = 0; i < k && i < 3; i++) {
        a[i + 1] = PyTuple_GET_ITEM(numbers, i);
    }
    PyObject *r = PyObject_VectorcallMethod(s_group, a, (size_t)(k + 1) | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    if (r != NULL && (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != k)) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "match.group returned no tuple of the groups asked");
        return NULL;
    }
    return r;
}

/* search(s, pos) where pos < len(s), else None (the Python's loop condition; a price needs a character at
 * pos, so no search from the end can find one either); a new reference */
static PyObject *
search_from(PyObject *search, PyObject *s, Py_ssize_t pos)
{
    if (pos >= PyUnicode_GET_LENGTH(s)) {
        Py_RETURN_NONE;
    }
    PyObject *p = PyLong_FromSsize_t(pos);
    if (p == NULL) {
        return NULL;
    }
    PyObject *a[2] = {s, p};
    PyObject *m = PyObject_Vectorcall(search, a, 2, NULL);
    Py_DECREF(p);
    return m;
}

/* out.append((start, end, 2, "price", price_value(amount, code, k is not None))) unless the value is None */
static int
add_price(PyObject *out, Py_ssize_t start, Py_ssize_t end, PyObject *amount, PyObject *code, PyObject *k)
{
    PyObject *a[3] = {amount, code, k != Py_None ? Py_True : Py_False};
    PyObject *value = PyObject_Vectorcall(g_price_value, a, 3, NULL);
    if (value == NULL) {
        return -1;
    }
    int rc = 0;
    if (value != Py_None) {
        Py_INCREF(k_two);
        Py_INCREF(s_price);
        Py_INCREF(value);
        PyObject *items[5] = {PyLong_FromSsize_t(start), PyLong_FromSsize_t(end), k_two, s_price, value};
        PyObject *cand = tuple_of(items, 5);
        rc = cand == NULL ? -1 : PyList_Append(out, cand);
        Py_XDECREF(cand);
    }
    Py_DECREF(value);
    return rc;
}

/* money.scan_prices(text, lower, region, out, digit, sign_first, amount_first), line for line; the two
 * searches are money's own compiled patterns, price values money's memoised price_value. */
static int
scan_prices_impl(PyObject *text, PyObject *lower, PyObject *region, PyObject *out, Py_ssize_t digit,
                 int sign_first, int amount_first)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *m = NULL, *groups = NULL;
    if (sign_first) {
        m = search_from(g_price_pre_search, text, digit > 6 ? digit - 6 : 0);
        if (m == NULL) {
            return -1;
        }
    }
    else {
        m = Py_None;
        Py_INCREF(m);
    }
    while (m != Py_None) {
        Py_ssize_t start = match_pos(m, s_start);
        if (start == -1 && PyErr_Occurred()) {
            goto fail;
        }
        PyObject *pre = match_call(m, s_group, k_one);
        if (pre == NULL) {
            goto fail;
        }
        if (!PyUnicode_Check(pre)) {
            Py_DECREF(pre);
            PyErr_SetString(PyExc_TypeError, "a price sign must be a str");
            goto fail;
        }
        PyObject *code;
        if (PyUnicode_GET_LENGTH(pre) == 1) {
            code = PyDict_GetItemWithError(g_signs, pre);
            if (code == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, pre);
                }
                Py_DECREF(pre);
                goto fail;
            }
            Py_INCREF(code);
            int dollar = PyUnicode_Compare(pre, s_dollar) == 0;
            if (dollar && start > 0) {
                Py_UCS4 before = PyUnicode_READ(kind, data, start - 1);
                if (before == 'S' || before == 'C' || before == 'A') {
                    int us = start >= 2 && PyUnicode_READ(kind, data, start - 2) == 'U' && before == 'S';
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
        else {
            Py_ssize_t len = PyUnicode_GET_LENGTH(pre);
            code = PyUnicode_Substring(pre, 0, len > 0 ? len - 1 : 0);
            if (code == NULL) {
                Py_DECREF(pre);
                goto fail;
            }
        }
        Py_DECREF(pre);
        int glued = 0;
        if (start > 0) {
            Py_UCS4 before = PyUnicode_READ(kind, data, start - 1);
            glued = Py_UNICODE_ISALNUM(before) || before == '.' || before == ',';
        }
        if (!glued) {
            groups = match_groups(m, k_group23);
            Py_ssize_t end = groups == NULL ? -1 : match_pos(m, s_end);
            if (end == -1 && PyErr_Occurred()) {
                Py_DECREF(code);
                goto fail;
            }
            int rc = add_price(out, start, end, PyTuple_GET_ITEM(groups, 0), code, PyTuple_GET_ITEM(groups, 1));
            Py_CLEAR(groups);
            if (rc < 0) {
                Py_DECREF(code);
                goto fail;
            }
        }
        Py_DECREF(code);
        Py_ssize_t after = match_pos(m, s_end);
        if (after == -1 && PyErr_Occurred()) {
            goto fail;
        }
        Py_SETREF(m, search_from(g_price_pre_search, text, after));
        if (m == NULL) {
            return -1;
        }
    }
    Py_DECREF(m);
    if (!amount_first) {
        return 0;
    }
    if (!PyUnicode_Check(lower)) {
        PyErr_SetString(PyExc_TypeError, "lower must be a str");
        return -1;
    }
    {
        PyObject *p = PyLong_FromSsize_t(digit);
        if (p == NULL) {
            return -1;
        }
        PyObject *a[2] = {lower, p};
        m = PyObject_Vectorcall(g_price_post_search, a, 2, NULL);
        Py_DECREF(p);
        if (m == NULL) {
            return -1;
        }
    }
    while (m != Py_None) {
        groups = match_groups(m, k_group123);
        if (groups == NULL) {
            goto fail;
        }
        PyObject *amount = PyTuple_GET_ITEM(groups, 0), *k = PyTuple_GET_ITEM(groups, 1);
        PyObject *post = PyTuple_GET_ITEM(groups, 2);
        int take = PyObject_RichCompareBool(post, s_e, Py_NE);
        if (take == 0) {
            PyObject *r = PyObject_CallMethodNoArgs(amount, s_isdigit);
            if (r == NULL) {
                goto fail;
            }
            take = PyObject_IsTrue(r);
            Py_DECREF(r);
        }
        if (take < 0) {
            goto fail;
        }
        if (take) {
            int kr = PyObject_RichCompareBool(post, s_kr, Py_EQ);
            if (kr < 0) {
                goto fail;
            }
            PyObject *code;
            if (kr) {
                int has_region = PyObject_IsTrue(region);
                if (has_region < 0) {
                    goto fail;
                }
                code = PyDict_GetItemWithError(g_krona, has_region ? region : s_empty);
                if (code == NULL && PyErr_Occurred()) {
                    goto fail;
                }
                if (code == NULL) {
                    code = s_sek;
                }
            }
            else {
                code = PyDict_GetItemWithError(g_words, post);
                if (code == NULL && PyErr_Occurred()) {
                    goto fail;
                }
                if (code == NULL) {
                    code = s_empty;
                }
            }
            Py_INCREF(code);
            int nonempty = PyObject_IsTrue(code);
            if (nonempty > 0) {
                Py_ssize_t start = match_pos(m, s_start);
                Py_ssize_t end = (start == -1 && PyErr_Occurred()) ? -1 : match_pos(m, s_end);
                if (end == -1 && PyErr_Occurred()) {
                    nonempty = -1;
                }
                else if (add_price(out, start, end, amount, code, k) < 0) {
                    nonempty = -1;
                }
            }
            Py_DECREF(code);
            if (nonempty < 0) {
                goto fail;
            }
        }
        Py_CLEAR(groups);
        Py_ssize_t after = match_pos(m, s_end);
        if (after == -1 && PyErr_Occurred()) {
            goto fail;
        }
        Py_SETREF(m, search_from(g_price_post_search, lower, after));
        if (m == NULL) {
            return -1;
        }
    }
    Py_DECREF(m);
    return 0;
fail:
    Py_XDECREF(groups);
    Py_XDECREF(m);
    return -1;
}

static PyObject *
scan_prices(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "scan_prices takes 7 arguments");
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
        int wallets = n > 24 && (n > 120 || (bits & F_LONG_TOKEN) != 0);
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
        PyObject *start = PyTuple_GET_ITEM(c, 0), *end = PyTuple_GET_ITEM(c, 1);
        int keep = count == 1 ? 1 : PyObject_RichCompareBool(start, last_end, Py_GE);
        if (keep < 0) {
            goto rows_fail;
        }
        if (keep) {
            PyObject *row = untracked(PyTuple_Pack(4, PyTuple_GET_ITEM(c, 3), PyTuple_GET_ITEM(c, 4), start, end));
            if (row == NULL || PyList_Append(rows, row) < 0) {
                Py_XDECREF(row);
                goto rows_fail;
            }
            Py_DECREF(row);
            Py_INCREF(end);
            Py_SETREF(last_end, end);
        }
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
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "scan takes 6 arguments");
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
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "line_parts takes 2 arguments");
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
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "whole takes 2 arguments");
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
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "extract takes 2 arguments");
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
    TAKE(g_price_pre_search, take_attr(ns, "money", "_price_pre_search"))
    TAKE(g_price_post_search, take_attr(ns, "money", "_price_post_search"))
    TAKE(g_signs, take_attr(ns, "money", "_SIGNS"))
    TAKE(g_words, take_attr(ns, "money", "_WORDS"))
    TAKE(g_krona, take_attr(ns, "money", "_KRONA"))
    TAKE(g_price_value, take_attr(ns, "money", "price_value"))
    if (!PyDict_Check(g_signs) || !PyDict_Check(g_words) || !PyDict_Check(g_krona)) {
        PyErr_SetString(PyExc_TypeError, "configure: money._SIGNS, _WORDS and _KRONA must be dicts");
        return NULL;
    }
    TAKE(s_start, PyUnicode_InternFromString("start"))
    TAKE(s_end, PyUnicode_InternFromString("end"))
    TAKE(s_group, PyUnicode_InternFromString("group"))
    TAKE(s_isdigit, PyUnicode_InternFromString("isdigit"))
    TAKE(s_price, PyUnicode_InternFromString("price"))
    TAKE(s_dollar, PyUnicode_InternFromString("$"))
    TAKE(s_e, PyUnicode_InternFromString("e"))
    TAKE(s_kr, PyUnicode_InternFromString("kr"))
    TAKE(s_empty, PyUnicode_InternFromString(""))
    TAKE(s_sek, PyUnicode_InternFromString("SEK"))
    TAKE(k_one, PyLong_FromLong(1))
    TAKE(k_two, PyLong_FromLong(2))
    TAKE(k_group23, Py_BuildValue("(ii)", 2, 3))
    TAKE(k_group123, Py_BuildValue("(iii)", 1, 2, 3))
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
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "entities takes 2 arguments");
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
