"""Contact points: Telegram handles and links, web and onion addresses, emails, phone numbers.

Each scanner appends ``(start, end, priority, type, value)`` candidates; the caller resolves overlaps. The
patterns accept the obfuscations sellers use to dodge link filters (``hxxp``, ``[.]``, ``(.)``, `` dot ``,
spaces around a dot) and reject lookalikes: handles are ASCII by Telegram's rules, so a handle with a
Cyrillic letter inside is no handle at all (not a shorter one).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from tgintel.detect.entities import checksums

Candidate = tuple[int, int, int, str, str]


def all_matches(pattern: re.Pattern[str], text: str, pos: int = 0) -> list[re.Match[str]]:
    """``list(pattern.finditer(text, pos))`` for a pattern that never matches the empty string: setting up
    a finditer's scanner costs about 0.4 µs more than a search, and most scans of a line find nothing."""
    search = pattern.search
    found = []
    n = len(text)
    m = search(text, pos)
    while m is not None:
        found.append(m)
        end = m.end()
        m = search(text, end) if end < n else None  # (nothing non-empty matches at the end: no call)
    return found


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


# A dot as sellers write it: plain, bracketed, spelled out, or padded with a space.
_DOT = r"(?:\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s?|\s(?:dot|DOT)\s| \. ?|\.)"
_DOT_RE = re.compile(_DOT)
_SCHEME = r"(?:(?:[hH][tTxX]{2}[pP][sS]?|ftp)(?::|\[:\])//)"

# --- Telegram ----------------------------------------------------------------------------------------------
# Paths under t.me that are features, not chats; such links stay plain URLs.
_TME_RESERVED = _words(
    "addstickers addemoji addtheme addlist share proxy socks iv setlanguage login confirmphone bg "
    "invoice boost contact giftcode"
)
TG_RE = re.compile(
    r"tg://(?:resolve\?domain=(?P<name>[A-Za-z][A-Za-z0-9_]{3,31})(?:&[\w=&%.-]*)?"
    r"|join\?invite=(?P<hash>[A-Za-z0-9_\-]{8,}))(?![A-Za-z0-9_\-])",
    re.IGNORECASE,
)
# Usernames are ASCII letters, digits and underscores, 5-32 long (4 for auctioned ones), letter first.
HANDLE_RE = re.compile(r"@(?<![\w@.+/\-]@)(?P<name>[A-Za-z][A-Za-z0-9_]{3,31})(?![\w@\-]|\.[a-z]{2,6}\b)")


# Links are found from their "me/" (a literal, found at C speed), then read backwards for the host
# (t.me, telegram.me, obfuscated dots, scheme, www) and forwards for the path: scanning the text for the
# host with one big pattern costs ~20x more per message.
# (Written as a union whose every branch starts with a literal, so the backwards search skips in C to "h",
# "f", "w" or "t" instead of trying the whole pattern at each of the 24 positions.)
_TME_HOST_RE = re.compile(
    r"(?:h[tx]{2}ps?(?::|\[:\])//(?:www\.)?(?:t|telegram)|ftp(?::|\[:\])//(?:www\.)?(?:t|telegram)"
    r"|www\.(?:t|telegram)|t|telegram)(?:\.|\[\.\]|\(\.\)| dot )$"
)
_TME_PATH_RE = re.compile(
    r"(?:(?:joinchat/|\+)(?P<hash>[A-Za-z0-9_\-]{8,})"
    r"|c/(?P<cid>\d{5,})(?:/\d+)?"
    r"|(?:s/)?(?P<name>[A-Za-z][A-Za-z0-9_]{3,31})(?:/\d+)?)"
    r"(?![A-Za-z0-9_\-])"
)


