"""Language identification on short market posts."""

from __future__ import annotations

import pytest

from tgintel.detect.lang import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Fresh weed for sale, contact me on telegram for the price", "en"),
        ("Te koop: verse wiet, snelle levering in heel Nederland", "nl"),
        ("Продаю документы, пишите в личку, доставка по городу", "ru"),
        ("Продаю документи, пишіть в особисті, доставка по місту", "uk"),
        ("Verkaufe Pässe und Führerscheine, schnelle Lieferung", "de"),
        ("Myydään kamaa, nopea toimitus Helsingissä", "fi"),
        ("Je vends des faux papiers, livraison rapide", "fr"),
        ("Vendo documentos falsos, envío rápido", "es"),
        ("Sprzedam dowody osobiste, szybka dostawa", "pl"),
        ("Satılık silah, hızlı teslimat", "tr"),
        ("بيع الأسلحة في هذه المدينة", "ar"),
        ("فروش اسلحه در این شهر", "fa"),
        ("出售假护照和驾照", "zh"),
    ],
)
def test_languages(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "ok", "🔥🔥🔥", "https://t.me/zqx 100$", "@zqxvendor 555-1234"])
def test_unsure_is_und(text: str) -> None:
    assert detect_language(text) == "und"
