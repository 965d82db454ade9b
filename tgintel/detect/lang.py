"""Language identification for short, noisy market posts, with no model weights to download.

Why our own: language-id packages either download weights at run time or ship models trained on clean prose
that stumble on 20-word ads full of handles, prices and emoji. Telegram posts give strong cheap signals
instead: the script (Cyrillic, Arabic, Han, …) settles most of the world at once, a handful of letters
separate neighbours within a script (Ukrainian і/ї/є/ґ vs Russian ы/э/ъ, Persian پ/چ/گ/ژ vs Arabic ة), and in
Latin script function words ("the", "het", "und", "ja", "jest") plus a few diacritics and endings decide the
rest. When the evidence is thin (a price list, a bare link, "ok") we answer ``und`` rather than guess.
"""

from __future__ import annotations

import re
from collections import defaultdict

from tgintel.detect.normalize import normalize

__all__ = ["LANGUAGES", "detect_language", "detect_language_normalized"]

# Noise that carries no language: links, handles, e-mail, numbers, hashtags.
_NOISE = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+|[@#]\w+|\b\w+\.(?:com|org|net|me|io|onion|ru|nl|de)\S*|\d+"
)
_WORD = re.compile(r"[^\W\d_]+")

# Script classes by code point range; order matters only for speed.
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("han", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("kana", re.compile(r"[\u3040-\u30ff]")),
    ("hangul", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]")),
    ("greek", re.compile(r"[\u0370-\u03ff]")),
    ("devanagari", re.compile(r"[\u0900-\u097f]")),
    ("thai", re.compile(r"[\u0e00-\u0e7f]")),
    ("georgian", re.compile(r"[\u10a0-\u10ff]")),
    ("armenian", re.compile(r"[\u0530-\u058f]")),
    ("bengali", re.compile(r"[\u0980-\u09ff]")),
)
_RARE_SCRIPTS = re.compile("|".join(rx.pattern for name, rx in _SCRIPTS[2:]))
_SINGLE_SCRIPT = {
    "hangul": "ko", "hebrew": "he", "greek": "el", "devanagari": "hi", "thai": "th", "georgian": "ka",
    "armenian": "hy", "bengali": "bn",
}  # fmt: skip

