"""A seller's different offers against re-posts of one offer: what is sold decides, not the shared frame."""

from __future__ import annotations

from tgintel.detect.duplicates import NearDuplicateIndex, product_keys
from tgintel.detect.minhash import Similarity, shingle_hashes, shingle_sets
from tgintel.detect.normalize import normalize, products

FRAME_TOP = "🔥 Premium weed and hash 🔥\nShop greenplug\n"
FRAME_END = (
    "Fast delivery\n💬 Contact: @greenplug_nl\n➡️ t.me/greenplug_menu\n💰 Payment: iDEAL, crypto\n"
    "BTC: 1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
)
MENU_A = ["Amnesia haze 5g - 45€", "Moroccan hash 10g - 60€", "Pre-rolls 5 pcs - 25€"]
MENU_B = ["Amnesia haze 5g - 45€", "Ketamine 1g - 30€", "XTC pills 10 pcs - 50€"]


def advert(items: list[str], *, top: str = FRAME_TOP, end: str = FRAME_END, sep: str = "\n• ") -> str:
    return top + sep.lstrip("\n") + sep.join(items) + "\n" + end


def matching(text: str) -> str:
    return normalize(text, placeholders=True)


def test_products_are_the_priced_items_whatever_the_layout() -> None:
    lines = matching(advert(MENU_A))
    one_line = matching(advert(MENU_A, sep=" | ").replace("\n| ", " | "))
    dashes = matching(advert(MENU_A, sep="\n- "))
    assert len(products(lines)) == 3
    assert product_keys(lines) == product_keys(one_line) == product_keys(dashes)
    assert product_keys(lines) != product_keys(matching(advert(MENU_B)))
    # a wallet or handle before a price never becomes part of a product name
    assert products(matching("BTC: 1BoatSLRHtKNngkdXEeobR76b53LETtpyT 5 USDT fee")) == []
    assert products(matching("no prices here, 5 pcs")) == []


def test_contacts_in_the_matching_form() -> None:
    # quantity then price is not a phone number; a real one is
    assert "<contact>" not in matching("9mm ammunition box of 50 - 150 USD")
    assert matching("call +7 (912) 345-67-89 now") == "call <contact> now"
    # case-folded base58 addresses (with an "l" from an upper-case "L") and Monero addresses are wallets
    assert matching("BTC: 1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == "btc: <contact>"
    xmr = "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5Uzqt"
    xmr += "ReoS44qo9mtmXCqY45DJ852K5Jv2bYXZKK"
    assert len(xmr) == 95 and matching(f"XMR: {xmr}") == "xmr: <contact>"


def test_one_sellers_different_menus_stay_apart_and_reposts_join() -> None:
    reposts = [
        advert(MENU_A),
        advert([MENU_A[0].replace("45€", "40€"), *MENU_A[1:]]),  # a price changed
        advert(MENU_A, sep=" | ").replace("\n| ", " | "),  # items on one line
        advert([i.replace("€", " EUR") for i in MENU_A], sep="\n▪️ "),  # currency style and bullets
        advert(MENU_A, end=FRAME_END.replace("Fast delivery", "Best prices in town")),  # tagline swapped
        advert(MENU_A, end=FRAME_END.replace("➡️ t.me/greenplug_menu\n", "")),  # a contact line removed
        "‼️ NEW STOCK TODAY ‼️\n" + advert(MENU_A),  # a line added on top
    ]
    other_menus = [advert(MENU_B), advert([MENU_A[0], MENU_A[1]]), advert([*MENU_A, "Edibles 100mg - 15€"])]
    ix = NearDuplicateIndex()
    ids = ix.add_many([(str(i), t) for i, t in enumerate(reposts + other_menus)])
    assert len(set(ids[: len(reposts)])) == 1
    assert len(set(ids)) == 1 + len(other_menus)


def test_product_check_vetoes_only_lists_of_two_or_more() -> None:
    sim = Similarity()
    a, b = matching(advert(MENU_A)), matching(advert(MENU_B))
    h, offs = shingle_hashes([a, b])
    sa, sb = shingle_sets(h, offs)
    pa, pb = product_keys(a), product_keys(b)
    assert not sim(sa, sb, frozenset({1}), frozenset({1}), pa, pb)
    # the same pair judged on text alone (one priced item or none): the shared frame makes them look alike
    assert Similarity(min_products=99)(sa, sb, frozenset({1}), frozenset({1}), pa, pb)