def _scan_tme(text: str, lower: str, marker: str, out: list[Candidate]) -> None:
    i = lower.find(marker)
    while i != -1:
        path_at = i + len(marker)
        host = _TME_HOST_RE.search(lower, max(0, i - 24), i)
        before = lower[host.start() - 1] if host is not None and host.start() else " "
        if host is not None and not (before.isalnum() or before in "._-/"):
            m = _TME_PATH_RE.match(text, path_at)
            if m is not None:
                name, hsh, cid = m.group("name"), m.group("hash"), m.group("cid")
                value = None
                if name is not None:
                    if name.lower() not in _TME_RESERVED:
                        value = "t.me/" + name.lower()
                elif hsh is not None:
                    value = "t.me/+" + hsh
                else:
                    value = "t.me/c/" + cid
                if value is not None:
                    out.append((host.start(), m.end(), 0, "tme_link", value))
        i = lower.find(marker, path_at)


def scan_telegram(text: str, lower: str, out: list[Candidate]) -> None:
    if "me/" in lower:
        _scan_tme(text, lower, "me/", out)
    if "dog/" in lower:
        _scan_tme(text, lower, "dog/", out)
    if "tg://" in lower:
        for m in all_matches(TG_RE, text):
            name = m.group("name")
            value = "t.me/" + name.lower() if name else "t.me/+" + m.group("hash")
            out.append((m.start(), m.end(), 0, "tme_link", value))
    if "@" in text:
        for m in all_matches(HANDLE_RE, text):
            out.append((m.start(), m.end(), 3, "username", "@" + m.group("name").lower()))


# --- Email -------------------------------------------------------------------------------------------------
# Anchored on the "@" (a literal the regex engine finds fast); the local part is read backwards from it.
EMAIL_DOMAIN_RE = re.compile(
    rf"(?:@|\s?\[at\]\s?|\s?\(at\)\s?)"
    rf"(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,61}}[A-Za-z0-9])?(?:{_DOT}[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,61}}[A-Za-z0-9])?)*"
    rf"{_DOT}[A-Za-z]{{2,24}})(?![\w\-@])",
)
# Run on the lowercased text (same offsets): without IGNORECASE every alternative starts with a literal, so
# the engine skips to "@", "[" or "(" in C.
_AT_RE = re.compile(r"@|\[at\]|\(at\)")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")


def scan_email(text: str, lower: str, out: list[Candidate]) -> None:
    if "@" not in text and "[at]" not in lower and "(at)" not in lower:
        return
    for at in all_matches(_AT_RE, lower):
        pos = at.start()
        if at.group(0) != "@" and pos and text[pos - 1] == " ":
            pos -= 1
        start = pos
        while start > 0 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        local = text[start:pos].lstrip(".%+-")
        start = pos - len(local)
        if not local or local[-1] in ".%+-" or len(local) > 64:
            continue
        m = EMAIL_DOMAIN_RE.match(text, pos)
        if m is None:
            continue
        domain = _DOT_RE.sub(".", m.group("domain")).lower()
        if domain.rsplit(".", 1)[1] not in TLDS:
            continue
        out.append((start, m.end(), 1, "email", local.lower() + "@" + domain))