# Function words and very common words per language (lower case). Short, high-frequency, and chosen so that
# each list has words the neighbours lack; shared words count for every language that lists them.
_STOPWORDS: dict[str, str] = {
    "en": "the and is are was were you your for with this that have has not but from they will can get "
    "all our out now just only here what when who how buy sell price contact message order free "
    "new best any more very there their been would could should about into than them then it of "
    "to in on at by we my me do does did no yes be or if so up",
    "nl": "de het een en van ik je jij niet dat die is zijn met voor op aan er maar ook als bij nog wel "
    "naar uit dan wat heb hebben kan kunnen wordt worden geen meer hier zo al mijn jouw onze ons "
    "deze dit over te koop bestellen prijs levering snel alleen goed vandaag morgen wij jullie "
    "iemand ben hier weet waar waarom heeft heeft zijn hun toch even gewoon idd",
    "de": "der die das und ist nicht ich du sie wir ihr ein eine einen mit für auf den dem des von zu "
    "im in es sich auch als aber noch nur wie wenn oder sind war bei aus nach kann haben hier "
    "kaufen preis lieferung schnell heute mehr sehr gibt jetzt alle unser unsere euch mich dich "
    "jemand hat schon mal doch wo warum weiß bitte danke",
    "fi": "ja on ei se että hän oli ovat olen olet kanssa mutta tai kun jos niin myös vain nyt tämä "
    "tuo mitä mikä kuin meillä teillä minä sinä me te he siis vielä jo sitten hinta myydään "
    "osta toimitus nopea heti täällä kaikki olla ole hyvä tänään huomenna sekä mukaan moi onko kukaan "
    "joku mä sä mulla sulla tää toi kiitos joo eikö vaan ihan kyllä mitään missä miten vastaa",
    "fr": "le la les un une des et est sont pas je tu il elle nous vous ils avec pour dans sur par que "
    "qui ne se ce cette mais ou au aux du en plus très tout tous votre notre prix livraison "
    "acheter vendre rapide aujourd hui ici être avoir fait",
    "es": "el la los las un una unos y es son no yo tu él ella nosotros con para por en que de del al "
    "se lo le pero más muy todo todos su sus nuestro precio envío comprar vender rápido hoy aquí "
    "está están ser hay como también",
    "it": "il lo la gli le un una e è sono non io tu lui lei noi voi con per che di del della in su "
    "ma più molto tutto tutti suo nostro prezzo spedizione comprare vendere veloce oggi qui sei "
    "questo questa anche come ci si",
    "pt": "o a os as um uma e é são não eu você ele ela nós com para por em que de do da dos das no na "
    "mas mais muito tudo todos seu sua nosso preço envio comprar vender rápido hoje aqui está "
    "também como",
    "pl": "i w na z do się nie jest to że jak ale co tak po za od o dla ten ta są być jestem mam ma "
    "czy już tylko bardzo cena sprzedam kupię dostawa szybko dzisiaj tutaj wszystko nasz",
    "tr": "ve bir bu da de için ile ne var yok çok daha ama gibi ben sen o biz siz onlar mi mı mu mü "
    "olarak olan fiyat satılık satış hızlı bugün burada her şey değil sadece",
    "sv": "och är att det som en ett på för med inte jag du han hon vi ni de av till om men har var "
    "kan alla här pris köp sälj snabbt idag",
    "da": "og er at det som en et på for med ikke jeg du han hun vi de af til om men har var kan alle "
    "her pris køb sælg hurtigt idag",
    "no": "og er at det som en et på for med ikke jeg du han hun vi dere av til om men har var kan alle "
    "her pris kjøp selg raskt idag",
    "cs": "a je to že se na v s z do nejsem jsem jsi není ale jak co tak po pro od být cena prodám koupím "
    "dnes tady všechno",
    "ro": "și este sunt nu eu tu el ea noi voi cu pentru în pe că de din la dar mai foarte tot toate "
    "preț livrare cumpăr vând azi aici",
    "hu": "és a az egy nem van vagy hogy de is meg már csak még ez az én te ő mi ti ők ár eladó vásárol "
    "gyors ma itt minden",
    "id": "dan yang di ke dari ini itu tidak ada dengan untuk saya kamu kami kita mereka juga harga jual "
    "beli cepat hari sini",
    "ru": "и в не на я что с он как это по но из у за от то все так его же она вы мы они бы был если "
    "уже или только есть для еще нет да когда вот можно цена продам куплю доставка быстро сегодня "
    "здесь пишите наличии оплата тут кто меня спасибо сколько идет где привет чате всем",
    "uk": "і в не на я що з він як це по але із у за від то все так його же вона ви ми вони би був якщо "
    "вже або тільки є для ще ні так коли ось можна ціна продам куплю доставка швидко сьогодні тут "
    "пишіть наявності оплата",
    "bg": "и в не на аз че с той как това по но от за то всички така е са ще да ли бе съм си ние вие те "
    "цена продавам купувам доставка бързо днес тук",
    "sr": "и у не на ја да са он као то по али из за од све тако је су ће смо сте ми ви они цена продајем",
    "ar": "في من على إلى عن مع هذا هذه ذلك التي الذي هو هي أنا نحن أنت لا ما كل قد كان يكون بعد قبل سعر "
    "بيع شراء توصيل",
    "fa": "در از به با این آن که را است هست نیست من ما تو شما او برای تا هم یک می خرید فروش قیمت ارسال",
    "ur": "میں سے کے کی کا ہے ہیں اور کو نہیں یہ وہ پر بھی آپ ہم قیمت",
}
_STOP_INDEX: dict[str, tuple[str, ...]] = {}
_tmp: dict[str, list[str]] = defaultdict(list)
for _lang, _words in _STOPWORDS.items():
    for _w in _words.split():
        _tmp[_w].append(_lang)
