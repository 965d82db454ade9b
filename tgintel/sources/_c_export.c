/* Store rows of Telegram Desktop messages, and the digit-run check of the block reader, in C.
 *
 * Why: after SQLite's own work, turning each parsed message dict into the store's row (the column values,
 * their JSON, and the row digest: blake2b-64 of orjson.dumps of the values) was the largest cost of an
 * import (~43k instructions a message in CPython; docs/benchmarks.md, "Ingest, C rows").
 *
 * What it mirrors: tgintel.sources.desktop_export._convert (the ``seal`` path, i.e. to_row with
 * tgintel.store.sql.seal_message_values) for the shapes Telegram Desktop writes most: plain and list-form
 * texts with their text_entities, senders, edits, forwards from channels, replies, via_bot, author, emoji
 * reactions, photos and files. Anything else -- a key it does not know (which would go to ``raw``), a value
 * of an unexpected type, a string that is not valid UTF-8 (lone surrogates), an integer outside 64 bits, a
 * text over the size limit -- is "declined": the dict is left untouched and the Python function converts
 * it (and raises the error, if any). The Python code is the reference; tests/ingest/test_c_rows.py holds the
 * two equal on every shape the tests build and on generated dicts.
 *
 * The module never mutates the message dicts, keeps no borrowed reference past the call that lent it, and
 * bounds every read by the lengths CPython reports.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- blake2b with an 8-byte digest and no key (RFC 7693), as hashlib.blake2b(digest_size=8) ---- */

static const uint64_t B2B_IV[8] = {
    0x6A09E667F3BCC908ULL, 0xBB67AE8584CAA73BULL, 0x3C6EF372FE94F82BULL, 0xA54FF53A5F1D36F1ULL,
    0x510E527FADE682D1ULL, 0x9B05688C2B3E6C1FULL, 0x1F83D9ABFB41BD6BULL, 0x5BE0CD19137E2179ULL,
};

static const uint8_t B2B_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

#define ROTR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define B2B_G(a, b, c, d, x, y)              \
    do {                                     \
        v[a] = v[a] + v[b] + (x);            \
        v[d] = ROTR64(v[d] ^ v[a], 32);      \
        v[c] = v[c] + v[d];                  \
        v[b] = ROTR64(v[b] ^ v[c], 24);      \
        v[a] = v[a] + v[b] + (y);            \
        v[d] = ROTR64(v[d] ^ v[a], 16);      \
        v[c] = v[c] + v[d];                  \
        v[b] = ROTR64(v[b] ^ v[c], 63);      \
    } while (0)

static inline uint64_t load64(const uint8_t *p) {
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) | ((uint64_t)p[3] << 24) |
           ((uint64_t)p[4] << 32) | ((uint64_t)p[5] << 40) | ((uint64_t)p[6] << 48) | ((uint64_t)p[7] << 56);
}

/* One round with its message schedule as constants, so that the compiler keeps m[] and v[] in registers
 * (a loop over a sigma table measured ~25 % more instructions). */
#define B2B_ROUND(r)                                                              \
    do {                                                                          \
        B2B_G(0, 4, 8, 12, m[B2B_SIGMA[r][0]], m[B2B_SIGMA[r][1]]);               \
        B2B_G(1, 5, 9, 13, m[B2B_SIGMA[r][2]], m[B2B_SIGMA[r][3]]);               \
        B2B_G(2, 6, 10, 14, m[B2B_SIGMA[r][4]], m[B2B_SIGMA[r][5]]);              \
        B2B_G(3, 7, 11, 15, m[B2B_SIGMA[r][6]], m[B2B_SIGMA[r][7]]);              \
        B2B_G(0, 5, 10, 15, m[B2B_SIGMA[r][8]], m[B2B_SIGMA[r][9]]);              \
        B2B_G(1, 6, 11, 12, m[B2B_SIGMA[r][10]], m[B2B_SIGMA[r][11]]);            \
        B2B_G(2, 7, 8, 13, m[B2B_SIGMA[r][12]], m[B2B_SIGMA[r][13]]);             \
        B2B_G(3, 4, 9, 14, m[B2B_SIGMA[r][14]], m[B2B_SIGMA[r][15]]);             \
    } while (0)

static void b2b_compress(uint64_t h[8], const uint8_t block[128], uint64_t t0, uint64_t t1, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2B_IV[i];
    }
    v[12] ^= t0;
    v[13] ^= t1;
    if (last) v[14] = ~v[14];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    B2B_ROUND(0);
    B2B_ROUND(1);
    B2B_ROUND(2);
    B2B_ROUND(3);
    B2B_ROUND(4);
    B2B_ROUND(5);
    B2B_ROUND(6);
    B2B_ROUND(7);
    B2B_ROUND(8);
    B2B_ROUND(9);
    B2B_ROUND(10);
    B2B_ROUND(11);
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/* The 16 lowercase hex digits of blake2b(data, digest_size=8). */
static void blake2b8_hex(const uint8_t *data, size_t len, char out[16]) {
    uint64_t h[8];
    uint64_t t0 = 0, t1 = 0;
    uint8_t last[128];
    memcpy(h, B2B_IV, sizeof h);
    h[0] ^= 0x01010000ULL ^ 8ULL; /* fanout 1, depth 1, no key, 8-byte digest */
    while (len > 128) {           /* every block but the last (which may be full) */
        t0 += 128;
        if (t0 < 128) t1++;
        b2b_compress(h, data, t0, t1, 0);
        data += 128;
        len -= 128;
    }
    t0 += len;
    if (t0 < len) t1++;
    memset(last, 0, sizeof last);
    if (len) memcpy(last, data, len);
    b2b_compress(h, last, t0, t1, 1);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        uint8_t b = (uint8_t)(h[0] >> (8 * i));
        out[2 * i] = hex[b >> 4];
        out[2 * i + 1] = hex[b & 15];
    }
}

/* ---- a growable byte buffer for the JSON the row needs ---- */

typedef struct {
    char *p;
    Py_ssize_t n, cap;
    char small[4096];
} Buf;

static void buf_init(Buf *b) {
    b->p = b->small;
    b->n = 0;
    b->cap = (Py_ssize_t)sizeof b->small;
}

static void buf_free(Buf *b) {
    if (b->p != b->small) PyMem_Free(b->p);
    b->p = b->small;
    b->n = 0;
    b->cap = (Py_ssize_t)sizeof b->small;
}