# --- Web and onion addresses -------------------------------------------------------------------------------
# Top-level domains accepted without a scheme. Country codes that are also everyday words ("to", "in", "me",
# "it", "is", "so", "at", "be", "no", "do", "us", "go") need a scheme, "www." or a path to count, because
# "go.to" or "done.it" in chat text is far more often a typo than an address.
TLDS = _words(
    """com net org info biz io me co ru su ua by kz nl de fi uk eu fr es it pl cz sk se no dk ee lv lt ch at
    be
    pt gr ro hu bg hr si rs tr il ae in cn jp kr hk sg au nz ca us mx br ar cl xyz top site online shop store
    club pro cc tk ml ga cf gq app dev link live click ly to gg ws pw so is ir pk vn th id my ph tv fm am ai
    do la life world tech space website fun icu vip buzz monster cyou sbs bond cfd rest best win bid loan
    today ink news blog cloud email market money cash exchange finance bet casino porn sex xxx tips digital
    network group one zone email mobi name red pink kim men moe wtf lol plus page rocks run onl
    li lu mt ie gl st sh ac im nu cx ms ltd work host support agency company services
    solutions center zip mov lat vc re tf pm yt wf gs ag bz sc mu ug ng ke za eg ma tn dz qa sa kw om jo lb
    ge az uz kg tj tm md al mk ba tw"""
) | {"рф", "рус", "укр", "бел", "онлайн", "сайт"}
_RISKY_TLDS = _words("to in me it is so at be no do us go am la id my ml one run tv fm win men red bet")
_LABEL = r"[^\W_][\w\-]*+"  # possessive: a word that is not followed by a dot fails at once
URL_RE = re.compile(
    rf"(?P<scheme>{_SCHEME})?"
    rf"(?P<host>(?:{_LABEL}{_DOT})+(?P<tld>[^\W\d_]{{2,24}}))"
    r"(?P<port>:\d{2,5})?"
    r"(?P<path>[/?#][^\s<>\"'«»\]\[{}|\\^`]*)?"
    r"(?![\w@\-])",
)
# A plain dot followed by letters: the cheap anchor that finds candidate addresses in clean text.
TLD_ANCHOR_RE = re.compile(r"\.([^\W\d_]{2,24})(?![\w\-])")
# Writings that need the full (slower) pattern: obfuscated dots and schemes.
_OBFUSCATED_BRACKETS_RE = re.compile(r"[\[({](?:\.|dot)[\])}]")


def obfuscated(lower: str) -> bool:
    """Whether the text writes addresses the way filters are dodged (then the full, slower pattern runs)."""
    # ("xp" is in both "hxxp" and "htxp": one test where most texts have neither.)
    if " ." in lower or "[:]" in lower or " dot " in lower:
        return True
    if "xp" in lower and ("hxxp" in lower or "htxp" in lower):
        return True
    return ("[" in lower or "(" in lower or "{" in lower) and _OBFUSCATED_BRACKETS_RE.search(
        lower
    ) is not None


_HOST_OK_RE = re.compile(r"[a-z0-9\-.\u0400-\u04ff]+")
_HOST_CHARS_RE = re.compile(r"[\w\-@/]")
_TRAILING = ".,;:!?)'\"»…"


def _clean_path(path: str) -> str:
    while path and path[-1] in _TRAILING:
        if path[-1] == ")" and path.count("(") >= path.count(")"):
            break
        path = path[:-1]
    return path


def _scheme_name(scheme: str) -> str:
    sl = scheme.lower()
    if sl[0] == "f":
        return "ftp"
    return "https" if len(sl) > 4 and sl[4] == "s" else "http"


def _url_at(
    text: str, lower: str, m: re.Match[str], out: list[Candidate], scheme_at: tuple[int, str] | None = None
) -> None:
    """Validate one URL match and append it; the false-positive guards live here. ``scheme_at`` is a scheme
    found in front of the match by the caller (written loosely: ``http//``, ``http:/``, glued to a word)."""
    scheme, tld = m.group("scheme"), m.group("tld")
    start = m.start()
    if scheme is None and scheme_at is not None:
        start, scheme = scheme_at
    host_raw = m.group("host")
    tld_l = tld.lower()
    if tld_l == "onion":
        return
    path = m.group("path")
    if scheme is None:
        # Without a scheme: a known TLD written in one case, and padding around a dot only before TLDs
        # that are not also words.
        if tld_l not in TLDS or (tld != tld_l and tld != tld.upper()):
            return
        if (
            tld_l in _RISKY_TLDS
            and not (path and path.startswith("/"))
            and not lower.startswith("www", m.start())
        ):
            return
        if any(c.isspace() for c in host_raw) and (tld_l in _RISKY_TLDS or tld != tld_l):
            return
    host = _DOT_RE.sub(".", host_raw).lower()
    if (
        not _HOST_OK_RE.fullmatch(host)
        or ".." in host
        or any(lab.startswith("-") or lab.endswith("-") for lab in host.split("."))
    ):
        return
    if scheme is None and host.split(".")[0].isdigit():
        return  # "5.com"-like fragments of numbers and versions
    path = _clean_path(path or "")
    port = m.group("port") or ""
    end = m.start("path") + len(path) if path else m.end("port") if port else m.end("host")
    path = path.split("#", 1)[0]
    if path == "/":
        path = ""
    sch = "http" if scheme is None else _scheme_name(scheme)
    out.append((start, end, 2, "url", f"{sch}://{host}{port}{path}"))