_STOP_INDEX = {w: tuple(langs) for w, langs in _tmp.items()}
del _tmp

# Letters (and letter pairs) that point at one language or a few; weight is per occurrence, capped.
# Per language: letters (a regex character class), frequent letter pairs, word endings; weight per hit.
_LATIN_MARKERS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("de", "ß", ("sch", "tz"), ("ung", "heit", "keit", "lich", "schaft", "chen"), 0.5),
    ("nl", "", ("ij", "oe", "aa"), ("tje", "tjes", "heid", "lijk", "en"), 0.3),
    (
        "fi",
        "äö",
        ("aa", "ii", "uu", "yy", "kk", "tt"),
        ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "ksi", "nen", "mme", "tte", "ista"),
        0.35,
    ),
    ("sv", "å", (), ("ningen", "arna", "orna"), 0.6),
    ("da", "øæ", (), (), 0.5),
    ("no", "øæ", (), (), 0.5),
    ("fr", "éèêàçù", ("qu",), ("eux", "euse", "tion", "ment"), 0.4),
    ("es", "ñ¿¡áíóú", (), ("ción", "mente", "ado", "ada"), 0.45),
    ("it", "àèìòù", ("gli", "zz"), ("zione", "mente", "ato", "ata", "etto", "etta"), 0.4),
    ("pt", "ãõç", ("nh", "lh"), ("ção", "ções", "mente"), 0.45),
    ("pl", "łąęśżźćń", ("rz", "cz", "sz"), ("ość", "ować"), 0.5),
    ("tr", "ğış", (), ("ler", "lar", "lık", "lik", "dır", "dir"), 0.6),
    ("cs", "ěščřžůý", (), (), 0.7),
    ("ro", "ăâîșțşţ", (), (), 0.6),
    ("hu", "őű", ("gy", "sz"), ("ság", "ség", "ban", "ben"), 0.35),
    ("en", "", ("th", "wh"), ("ing", "tion", "ly", "ed"), 0.3),
)
_LATIN_LETTER_RX = {lang: re.compile(f"[{letters}]") for lang, letters, *_ in _LATIN_MARKERS if letters}

LANGUAGES: tuple[str, ...] = (
    *_STOPWORDS.keys(), "zh", "ja", "ko", "he", "el", "hi", "th", "ka", "hy", "bn",
)  # fmt: skip