static int buf_reserve(Buf *b, Py_ssize_t extra) {
    if (extra <= b->cap - b->n) return 0;
    if (extra > PY_SSIZE_T_MAX / 2 - b->n) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = b->cap * 2;
    if (cap < b->n + extra) cap = b->n + extra;
    char *p = PyMem_Malloc((size_t)cap);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(p, b->p, (size_t)b->n);
    if (b->p != b->small) PyMem_Free(b->p);
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_put(Buf *b, const char *s, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->p + b->n, s, (size_t)n);
    b->n += n;
    return 0;
}

static int buf_ch(Buf *b, char c) {
    if (buf_reserve(b, 1) < 0) return -1;
    b->p[b->n++] = c;
    return 0;
}

static int buf_ll(Buf *b, long long v) {
    char tmp[24];
    int k = (int)sizeof tmp;
    /* negate as unsigned: -LLONG_MIN is not a long long */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[--k] = '-';
    return buf_put(b, tmp + k, (Py_ssize_t)sizeof tmp - k);
}

/* Nonzero iff any of the 8 bytes of w is below 0x20, '"' or '\\' (the bytes a JSON string escapes):
 * (x - 0x01..) & ~x & 0x80.. flags a zero byte, (x - 0x20..) & ~x & 0x80.. a byte below 0x20. A borrow can
 * only start at a flagged byte, so the flags may be wrong above a true one but never all wrong. */
static inline uint64_t needs_escape8(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
}

/* How many bytes from the start of s[0:n] a JSON string can hold as they are (16, then 8, then 1 at a
 * time; the constants stay in registers in this loop). */
static Py_ssize_t plain_prefix(const char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    for (; n - i >= 16; i += 16) {
        uint64_t a, b;
        memcpy(&a, s + i, 8);
        memcpy(&b, s + i + 8, 8);
        if (needs_escape8(a) | needs_escape8(b)) break;
    }
    for (; n - i >= 8; i += 8) {
        uint64_t a;
        memcpy(&a, s + i, 8);
        if (needs_escape8(a)) break;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') break;
    }
    return i;
}

/* A JSON string as orjson and msgspec both write it (the same bytes: '"', '\\' and controls escaped,
 * \b \t \n \f \r short, other controls as lowercase \u00XX, everything else raw UTF-8). */
static int buf_json_utf8(Buf *b, const char *s, Py_ssize_t n) {
    static const char hex[] = "0123456789abcdef";
    if (buf_reserve(b, n + 2) < 0) return -1;
    b->p[b->n++] = '"';
    Py_ssize_t i = 0;
    for (;;) {
        Py_ssize_t k = plain_prefix(s + i, n - i);
        if (buf_put(b, s + i, k) < 0) return -1;
        i += k;
        if (i >= n) break;
        unsigned char c = (unsigned char)s[i++];
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        int len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\t': esc[1] = 't'; break;
        case '\n': esc[1] = 'n'; break;
        case '\f': esc[1] = 'f'; break;
        case '\r': esc[1] = 'r'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        if (buf_put(b, esc, len) < 0) return -1;
    }
    return buf_ch(b, '"');
}

/* Result codes of the converters: OK, DECLINE (the Python path decides; no exception set), ERR (an
 * exception is set: MemoryError and the like, which the caller propagates). */
#define OK 0
#define DECLINE 1
#define ERR (-1)

/* The UTF-8 of a str; DECLINE for one that has none (lone surrogates: the Python path raises there). */
static int utf8_of(PyObject *s, const char **p, Py_ssize_t *n) {
    *p = PyUnicode_AsUTF8AndSize(s, n);
    if (*p != NULL) return OK;
    if (PyErr_ExceptionMatches(PyExc_UnicodeError)) {
        PyErr_Clear();
        return DECLINE;
    }
    return ERR;
}

static int buf_json_str(Buf *b, PyObject *s) {
    const char *p;
    Py_ssize_t n;
    int rc = utf8_of(s, &p, &n);
    if (rc != OK) return rc;
    return buf_json_utf8(b, p, n) < 0 ? ERR : OK;
}

/* An exact int (never a bool) within int64: OK and *out; DECLINE otherwise. */
static int int64_of(PyObject *v, long long *out) {
    if (!PyLong_CheckExact(v)) return DECLINE;
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow) return DECLINE;
    if (x == -1 && PyErr_Occurred()) return ERR;
    *out = x;
    return OK;
}

/* A JSON scalar the way orjson/msgspec write it: null, true/false, int64, str. DECLINE otherwise. */
static int buf_json_scalar(Buf *b, PyObject *v) {
    if (v == Py_None) return buf_put(b, "null", 4) < 0 ? ERR : OK;
    if (v == Py_True) return buf_put(b, "true", 4) < 0 ? ERR : OK;
    if (v == Py_False) return buf_put(b, "false", 5) < 0 ? ERR : OK;
    if (PyUnicode_CheckExact(v)) return buf_json_str(b, v);
    long long x;
    int rc = int64_of(v, &x);
    if (rc != OK) return rc;
    return buf_ll(b, x) < 0 ? ERR : OK;
}

/* ---- interned keys and constants, and what desktop_export.configure hands over ---- */

enum {
    K_ID, K_TYPE, K_DATE, K_DATE_UNIX, K_TEXT, K_ENTS, K_FROM, K_FROM_ID, K_ACTOR, K_ACTOR_ID, K_ACTION,
    K_EDITED, K_EDITED_UNIX, K_FWD_FROM, K_FWD_FROM_ID, K_REACTIONS, K_REPLY_TO, K_VIA_BOT, K_AUTHOR,
    K_PHOTO, K_PHOTO_SIZE, K_WIDTH, K_HEIGHT, K_FILE, K_MEDIA_TYPE, K_FILE_NAME, K_THUMB, K_THUMB_SIZE,
    K_STICKER_EMOJI, K_PERFORMER, K_TITLE, K_DURATION, K_MIME, K_FILE_SIZE, K_POLL, K_CONTACT, K_LOCATION,
    K_GAME, K_INVOICE, K_HREF, K_USER_ID, K_EMOJI, K_DOCUMENT_ID, K_COUNT, N_KEYS
};

static const char *KEY_NAMES[N_KEYS] = {
    "id", "type", "date", "date_unixtime", "text", "text_entities", "from", "from_id", "actor", "actor_id",
    "action", "edited", "edited_unixtime", "forwarded_from", "forwarded_from_id", "reactions",
    "reply_to_message_id", "via_bot", "author", "photo", "photo_file_size", "width", "height", "file",
    "media_type", "file_name", "thumbnail", "thumbnail_file_size", "sticker_emoji", "performer", "title",
    "duration_seconds", "mime_type", "file_size", "poll", "contact_information", "location_information",
    "game_title", "invoice_information", "href", "user_id", "emoji", "document_id", "count",
};