# A scheme right before a host, as written in the wild: "http://", "hxxps[:]//", "http//", "http:/", and
# glued to the word before it ("experiencehttp://…").
_SCHEME_BEFORE_RE = re.compile(r"(?:[hH][tTxX]{2}[pP][sS]?|ftp)(?::|\[:\])?/{1,2}$")
_IP_URL_RE = re.compile(
    r"(?P<scheme>(?:[hH][tTxX]{2}[pP][sS]?|ftp)(?::|\[:\])?/{1,2})(?P<host>\d{1,3}(?:\.\d{1,3}){3})"
    r"(?P<port>:\d{2,5})?(?P<path>[/?#][^\s<>\"'«»\]\[{}|\\^`]*)?(?![\w.])"
)


def _scan_ip_urls(text: str, out: list[Candidate]) -> None:
    for m in all_matches(_IP_URL_RE, text):
        host = m.group("host")
        if any(int(o) > 255 for o in host.split(".")):
            continue
        path = _clean_path(m.group("path") or "")
        end = m.start("path") + len(path) if path else m.end("port") if m.group("port") else m.end("host")
        path = path.split("#", 1)[0]
        value = (
            f"{_scheme_name(m.group('scheme'))}://{host}{m.group('port') or ''}{'' if path == '/' else path}"
        )
        out.append((m.start(), end, 2, "url", value))


# An IP host always follows a "/" of its scheme: this literal-first gate skips the scheme pattern (which the
# engine would try at every position) in texts without one.
_IP_GATE_RE = re.compile(r"/\d{1,3}\.\d")


def url_gates(text: str, lower: str) -> tuple[bool, bool, bool]:
    """Whole-text facts the URL scanner decides by: (obfuscated writing, loose scheme present, any "/").
    Computed on the whole message, so a line scanned on its own is scanned exactly as inside its message."""
    return obfuscated(lower), ":/" in text or "p//" in lower, "/" in lower


def scan_url(
    text: str, lower: str, out: list[Candidate], gates: tuple[bool, bool, bool] | None = None
) -> None:
    if "." not in text and "dot" not in lower:
        return
    obfuscated, loose_scheme, has_slash = url_gates(text, lower) if gates is None else gates
    if loose_scheme and _IP_GATE_RE.search(text) is not None:
        _scan_ip_urls(text, out)
    if obfuscated:
        for m in all_matches(URL_RE, text):
            if m.start() == 0 or not _HOST_CHARS_RE.match(text, m.start() - 1):
                _url_at(text, lower, m, out)
        return
    # Clean text: find ".tld" anchors, walk back to the start of the host (and scheme), match from there.
    done = -1
    for a in all_matches(TLD_ANCHOR_RE, lower):
        if a.start() < done:
            continue
        tld = a.group(1)
        dot = a.start()
        if tld == "onion" or not dot or not lower[dot - 1].isalnum():
            continue
        if (
            tld in ("me", "dog")
            and lower.startswith("/", a.end())
            and (
                lower.endswith("telegram", 0, dot)
                or (lower[dot - 1] == "t" and (dot < 2 or not lower[dot - 2].isalnum()))
            )
        ):
            continue  # a t.me link: the Telegram scanner owns it
        if tld not in TLDS and not has_slash:
            continue
        start = dot
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-._"):
            start -= 1
        while start < a.start() and text[start] in "-._":
            start += 1
        scheme_at = None
        if start and text[start - 1] == "/":
            sm = _SCHEME_BEFORE_RE.search(text, max(0, start - 12), start)
            if sm is None:
                continue  # part of a path we do not own
            scheme_at = (sm.start(), sm.group(0))
        elif start and text[start - 1] == "@":
            continue  # an email's domain
        m = URL_RE.match(text, start)
        if m is None:
            continue
        _url_at(text, lower, m, out, scheme_at)
        done = m.end()