_UK_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_RU_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
_BG_HINTS = re.compile(r"\b(?:съм|са|ще|това|някой|който)\b")
_SR_LETTERS = re.compile(r"[ђјљњћџЂЈЉЊЋЏ]")
_FA_LETTERS = re.compile(r"[پچژگکی]")
_AR_LETTERS = re.compile(r"[ةىيك]")
_UR_LETTERS = re.compile(r"[ٹڈڑںےھ]")


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language of ``text``, or ``"und"`` when the evidence is too thin to say."""
    if not text:
        return "und"
    return detect_language_normalized(normalize(text))


def detect_language_normalized(norm: str) -> str:
    """Like :func:`detect_language` for text already passed through
    :func:`tgintel.detect.normalize.normalize` (look-alike letters folded per word, decoration removed), so
    callers that normalise anyway do it once."""
    if not norm:
        return "und"
    clean = _NOISE.sub(" ", norm)
    if clean.isascii():  # fast path: most posts are ASCII or Latin/Cyrillic only
        counts = {"latin": len(_SCRIPTS[0][1].findall(clean))}
    elif not _RARE_SCRIPTS.search(clean):
        counts = {name: len(rx.findall(clean)) for name, rx in _SCRIPTS[:2]}
    else:
        counts = {name: len(rx.findall(clean)) for name, rx in _SCRIPTS}
    total = sum(counts.values())
    if total < 3:
        return "und"
    script = max(counts, key=counts.__getitem__)
    n = counts[script]
    if script == "han" or (script == "kana" and n):
        return "ja" if counts.get("kana", 0) >= 2 else ("zh" if counts["han"] >= 2 else "und")
    if script in _SINGLE_SCRIPT:
        return _SINGLE_SCRIPT[script] if n >= 2 else "und"
    lower = clean.lower()
    words = _WORD.findall(lower)
    if script == "cyrillic":
        return _cyrillic(lower, words)
    if script == "arabic":
        return _arabic(lower, words)
    return _latin(lower, words)


def _stop_scores(words: list[str], allowed: tuple[str, ...] | None = None) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for w in words:
        langs = _STOP_INDEX.get(w)
        if langs:
            share = 1.0 / len(langs)
            for lang in langs:
                if allowed is None or lang in allowed:
                    scores[lang] += share
    return scores


def _best(scores: dict[str, float], minimum: float, margin: float = 1.25) -> str:
    if not scores:
        return "und"
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    top, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < minimum or score < second * margin:
        return "und"
    return top


def _cyrillic(lower: str, words: list[str]) -> str:
    uk = len(_UK_LETTERS.findall(lower))
    ru = len(_RU_LETTERS.findall(lower))
    scores = _stop_scores(words, ("ru", "uk", "bg", "sr"))
    scores["uk"] += 1.5 * uk
    scores["ru"] += 1.5 * ru
    scores["bg"] += 1.0 * len(_BG_HINTS.findall(lower)) - 0.5 * ru
    scores["sr"] += 2.0 * len(_SR_LETTERS.findall(lower))
    # Russian is the default Cyrillic language of these markets: with no contrary evidence, say ru.
    result = _best({k: v for k, v in scores.items() if v > 0}, minimum=0.5, margin=1.2)
    if result == "und" and uk == 0 and not _SR_LETTERS.search(lower):
        return "ru"
    return result


def _arabic(lower: str, words: list[str]) -> str:
    scores = _stop_scores(words, ("ar", "fa", "ur"))
    scores["fa"] += 0.7 * len(_FA_LETTERS.findall(lower))
    scores["ar"] += 0.5 * len(_AR_LETTERS.findall(lower))
    scores["ur"] += 1.0 * len(_UR_LETTERS.findall(lower))
    result = _best({k: v for k, v in scores.items() if v > 0}, minimum=0.5, margin=1.2)
    return result


_LATIN_LANGS = tuple(lang for lang in _STOPWORDS if lang not in {"ru", "uk", "bg", "sr", "ar", "fa", "ur"})


_ENDINGS: dict[str, list[tuple[str, float]]] = defaultdict(list)
for _lang, _letters, _pairs, _ends, _weight in _LATIN_MARKERS:
    for _e in _ends:
        _ENDINGS[_e].append((_lang, _weight))
_ENDING_LENGTHS = sorted({len(e) for e in _ENDINGS})


def _latin(lower: str, words: list[str]) -> str:
    scores = _stop_scores(words, _LATIN_LANGS)
    n_words = max(len(words), 1)
    cap = 2 + n_words // 6  # markers help, but never outvote clear function-word evidence in long texts
    hits: dict[str, int] = defaultdict(int)
    for w in words:  # one dict lookup per word and ending length, not one scan per language
        if len(w) > 3:
            for n in _ENDING_LENGTHS:
                for lang, _w in _ENDINGS.get(w[-n:], ()):
                    hits[lang] += 1
    ascii_only = lower.isascii()
    for lang, _letters, pairs, _endings, weight in _LATIN_MARKERS:
        h = hits.get(lang, 0)
        rx = _LATIN_LETTER_RX.get(lang)
        if rx is not None and not ascii_only:
            h += len(rx.findall(lower))
        for pair in pairs:
            h += lower.count(pair)
        if h:
            scores[lang] += weight * min(h, cap)
    minimum = 1.0 if n_words >= 3 else 0.9
    return _best(scores, minimum=minimum, margin=1.2)