static PyObject *S_EMPTY, *S_MESSAGE, *S_SERVICE, *S_PLAIN, *S_TEXT_LINK, *S_MENTION_NAME, *S_EMOJI_KIND,
    *S_CUSTOM_EMOJI, *S_PHOTO, *S_DOCUMENT;
static PyObject *PLACEHOLDERS; /* FILE_PLACEHOLDERS of desktop_export (set by configure) */
static PyObject *MEDIA_KINDS;  /* MEDIA_KINDS of desktop_export */
static long MAX_TEXT = -1;     /* MAX_TEXT_CHARS of desktop_export; -1: not configured (every dict declined) */

/* Which known key a str is (-1: none). Keys are matched by length, then by their first 8 bytes as one
 * integer, then the rest: a few instructions a key, where a dict lookup per known key cost ~170. */
#define MAX_KEY_LEN 24
#define KEYS_PER_LEN 8
static int8_t BY_LEN[MAX_KEY_LEN + 1][KEYS_PER_LEN];
static uint64_t KEY_HEAD[N_KEYS];

static uint64_t head8(const char *s, size_t n) {
    uint64_t h = 0;
    memcpy(&h, s, n < 8 ? n : 8);
    return h;
}

static int key_id(PyObject *k) {
    if (!PyUnicode_IS_ASCII(k)) return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(k);
    if (n < 1 || n > MAX_KEY_LEN) return -1;
    const char *s = (const char *)PyUnicode_DATA(k);
    uint64_t h = head8(s, (size_t)n);
    for (int i = 0; i < KEYS_PER_LEN; i++) {
        int id = BY_LEN[n][i];
        if (id < 0) break;
        if (KEY_HEAD[id] == h && (n <= 8 || memcmp(s + 8, KEY_NAMES[id] + 8, (size_t)n - 8) == 0)) return id;
    }
    return -1;
}

static int init_key_table(void) {
    memset(BY_LEN, -1, sizeof BY_LEN);
    for (int id = 0; id < N_KEYS; id++) {
        size_t n = strlen(KEY_NAMES[id]);
        int slot = 0;
        if (n < 1 || n > MAX_KEY_LEN) return -1;
        while (slot < KEYS_PER_LEN && BY_LEN[n][slot] >= 0) slot++;
        if (slot == KEYS_PER_LEN) return -1;
        BY_LEN[n][slot] = (int8_t)id;
        KEY_HEAD[id] = head8(KEY_NAMES[id], n);
    }
    return 0;
}

/* One dict's values by known key (borrowed from the dict, NULL if absent), and how many keys were used. */
typedef struct {
    PyObject *d;
    Py_ssize_t used;
    PyObject *v[N_KEYS];
} Msg;

#define KEY_BIT(k) (1ULL << (k))
#define MESSAGE_KEYS (KEY_BIT(K_HREF) - 1) /* every key before the entity and reaction ones */
#define PART_KEYS (KEY_BIT(K_TYPE) | KEY_BIT(K_TEXT) | KEY_BIT(K_HREF) | KEY_BIT(K_USER_ID))
#define REACTION_KEYS (KEY_BIT(K_TYPE) | KEY_BIT(K_EMOJI) | KEY_BIT(K_DOCUMENT_ID) | KEY_BIT(K_COUNT))

/* Read ``d`` in one pass: the values of the keys in ``allowed``; any other key declines when ``strict``
 * (and is otherwise left to the caller's count of used keys). Every key must be an exact str, as a JSON
 * parser makes them: no Python code then runs while the dict is read (a key of another type could compare
 * through its own __eq__, which might change the dict under the borrowed references held here). */
static int fill(Msg *m, PyObject *d, uint64_t allowed, int strict) {
    Py_ssize_t pos = 0;
    PyObject *k, *val;
    m->d = d;
    m->used = 0;
    memset(m->v, 0, sizeof m->v);
    while (PyDict_Next(d, &pos, &k, &val)) {
        if (!PyUnicode_CheckExact(k)) return DECLINE;
        int id = key_id(k);
        if (id >= 0 && (allowed & KEY_BIT(id))) m->v[id] = val;
        else if (strict) return DECLINE;
    }
    return OK;
}

/* The value of a known key or NULL; counts the key as used when ``take``. */
static PyObject *get(Msg *m, int key, int take) {
    PyObject *v = m->v[key];
    if (v != NULL && take) m->used++;
    return v;
}

static int is_str(PyObject *v) { return PyUnicode_CheckExact(v); }

static int str_eq(PyObject *a, PyObject *b) {
    /* both exact str: CPython's own equality (length, kind, then memory) */
    return PyUnicode_Compare(a, b) == 0;
}

/* An export's Unix time string: 1..11 ASCII digits (the Python path takes the others). */
static int unix_of(PyObject *v, long long *out) {
    if (!is_str(v) || !PyUnicode_IS_ASCII(v)) return DECLINE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(v);
    if (n < 1 || n > 11) return DECLINE;
    const char *s = (const char *)PyUnicode_DATA(v);
    long long x = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return DECLINE;
        x = x * 10 + (s[i] - '0');
    }
    *out = x;
    return OK;
}

/* _peer_key: None stays None, "user…"/"channel…" strings as written, an int is a user id. New reference in
 * *out (None included). */
static int peer_key(PyObject *v, PyObject **out) {
    if (v == NULL || v == Py_None) {
        *out = Py_NewRef(Py_None);
        return OK;
    }
    if (is_str(v)) {
        *out = Py_NewRef(v);
        return OK;
    }
    long long x;
    int rc = int64_of(v, &x);
    if (rc != OK) return rc;
    *out = PyUnicode_FromFormat("user%lld", x);
    return *out == NULL ? ERR : OK;
}

/* A value that must be a str or None (absent: None). New reference. */
static int str_or_none(PyObject *v, PyObject **out) {
    if (v == NULL || v == Py_None || is_str(v)) {
        *out = Py_NewRef(v == NULL ? Py_None : v);
        return OK;
    }
    return DECLINE;
}

/* ---- text and markup ---- */

/* _markup_from over ``parts`` (a list): the joined text in *text and the markup JSON (msgspec's encoding of
 * list[Markup], array_like) in ``mk``; *spans counts the markup entries. */