ONION_RE = re.compile(
    rf"(?<![A-Za-z2-7])(?P<label>[A-Za-z2-7]{{56}}|[A-Za-z2-7]{{16}}){_DOT}onion(?![\w\-])",
    re.IGNORECASE,
)


# Where ONION_RE's "onion" can be (its IGNORECASE also takes "ı" and "İ" for "i"; ``lower`` keeps "İ"):
# no match can start more than 56 + 7 characters before the first one, so the scan starts there.
ONION_WORD_RE = re.compile("on[iıİ]on")


def scan_onion(text: str, lower: str, out: list[Candidate], has_onion: bool | None = None) -> None:
    if not ("onion" in lower if has_onion is None else has_onion):
        return
    first = ONION_WORD_RE.search(lower)
    if first is None:
        return
    for m in ONION_RE.finditer(text, max(0, first.start() - 64)):
        value = checksums.onion(m.group("label"))
        if value is not None:
            out.append((m.start(), m.end(), 0, "onion", value))


# --- Phone numbers -----------------------------------------------------------------------------------------
# Cheap candidate spans first (7-15 digits with the usual separators); only these reach phonenumbers, whose
# parse costs tens of microseconds. Numbers without "+"/"00" need the channel's default region.
# Spam glues numbers to words ("call09050000337", "Help:0871…", "…over18"), so letters may touch a
# candidate; digits, "+", "/" and decimal separators may not (those are other numbers: dates, amounts, ids).
PHONE_RE = re.compile(r"[+(0-9](?<![\d+/.,][+(0-9])[\d \-().\u00a0]{5,21}[0-9](?![\d%€$£₽]|[.,]\d)")
# Without a default region only numbers written with "+" or "00" are read; a "00" can start one only where
# PHONE_RE can start, i.e. not after a digit, "+", "/", "." or ",": "0.0012 BTC" and "1300" are no number.
PHONE_00_RE = re.compile(r"00(?<![\d+/.,]00)")
_PHONE_SEPARATORS = " -().\u00a0"


@lru_cache(maxsize=16384)
def parse_phone(candidate: str, region: str | None) -> str | None:
    digits = sum(c.isdigit() for c in candidate)
    if not 7 <= digits <= 15:
        return None
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    if not candidate.startswith("+") and region is None:
        return None
    if candidate.count("(") != candidate.count(")"):
        return None
    try:
        num = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def scan_phone(text: str, region: str | None, out: list[Candidate]) -> None:
    for m in all_matches(PHONE_RE, text):
        cand = m.group(0).rstrip(_PHONE_SEPARATORS)
        if region is None and not cand.startswith(("+", "00")):
            continue  # parse_phone says None to it and to every shorter retry (same start)
        value = parse_phone(cand, region)
        tries = 0
        while value is None and tries < 3:
            # A number followed by unrelated digits ("08000407166 (18+)", "+31612345678 24 7"): drop the
            # last group and try again.
            cut = max(cand.rfind(c) for c in _PHONE_SEPARATORS)
            if cut <= 0:
                break
            cand = cand[:cut].rstrip(_PHONE_SEPARATORS)
            value = parse_phone(cand, region)
            tries += 1
        if value is not None:
            out.append((m.start(), m.start() + len(cand), 4, "phone", value))