static int markup_from(PyObject *parts, PyObject **text, Buf *mk, Py_ssize_t *spans) {
    Py_ssize_t n = PyList_GET_SIZE(parts);
    PyObject *pieces = PyList_New(n);
    if (pieces == NULL) return ERR;
    long long pos = 0;
    int rc = OK;
    *spans = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *part = PyList_GET_ITEM(parts, i);
        if (is_str(part)) {
            PyList_SET_ITEM(pieces, i, Py_NewRef(part));
            pos += PyUnicode_GET_LENGTH(part);
            continue;
        }
        Msg pm;
        if (!PyDict_CheckExact(part) || (rc = fill(&pm, part, PART_KEYS, 0)) != OK) {
            if (rc == OK) rc = DECLINE;
            goto done;
        }
        PyObject *s = get(&pm, K_TEXT, 1);
        PyObject *kind = get(&pm, K_TYPE, 1);
        PyObject *href = get(&pm, K_HREF, 1);
        PyObject *uid = get(&pm, K_USER_ID, 1);
        if (s == NULL) s = S_EMPTY;
        if (kind == NULL) kind = S_PLAIN;
        if (!is_str(s) || !is_str(kind)) {
            rc = DECLINE;
            goto done;
        }
        PyList_SET_ITEM(pieces, i, Py_NewRef(s));
        long long len = PyUnicode_GET_LENGTH(s);
        if (str_eq(kind, S_PLAIN)) {
            pos += len;
            continue;
        }
        if (pm.used != PyDict_GET_SIZE(part)) { /* keys beyond type, text, href, user_id go to raw */
            rc = DECLINE;
            goto done;
        }
        PyObject *url = NULL; /* borrowed, or owned in url_owned */
        PyObject *url_owned = NULL;
        if (str_eq(kind, S_TEXT_LINK)) {
            url = href;
            if (url != NULL && url != Py_None && !is_str(url)) {
                rc = DECLINE;
                goto done;
            }
        } else if (str_eq(kind, S_MENTION_NAME) && uid != NULL && uid != Py_None) {
            if (is_str(uid)) {
                url = uid;
            } else {
                long long x;
                rc = int64_of(uid, &x);
                if (rc != OK) goto done;
                url = url_owned = PyUnicode_FromFormat("%lld", x);
                if (url == NULL) {
                    rc = ERR;
                    goto done;
                }
            }
        }
        /* [["type",start,end,url],…] */
        if (buf_ch(mk, *spans ? ',' : '[') < 0 || buf_ch(mk, '[') < 0) rc = ERR;
        if (rc == OK) rc = buf_json_str(mk, kind);
        if (rc == OK && (buf_ch(mk, ',') < 0 || buf_ll(mk, pos) < 0 || buf_ch(mk, ',') < 0 ||
                         buf_ll(mk, pos + len) < 0 || buf_ch(mk, ',') < 0))
            rc = ERR;
        if (rc == OK) rc = (url == NULL || url == Py_None) ? (buf_put(mk, "null", 4) < 0 ? ERR : OK)
                                                            : buf_json_str(mk, url);
        if (rc == OK && buf_ch(mk, ']') < 0) rc = ERR;
        Py_XDECREF(url_owned);
        if (rc != OK) goto done;
        (*spans)++;
        pos += len;
    }
    if (*spans && buf_ch(mk, ']') < 0) {
        rc = ERR;
        goto done;
    }
    *text = PyUnicode_Join(S_EMPTY, pieces);
    if (*text == NULL) rc = ERR;
done:
    Py_DECREF(pieces);
    return rc;
}

/* The text and markup of a message (_convert's fast test, then _text): *text new reference, markup JSON in
 * ``mk`` (empty: no markup). */
static int text_and_markup(PyObject *text, PyObject *ents, PyObject **out, Buf *mk) {
    if (text == NULL) text = S_EMPTY;
    if (ents != NULL && ents != Py_None && !PyList_CheckExact(ents)) return DECLINE;
    if (ents == Py_None) ents = NULL;
    Py_ssize_t ne = ents == NULL ? 0 : PyList_GET_SIZE(ents);
    if (is_str(text)) {
        if (ne == 0) {
            *out = Py_NewRef(text);
            return OK;
        }
        if (ne == 1 && PyDict_CheckExact(PyList_GET_ITEM(ents, 0))) {
            Msg em;
            int rc = fill(&em, PyList_GET_ITEM(ents, 0), KEY_BIT(K_TYPE) | KEY_BIT(K_TEXT), 0);
            if (rc != OK) return rc;
            PyObject *kind = em.v[K_TYPE];
            if (kind != NULL && is_str(kind) && str_eq(kind, S_PLAIN)) {
                PyObject *t = em.v[K_TEXT];
                if (t != NULL && is_str(t) && str_eq(t, text)) {
                    *out = Py_NewRef(text);
                    return OK;
                }
                return DECLINE; /* a plain entity whose text differs: kept in raw */
            }
            if (kind == NULL || !is_str(kind)) return DECLINE;
        }
    } else if (!PyList_CheckExact(text)) {
        return DECLINE;
    }
    PyObject *parts = ents != NULL ? ents : text;
    if (ents == NULL && !PyList_CheckExact(text)) return DECLINE;
    Py_ssize_t spans = 0;
    PyObject *joined = NULL;
    int rc = markup_from(parts, &joined, mk, &spans);
    if (rc != OK) return rc;
    if (ents != NULL && is_str(text) && !str_eq(joined, text)) {
        Py_DECREF(joined);
        return DECLINE; /* offsets would not fit the text: kept in raw */
    }
    *out = joined;
    return OK;
}

/* ---- reactions ---- */

/* _reactions for the shapes that keep nothing in raw: {key: count} as orjson writes it with sorted keys,
 * in ``out`` (empty: no reactions). */
static int reactions_json(PyObject *value, Buf *out) {
    if (!PyList_CheckExact(value)) return DECLINE;
    Py_ssize_t n = PyList_GET_SIZE(value);
    if (n == 0) return OK;
    PyObject *acc = PyDict_New();
    if (acc == NULL) return ERR;
    PyObject *keys = NULL;
    int rc = OK;
    for (Py_ssize_t i = 0; i < n && rc == OK; i++) {
        PyObject *r = PyList_GET_ITEM(value, i);
        Msg rm;
        if (!PyDict_CheckExact(r) || (rc = fill(&rm, r, REACTION_KEYS, 0)) != OK) {
            if (rc == OK) rc = DECLINE;
            break;
        }
        PyObject *kind = get(&rm, K_TYPE, 1);
        PyObject *emoji = get(&rm, K_EMOJI, 1);
        PyObject *doc = get(&rm, K_DOCUMENT_ID, 1);
        PyObject *count = get(&rm, K_COUNT, 1);
        if (rm.used != PyDict_GET_SIZE(r) || kind == NULL || !is_str(kind)) {
            rc = DECLINE; /* other keys ("recent") are kept in raw */
            break;
        }
        PyObject *key;
        if (str_eq(kind, S_EMOJI_KIND)) {
            if (emoji == NULL || !is_str(emoji)) {
                rc = DECLINE;
                break;
            }
            key = Py_NewRef(emoji);
        } else if (str_eq(kind, S_CUSTOM_EMOJI)) {
            long long x;
            if (doc != NULL && is_str(doc)) {
                key = PyUnicode_FromFormat("custom:%U", doc);
            } else if (doc != NULL && (rc = int64_of(doc, &x)) == OK) {
                key = PyUnicode_FromFormat("custom:%lld", x);
            } else {
                if (rc == OK) rc = DECLINE;
                break;
            }
            if (key == NULL) {
                rc = ERR;
                break;
            }
        } else {
            key = Py_NewRef(kind);
        }
        long long c = 0;
        if (count != NULL && count != Py_None) {
            rc = int64_of(count, &c);
            if (rc != OK) {
                Py_DECREF(key);
                break;
            }
        }
        PyObject *old = PyDict_GetItemWithError(acc, key);
        long long total = c;
        if (old == NULL && PyErr_Occurred()) rc = ERR;
        else if (old != NULL) {
            long long prev = PyLong_AsLongLong(old); /* only ever set from int64 below */
            if (prev == -1 && PyErr_Occurred()) rc = ERR;
            else if (__builtin_add_overflow(prev, c, &total)) rc = DECLINE;
        }
        if (rc == OK) {
            PyObject *tv = PyLong_FromLongLong(total);
            if (tv == NULL || PyDict_SetItem(acc, key, tv) < 0) rc = ERR;
            Py_XDECREF(tv);
        }
        Py_DECREF(key);
    }
    if (rc == OK) {
        keys = PyDict_Keys(acc);
        if (keys == NULL || PyList_Sort(keys) < 0) rc = ERR; /* code point order = orjson's UTF-8 order */
    }
    for (Py_ssize_t i = 0; rc == OK && i < PyList_GET_SIZE(keys); i++) {
        PyObject *k = PyList_GET_ITEM(keys, i);
        PyObject *v = PyDict_GetItemWithError(acc, k);
        long long x;
        if (v == NULL) {
            rc = PyErr_Occurred() ? ERR : DECLINE;
            break;
        }
        x = PyLong_AsLongLong(v);
        if (x == -1 && PyErr_Occurred()) {
            rc = ERR;
            break;
        }
        if (buf_ch(out, i ? ',' : '{') < 0) rc = ERR;
        if (rc == OK) rc = buf_json_str(out, k);
        if (rc == OK && (buf_ch(out, ':') < 0 || buf_ll(out, x) < 0)) rc = ERR;
    }
    if (rc == OK && keys != NULL && PyList_GET_SIZE(keys) && buf_ch(out, '}') < 0) rc = ERR;
    Py_XDECREF(keys);
    Py_DECREF(acc);
    if (rc != OK) out->n = 0;
    return rc;
}

/* ---- media ---- */

/* ``,"name":value`` unless value is absent or None (msgspec's omit_defaults). */
static int media_field(Buf *b, const char *name, PyObject *v) {
    if (v == NULL || v == Py_None) return OK;
    if (buf_ch(b, ',') < 0 || buf_json_utf8(b, name, (Py_ssize_t)strlen(name)) < 0 || buf_ch(b, ':') < 0)
        return ERR;
    return buf_json_scalar(b, v);
}

/* An int64 or None/absent (size, width, height). */
static int int_or_none(PyObject *v) {
    long long x;
    return (v == NULL || v == Py_None) ? OK : int64_of(v, &x);
}

/* _file_ref: a placeholder sentence becomes its reason; a path stays; None stays None. Borrowed. */
static int file_ref(PyObject *v, PyObject **out) {
    if (v == NULL || v == Py_None) {
        *out = Py_None;
        return OK;
    }
    if (!is_str(v)) return DECLINE;
    PyObject *r = PyDict_GetItemWithError(PLACEHOLDERS, v);
    if (r == NULL && PyErr_Occurred()) return ERR;
    *out = r != NULL ? r : v;
    return OK;
}

/* The separator before an entry of Media.extra: the opening of the object before the first. */
static int extra_open(Buf *b, int *fields) {
    int first = *fields == 0;
    (*fields)++;
    return first ? buf_put(b, ",\"extra\":{", 10) : buf_ch(b, ',');
}

/* _media for photos and files: media_kind (borrowed) and the media JSON (msgspec's encoding of Media). */
static int media_json(Msg *m, PyObject **kind_out, Buf *b) {
    int rc;
    PyObject *photo = get(m, K_PHOTO, 1);
    if (photo != NULL) {
        PyObject *size = get(m, K_PHOTO_SIZE, 1);
        PyObject *w = get(m, K_WIDTH, 1);
        PyObject *h = get(m, K_HEIGHT, 1);
        PyObject *ref;
        if ((rc = int_or_none(size)) != OK || (rc = int_or_none(w)) != OK || (rc = int_or_none(h)) != OK ||
            (rc = file_ref(photo, &ref)) != OK)
            return rc;
        if (buf_put(b, "{\"kind\":\"photo\"", 15) < 0) return ERR;
        if ((rc = media_field(b, "size", size)) != OK || (rc = media_field(b, "width", w)) != OK ||
            (rc = media_field(b, "height", h)) != OK)
            return rc;
        if (buf_put(b, ",\"extra\":{\"file\":", 17) < 0) return ERR;
        if ((rc = buf_json_scalar(b, ref)) != OK) return rc;
        if (buf_put(b, "}}", 2) < 0) return ERR;
        *kind_out = S_PHOTO;
        return OK;
    }
    PyObject *file = get(m, K_FILE, 0);
    PyObject *mt = get(m, K_MEDIA_TYPE, 0);
    if (file == NULL && mt == NULL) {
        static const int others[] = {K_POLL, K_CONTACT, K_LOCATION, K_GAME, K_INVOICE};
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            PyObject *o = get(m, others[i], 0);
            if (o != NULL) return DECLINE;
        }
        *kind_out = NULL;
        return OK; /* no media */
    }
    if (file != NULL) m->used++;
    if (mt != NULL) m->used++;
    PyObject *name = get(m, K_FILE_NAME, 1);
    PyObject *thumb = get(m, K_THUMB, 1);
    PyObject *more[4];
    static const int more_keys[4] = {K_THUMB_SIZE, K_STICKER_EMOJI, K_PERFORMER, K_TITLE};
    static const char *more_names[4] = {"thumbnail_file_size", "sticker_emoji", "performer", "title"};
    for (int i = 0; i < 4; i++) more[i] = get(m, more_keys[i], 1);
    PyObject *dur = get(m, K_DURATION, 1);
    PyObject *mime = get(m, K_MIME, 1);
    PyObject *size = get(m, K_FILE_SIZE, 1);
    PyObject *w = get(m, K_WIDTH, 1);
    PyObject *h = get(m, K_HEIGHT, 1);
    PyObject *kind;
    if (mt == NULL || mt == Py_None) {
        kind = S_DOCUMENT;
    } else if (is_str(mt)) {
        kind = PyDict_GetItemWithError(MEDIA_KINDS, mt);
        if (kind == NULL && PyErr_Occurred()) return ERR;
        if (kind == NULL) kind = mt;
    } else {
        return DECLINE;
    }
    if ((mime != NULL && mime != Py_None && !is_str(mime)) || (name != NULL && name != Py_None && !is_str(name)))
        return DECLINE;
    if ((rc = int_or_none(size)) != OK || (rc = int_or_none(w)) != OK || (rc = int_or_none(h)) != OK) return rc;
    long long dsec = 0;
    if (dur != NULL && dur != Py_None) { /* float(dur): an integer of seconds written as "N.0" */
        if ((rc = int64_of(dur, &dsec)) != OK) return rc;
        if (dsec > 999999999999LL || dsec < -999999999999LL) return DECLINE;
    }
    if (buf_put(b, "{\"kind\":", 8) < 0) return ERR;
    if ((rc = buf_json_str(b, kind)) != OK) return rc;
    if ((rc = media_field(b, "mime", mime)) != OK || (rc = media_field(b, "size", size)) != OK ||
        (rc = media_field(b, "width", w)) != OK || (rc = media_field(b, "height", h)) != OK)
        return rc;
    if (dur != NULL && dur != Py_None) {
        if (buf_put(b, ",\"duration\":", 12) < 0 || buf_ll(b, dsec) < 0 || buf_put(b, ".0", 2) < 0) return ERR;
    }
    if ((rc = media_field(b, "file_name", name)) != OK) return rc;
    int fields = 0;
    PyObject *ref;
    static const char *ref_names[2] = {"file", "thumbnail"};
    PyObject *refs[2] = {file, thumb};
    for (int i = 0; i < 2; i++) {
        if (refs[i] == NULL) continue;
        if ((rc = file_ref(refs[i], &ref)) != OK) return rc;
        if (extra_open(b, &fields) < 0) return ERR;
        if (buf_json_utf8(b, ref_names[i], (Py_ssize_t)strlen(ref_names[i])) < 0 || buf_ch(b, ':') < 0) return ERR;
        if ((rc = buf_json_scalar(b, ref)) != OK) return rc;
    }
    for (int i = 0; i < 4; i++) {
        if (more[i] == NULL) continue;
        if (extra_open(b, &fields) < 0) return ERR;
        if (buf_json_utf8(b, more_names[i], (Py_ssize_t)strlen(more_names[i])) < 0 || buf_ch(b, ':') < 0)
            return ERR;
        if ((rc = buf_json_scalar(b, more[i])) != OK) return rc;
    }
    if (fields && buf_ch(b, '}') < 0) return ERR;
    if (buf_ch(b, '}') < 0) return ERR;
    *kind_out = kind;
    return OK;
}

/* ---- one message ---- */

#define NVALS 24

/* The row (25 values, digest last) of one message dict, or DECLINE. ``row`` gets new references. */
static int convert_body(PyObject *d, PyObject *cid, PyObject *null, PyObject *row[NVALS + 1], Buf *mk, Buf *js) {
    Msg m;
    int rc;
    if (!PyDict_CheckExact(d)) return DECLINE;
    if ((rc = fill(&m, d, MESSAGE_KEYS, 1)) != OK) return rc; /* a key it does not know would go to raw */
    long long v64;
    PyObject *mid = get(&m, K_ID, 1);
    if (mid == NULL || (rc = int64_of(mid, &v64)) != OK) return mid == NULL ? DECLINE : rc;
    PyObject *unix = get(&m, K_DATE_UNIX, 1);
    (void)get(&m, K_DATE, 1); /* only counted: date_unixtime is the instant */
    PyObject *text = get(&m, K_TEXT, 1);
    PyObject *ents = get(&m, K_ENTS, 1);
    PyObject *kind = get(&m, K_TYPE, 1);
    long long date;
    if (unix == NULL || (rc = unix_of(unix, &date)) != OK) return DECLINE;
    if (kind == NULL) kind = S_MESSAGE;
    if (!is_str(kind)) return DECLINE;

    for (int i = 0; i < NVALS; i++) row[i] = NULL;
    mk->n = 0;
    rc = text_and_markup(text, ents, &row[4], mk);
    if (rc != OK) return rc;
    if (PyUnicode_GET_LENGTH(row[4]) > MAX_TEXT) return DECLINE;
    row[0] = Py_NewRef(cid);
    row[1] = Py_NewRef(mid);
    if ((row[2] = PyLong_FromLongLong(date)) == NULL) return ERR;
    row[3] = Py_NewRef(kind);
    if (mk->n) {
        if ((row[5] = PyUnicode_DecodeUTF8(mk->p, mk->n, NULL)) == NULL) return ERR;
    }
    if (!str_eq(kind, S_SERVICE)) {
        PyObject *fid = get(&m, K_FROM_ID, 1);
        PyObject *from = get(&m, K_FROM, 1);
        if ((rc = peer_key(fid, &row[6])) != OK || (rc = str_or_none(from, &row[7])) != OK) return rc;
    } else {
        PyObject *aid = get(&m, K_ACTOR_ID, 1);
        PyObject *actor = get(&m, K_ACTOR, 1);
        PyObject *action = get(&m, K_ACTION, 1);
        if ((rc = peer_key(aid, &row[6])) != OK || (rc = str_or_none(actor, &row[7])) != OK ||
            (rc = str_or_none(action, &row[9])) != OK)
            return rc;
        if (row[6] != Py_None) { /* a from_id equal to the actor's is dropped */
            PyObject *fid = get(&m, K_FROM_ID, 0);
            if (fid != NULL && is_str(fid) && str_eq(fid, row[6])) m.used++;
        }
    }
    Py_ssize_t left = PyDict_GET_SIZE(d) - m.used;
    js->n = 0;
    mk->n = 0;
    if (left > 0) { /* _details */
        PyObject *eu = get(&m, K_EDITED_UNIX, 1);
        PyObject *e = get(&m, K_EDITED, 1);
        PyObject *fwd = get(&m, K_FWD_FROM, 1);
        PyObject *fwd_id = get(&m, K_FWD_FROM_ID, 0);
        PyObject *reactions = get(&m, K_REACTIONS, 1);
        PyObject *reply = get(&m, K_REPLY_TO, 0);
        PyObject *via = get(&m, K_VIA_BOT, 0);
        PyObject *author = get(&m, K_AUTHOR, 0);
        if (eu != NULL || e != NULL) {
            long long ed;
            if (eu == NULL || unix_of(eu, &ed) != OK) return DECLINE;
            if ((row[10] = PyLong_FromLongLong(ed)) == NULL) return ERR;
        }
        if (fwd != NULL && fwd != Py_None) {
            if (!is_str(fwd)) return DECLINE;
            row[14] = Py_NewRef(fwd);
        }
        if (fwd_id != NULL && is_str(fwd_id) && PyUnicode_IS_ASCII(fwd_id)) {
            Py_ssize_t n = PyUnicode_GET_LENGTH(fwd_id);
            const char *s = (const char *)PyUnicode_DATA(fwd_id);
            if (n > 7 && n <= 7 + 18 && memcmp(s, "channel", 7) == 0) {
                long long x = 0;
                Py_ssize_t i = 7;
                for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) x = x * 10 + (s[i] - '0');
                if (i == n) {
                    if ((row[12] = PyLong_FromLongLong(x)) == NULL) return ERR;
                    m.used++;
                }
            }
        }
        /* ("saved_from" is never used here: a message with it is declined below, as its key stays) */
        if (reactions != NULL && (rc = reactions_json(reactions, js)) != OK) return rc;
        if (js->n && (row[20] = PyUnicode_DecodeUTF8(js->p, js->n, NULL)) == NULL) return ERR;
        if (reply != NULL && PyLong_CheckExact(reply)) {
            if ((rc = int64_of(reply, &v64)) != OK) return rc;
            row[11] = Py_NewRef(reply);
            m.used++;
        }
        if (via != NULL && is_str(via)) {
            row[16] = Py_NewRef(via);
            m.used++;
        }
        if (author != NULL && is_str(author)) {
            row[8] = Py_NewRef(author);
            m.used++;
        }
        if (m.used < PyDict_GET_SIZE(d)) { /* keys left: media (or leftovers, which decline below) */
            PyObject *mkind = NULL;
            if ((rc = media_json(&m, &mkind, mk)) != OK) return rc;
            if (mkind != NULL) {
                row[21] = Py_NewRef(mkind);
                if ((row[22] = PyUnicode_DecodeUTF8(mk->p, mk->n, NULL)) == NULL) return ERR;
            }
        }
        if (m.used != PyDict_GET_SIZE(d)) return DECLINE; /* leftovers go to raw */
    }
    if (row[9] == NULL) row[9] = Py_NewRef(null); /* not a service message: no action */
    for (int i = 0; i < NVALS; i++)
        if (row[i] == NULL) row[i] = Py_NewRef(null);

    /* the digest: blake2b-64 of orjson.dumps(values) */
    js->n = 0;
    if (buf_ch(js, '[') < 0) return ERR;
    for (int i = 0; i < NVALS; i++) {
        PyObject *v = row[i];
        if (i && buf_ch(js, ',') < 0) return ERR;
        if (v == null || v == Py_None) {
            if (buf_put(js, "null", 4) < 0) return ERR;
        } else if (is_str(v)) {
            if ((rc = buf_json_str(js, v)) != OK) return rc;
        } else {
            if ((rc = int64_of(v, &v64)) != OK) return rc;
            if (buf_ll(js, v64) < 0) return ERR;
        }
    }
    if (buf_ch(js, ']') < 0) return ERR;
    char hex[16];
    blake2b8_hex((const uint8_t *)js->p, (size_t)js->n, hex);
    row[NVALS] = PyUnicode_FromStringAndSize(hex, 16);
    return row[NVALS] == NULL ? ERR : OK;
}

/* convert_body with the cyclic collector off: the values it reads are borrowed from the message dict, and
 * it calls no Python code, but any allocation could start a collection whose finalizers (Python code)
 * change that dict. With the collector off nothing runs but this C until it returns. */
static int convert(PyObject *d, PyObject *cid, PyObject *null, PyObject *row[NVALS + 1], Buf *mk, Buf *js) {
    int was = PyGC_Disable();
    int rc = convert_body(d, cid, null, row, mk, js);
    if (was) PyGC_Enable();
    return rc;
}

/* extend_rows(batch, part, fallback, channel_id, tz, seal, null): batch.extend(map(fallback, part,
 * repeat(channel_id), repeat(tz), repeat(seal), repeat(null))), with the rows of the dicts this module
 * knows made here. Like list.extend over a map, the rows made before an exception stay in ``batch``. */
static PyObject *extend_rows(PyObject *self, PyObject *args) {
    PyObject *batch, *part, *fallback, *cid, *tz, *seal, *null;
    if (!PyArg_ParseTuple(args, "O!OOOOOO:extend_rows", &PyList_Type, &batch, &part, &fallback, &cid, &tz,
                          &seal, &null))
        return NULL;
    if (MAX_TEXT < 0) {
        PyErr_SetString(PyExc_RuntimeError, "_c_export.configure() was not called");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(part, "extend_rows: part must be a sequence");
    if (seq == NULL) return NULL;
    Buf mk, js;
    buf_init(&mk);
    buf_init(&js);
    PyObject *result = Py_None;
    /* NULLs must be None or NaN (what _batches passes): the rows made here write them as JSON null */
    int own = null == Py_None || (PyFloat_CheckExact(null) && isnan(PyFloat_AS_DOUBLE(null)));
    /* the size is read each time: the fallback (Python) may change a list it was given */
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        /* a new reference: the fallback may drop the sequence's own (it pops keys, never items, but a
         * reference held across any Python call is the safe rule) */
        PyObject *d = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
        PyObject *row[NVALS + 1];
        for (int k = 0; k <= NVALS; k++) row[k] = NULL;
        int rc = own ? convert(d, cid, null, row, &mk, &js) : DECLINE;
        PyObject *r = NULL;
        if (rc == OK) {
            r = PyTuple_New(NVALS + 1);
            if (r != NULL)
                for (int k = 0; k <= NVALS; k++) {
                    PyTuple_SET_ITEM(r, k, row[k]);
                    row[k] = NULL;
                }
        }
        for (int k = 0; k <= NVALS; k++) Py_XDECREF(row[k]);
        if (rc == DECLINE) r = PyObject_CallFunctionObjArgs(fallback, d, cid, tz, seal, null, NULL);
        Py_DECREF(d);
        if (r == NULL || PyList_Append(batch, r) < 0) {
            Py_XDECREF(r);
            result = NULL;
            break;
        }
        Py_DECREF(r);
        /* big messages grow the buffers: give the memory back rather than keep it for the run */
        if (mk.cap > (1 << 20)) buf_free(&mk);
        if (js.cap > (1 << 20)) buf_free(&js);
    }
    buf_free(&mk);
    buf_free(&js);
    Py_DECREF(seq);
    return Py_XNewRef(result);
}

/* row(d, channel_id, null): the row this module makes of one dict, or None where it declines (tests). */
static PyObject *row_of(PyObject *self, PyObject *args) {
    PyObject *d, *cid, *null;
    if (!PyArg_ParseTuple(args, "OOO:row", &d, &cid, &null)) return NULL;
    if (MAX_TEXT < 0) {
        PyErr_SetString(PyExc_RuntimeError, "_c_export.configure() was not called");
        return NULL;
    }
    Buf mk, js;
    buf_init(&mk);
    buf_init(&js);
    PyObject *row[NVALS + 1];
    for (int k = 0; k <= NVALS; k++) row[k] = NULL;
    int rc = convert(d, cid, null, row, &mk, &js);
    buf_free(&mk);
    buf_free(&js);
    PyObject *r = NULL;
    if (rc == OK) {
        r = PyTuple_New(NVALS + 1);
        if (r != NULL)
            for (int k = 0; k <= NVALS; k++) {
                PyTuple_SET_ITEM(r, k, row[k]);
                row[k] = NULL;
            }
    } else if (rc == DECLINE) {
        r = Py_NewRef(Py_None);
    }
    for (int k = 0; k <= NVALS; k++) Py_XDECREF(row[k]);
    return r;
}

/* digest(data: bytes) -> str: blake2b(data, digest_size=8).hexdigest() (tests). */
static PyObject *digest(PyObject *self, PyObject *arg) {
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "digest() takes bytes");
        return NULL;
    }
    char hex[16];
    blake2b8_hex((const uint8_t *)PyBytes_AS_STRING(arg), (size_t)PyBytes_GET_SIZE(arg), hex);
    return PyUnicode_FromStringAndSize(hex, 16);
}

/* configure(placeholders: dict, media_kinds: dict, max_text_chars: int): desktop_export's tables, so that
 * they are written down once. */
static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *ph, *mk;
    long max_text;
    if (!PyArg_ParseTuple(args, "O!O!l:configure", &PyDict_Type, &ph, &PyDict_Type, &mk, &max_text)) return NULL;
    if (max_text < 0) {
        PyErr_SetString(PyExc_ValueError, "max_text_chars must be >= 0");
        return NULL;
    }
    /* exact str keys and values only (placeholders may map to None): a look-up then runs no Python code
     * while this module holds borrowed references, and every value is JSON text the row can take */
    PyObject *tables[2] = {ph, mk};
    for (int t = 0; t < 2; t++) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(tables[t], &pos, &key, &value)) {
            if (!PyUnicode_CheckExact(key) || !(PyUnicode_CheckExact(value) || (t == 0 && value == Py_None))) {
                PyErr_SetString(PyExc_TypeError, "configure: the tables map str to str (placeholders: or None)");
                return NULL;
            }
        }
    }
    /* private copies: a caller changing its dicts later cannot change what was checked here */
    PyObject *ph2 = PyDict_Copy(ph);
    PyObject *mk2 = ph2 ? PyDict_Copy(mk) : NULL;
    if (mk2 == NULL) {
        Py_XDECREF(ph2);
        return NULL;
    }
    Py_XSETREF(PLACEHOLDERS, ph2);
    Py_XSETREF(MEDIA_KINDS, mk2);
    MAX_TEXT = max_text;
    Py_RETURN_NONE;
}

/* long_digit_run(block: bytes, start: int) -> (i, j) | None: the first run of 19 or more bytes at or after
 * ``start`` that are ASCII digits or NUL (what bytes.translate(_DIGITS) marks), as [i, j): the answer of
 * finding 19 marks from ``start`` and extending to the run's end. Looks at one byte in 19 where there are
 * no digits: a run of 19 starting in [p, p + 18] must cover p + 18. */
static inline int marked(unsigned char c) { return (unsigned char)(c - '0') < 10 || c == 0; }

static PyObject *long_digit_run(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "y*n:long_digit_run", &view, &start)) return NULL;
    const unsigned char *s = (const unsigned char *)view.buf;
    if (start < 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "long_digit_run: start must be >= 0");
        return NULL;
    }
    Py_ssize_t n = view.len, p = start;
    PyObject *out = NULL;
    while (n - p >= 19) {
        if (!marked(s[p + 18])) {
            p += 19;
            continue;
        }
        Py_ssize_t b = p + 18, e = p + 19;
        while (b > p && marked(s[b - 1])) b--;
        while (e < n && marked(s[e])) e++;
        if (e - b >= 19) { /* never starts before ``start``, as bytes.find from ``start`` */
            out = Py_BuildValue("(nn)", b, e);
            break;
        }
        p = e + 1;
    }
    PyBuffer_Release(&view);
    if (out == NULL && !PyErr_Occurred()) out = Py_NewRef(Py_None);
    return out;
}

static PyMethodDef METHODS[] = {
    {"extend_rows", extend_rows, METH_VARARGS, "batch.extend(map(fallback, part, ...)) with rows made in C."},
    {"row", row_of, METH_VARARGS, "The row of one message dict, or None where the Python path decides."},
    {"digest", digest, METH_O, "blake2b(data, digest_size=8).hexdigest()."},
    {"configure", configure, METH_VARARGS, "Hand over desktop_export's tables."},
    {"long_digit_run", long_digit_run, METH_VARARGS, "The first run of >= 19 digit (or NUL) bytes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_c_export", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__c_export(void) {
    if (init_key_table() < 0) {
        PyErr_SetString(PyExc_SystemError, "_c_export: key table too small");
        return NULL;
    }
    struct {
        PyObject **slot;
        const char *s;
    } consts[] = {
        {&S_EMPTY, ""}, {&S_MESSAGE, "message"}, {&S_SERVICE, "service"}, {&S_PLAIN, "plain"},
        {&S_TEXT_LINK, "text_link"}, {&S_MENTION_NAME, "mention_name"}, {&S_EMOJI_KIND, "emoji"},
        {&S_CUSTOM_EMOJI, "custom_emoji"}, {&S_PHOTO, "photo"}, {&S_DOCUMENT, "document"},
    };
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++) {
        if (*consts[i].slot == NULL && (*consts[i].slot = PyUnicode_InternFromString(consts[i].s)) == NULL)
            return NULL;
    }
    return PyModule_Create(&MODULE);
}
