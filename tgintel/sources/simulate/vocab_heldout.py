"""Held-out vocabulary: the same categories and languages as ``vocab_train`` in other words.

Different phrasing, synonyms and street slang, so that a classifier whose rules were written from the
training wording can be measured on market language it has not seen (``--templates heldout``). The same
rules as in ``vocab_train`` apply: nothing here may look like an entity, and csam_indicator text is neutral
placeholder tokens only.
"""

from __future__ import annotations

VOCAB: dict[str, dict] = {
    "en": {
        "cats": {
            "drugs": (
                ["Plug is back with loud packs", "Snow and molly restocked"],
                [
                    "Cali kush zips",
                    "Za exotic eighth",
                    "Snow ball fishscale",
                    "Molly caps",
                    "Percs and bars",
                    "Tina shards",
                    "Shrooms golden teacher",
                ],
            ),
            "weapons": (
                ["Heat available, untraceable", "Straps and rounds in stock"],
                [
                    "Ghost gun kit polymer",
                    "Strap with extended clip",
                    "Rounds hollow point",
                    "Auto sear switch",
                    "Long gun with scope",
                ],
            ),
            "stolen_data": (
                ["Premium dumps of personal records", "Profiles with selfie verification"],
                [
                    "Bank login cookies",
                    "Identity profiles with passport photo",
                    "Doxx records per state",
                    "Hacked gaming accounts",
                    "Customer records from retailer breach",
                ],
            ),
            "financial_fraud": (
                ["Withdrawal methods that work", "Need workers to receive transfers"],
                [
                    "Business account opened in your name",
                    "Account flips overnight",
                    "Cloned cards tap to pay",
                    "Refund method for big stores",
                    "Coin recovery guaranteed returns",
                ],
            ),
            "counterfeit_documents": (
                ["Novelty IDs that pass checks", "Papers for travel and work"],
                [
                    "Novelty driver ID with hologram",
                    "Travel booklet any nationality",
                    "Residence permit card",
                    "Covid result letter",
                    "Notarized degree papers",
                    "Prop money bills",
                ],
            ),
            "counterfeit_goods": (
                ["Mirror grade luxury pieces", "Loose tobacco and smokes from abroad"],
                [
                    "Superclone chronograph",
                    "Designer handbag mirror quality",
                    "Jordans unauthorized batch",
                    "Smokes from the border",
                    "Perfume testers bulk",
                ],
            ),
            "cybercrime_tools": (
                ["Scam pages and bots for rent", "Remote access trojan private build"],
                [
                    "Scampage for parcel service",
                    "RAT with hidden VNC",
                    "Caller bot grabs codes",
                    "Bulk mailer inbox delivery",
                    "Keygen and activators",
                    "Brute tool for logins",
                ],
            ),
            "sexual_exploitation": (
                ["Exposed content of local girls", "Secret recordings from meetups"],
                [
                    "Revenge folders by city",
                    "Spycam hookup recordings",
                    "AI undress service",
                    "Blackmail method for nudes",
                    "New girls for private meetings",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder2 zqxplaceholder1 invites", "zqxplaceholder3 refreshed"],
                ["zqxplaceholder7 set", "zqxplaceholder6 mega", "zqxplaceholder5 zqxplaceholder4 box"],
            ),
            "violent_content": (
                ["Shock clips nobody else posts", "Uncut brutality videos"],
                [
                    "Cartel punishment tapes",
                    "Killing caught on camera",
                    "Terror propaganda clips",
                    "Accident victims uncut",
                ],
            ),
            "sanctions_evasion": (
                ["Export to restricted countries handled", "Quadcopters for the front"],
                [
                    "Quadcopters with thermal payload",
                    "Satellite internet kits",
                    "Semiconductors via third countries",
                    "Night vision for the army",
                ],
            ),
        },
        "tags": [
            "Ships same day",
            "Vacuum sealed",
            "Local meetups only",
            "Tracking provided",
            "Bulk discounts",
            "Trusted since years",
        ],
        "contact": ["Hit up", "Message", "Tap in with", "Reach"],
        "pay": ["Methods", "Paying by", "Taking"],
        "shop": ["Connect", "Depot", "Hub", "Spot"],
        "chat_open": ["sup", "fam", "heyo", "gm", "evening folks"],
        "chat_body": [
            "anybody up this late",
            "the admins are sleeping again",
            "mail is slow this week",
            "finally received the parcel",
            "which vendor ships fastest",
            "stuff got pricier",
            "too many spam accounts",
            "who else is from down south",
            "got burned by a newbie seller",
            "kicked from the old chat",
        ],
        "chat_close": ["appreciate it", "haha", "peace", "anyone", "help", ""],
        "chat_short": ["++", "k", "ty", "bump", "lmao", "fr", "where?", "facts"],
        "ask": [
            "{h} trustworthy or not?",
            "who copped from {h}?",
            "{h} check messages",
            "any reviews on {h}",
        ],
        "scam": ["Triple your coins by tomorrow, zero risk", "Trading signals with guaranteed daily returns"],
        "warn": ["Heads up, {h} ripped me off", "Avoid {h}, ran with my money"],
        "mod": [
            "Posting without approval gets you removed. Questions go to {h}",
            "Fake vendor banned. Staff will never message you first.",
        ],
    },
    "nl": {
        "cats": {
            "drugs": (
                ["Dikke zakken groen en bruin", "Snuif en bolletjes op voorraad"],
                [
                    "Zakje groen Super Lemon",
                    "Bruin Afghaans blok",
                    "Snuif puur zakje",
                    "Bolletjes per stuk",
                    "Paddo truffels",
                    "Keta zakje",
                ],
            ),
            "weapons": (
                ["Blaffers zonder vragen", "Proppers en patronen"],
                ["Blaffer met kogels", "Automatisch geweer", "Kogels hollow point", "Klapper met magazijn"],
            ),
            "stolen_data": (
                ["Gegevens van bankklanten", "Profielen met paspoortfoto"],
                [
                    "Inlog cookies bank",
                    "Profielen met kopie ID",
                    "Adresgegevens per provincie",
                    "Gehackte game accounts",
                    "Klantenbestand webwinkel",
                ],
            ),
            "financial_fraud": (
                ["Snel uitbetalen met jouw rekening", "Rekeninghouders gezocht"],
                [
                    "Rekening verhuren voor een dag",
                    "Geld doorsturen en bijverdienen",
                    "Gekloonde passen",
                    "Terugbetaal truc webshops",
                    "Rendement gegarandeerd munten",
                ],
            ),
            "counterfeit_documents": (
                ["Papieren regelen voor reizen en werk", "ID kaarten die door controle gaan"],
                [
                    "ID kaart met hologram",
                    "Verblijfsvergunning pas",
                    "Coronabewijs brief",
                    "Getuigschrift opleiding",
                    "Speelgeld biljetten",
                ],
            ),
            "counterfeit_goods": (
                ["Luxe merken spiegelkwaliteit", "Shag en sigaretten uit het buitenland"],
                [
                    "Superclone horloge",
                    "Designer handtas spiegelkwaliteit",
                    "Jordans ongeautoriseerd",
                    "Shag van over de grens",
                    "Parfum testers partij",
                ],
            ),
            "cybercrime_tools": (
                ["Scampaginas en bots te huur", "Trojan met verborgen toegang"],
                [
                    "Scampagina pakketbezorger",
                    "RAT met verborgen VNC",
                    "Belbot die codes vangt",
                    "Mailer bulk inbox",
                    "Keygen en activators",
                ],
            ),
            "sexual_exploitation": (
                ["Exposed van meiden uit de buurt", "Geheime opnames van afspraakjes"],
                [
                    "Wraakmappen per stad",
                    "Spycam afspraak opnames",
                    "AI uitkleed dienst",
                    "Chantage methode naaktfotos",
                    "Nieuwe meiden voor prive afspraken",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder2 zqxplaceholder1 uitnodigingen", "zqxplaceholder3 ververst"],
                ["zqxplaceholder7 set", "zqxplaceholder6 mega", "zqxplaceholder5 zqxplaceholder4 doos"],
            ),
            "violent_content": (
                ["Schokkende clips die niemand post", "Ongeknipte bruutheid"],
                ["Kartel straf opnames", "Moord op camera", "Terreur propaganda", "Ongelukken ongeknipt"],
            ),
            "sanctions_evasion": (
                ["Export naar landen met beperkingen", "Quadcopters voor het front"],
                [
                    "Quadcopters met warmtecamera",
                    "Satelliet internet sets",
                    "Halfgeleiders via derde landen",
                    "Nachtkijkers voor het leger",
                ],
            ),
        },
        "tags": [
            "Zelfde dag verstuurd",
            "Vacuum verpakt",
            "Alleen afhalen",
            "Met track en trace",
            "Korting bij bulk",
        ],
        "contact": ["Stuur", "Appen naar", "Hit", "Vraag"],
        "pay": ["Afrekenen", "Betaalopties", "Nemen aan"],
        "shop": ["Dealer", "Depot", "Hub", "Spot"],
        "chat_open": ["hee", "mannen", "yoo", "goeiemiddag", "avond allemaal"],
        "chat_body": [
            "iemand nog wakker",
            "admins slapen weer",
            "post is traag deze week",
            "eindelijk pakket binnen",
            "welke verkoper is het snelst",
            "alles is duurder geworden",
            "te veel spam accounts",
            "wie komt uit het zuiden",
            "genaaid door een nieuwe verkoper",
        ],
        "chat_close": ["dankje", "hahaha", "doei", "iemand", "help", ""],
        "chat_short": ["++", "k", "dankje", "bump", "hahaha", "zeker", "waar?", "facts"],
        "ask": [
            "{h} te vertrouwen of niet?",
            "wie heeft bij {h} gehaald?",
            "{h} check je berichten",
            "reviews over {h}?",
        ],
        "scam": [
            "Verdrievoudig je munten voor morgen, geen risico",
            "Trading signalen met dagelijks rendement",
        ],
        "warn": ["Let op, {h} heeft me opgelicht", "Vermijd {h}, ervandoor met mijn geld"],
        "mod": [
            "Posten zonder goedkeuring betekent verwijdering. Vragen naar {h}",
            "Nepverkoper verbannen. Het team stuurt je nooit eerst een bericht.",
        ],
    },
    "de": {
        "cats": {
            "drugs": (
                ["Grünes und Braunes in großen Mengen", "Schnee und Pillen neu aufgefüllt"],
                [
                    "Weed Lemon Haze Beutel",
                    "Piece Afghane Platte",
                    "Schnee Flocken Beutel",
                    "Pillen Blaue Punisher",
                    "Pilze Golden Teacher",
                    "Keta Beutel",
                ],
            ),
            "weapons": (
                ["Eisen ohne Fragen", "Knarren und Patronen vorrätig"],
                [
                    "Knarre mit Patronen",
                    "Sturmgewehr vollautomatisch",
                    "Hohlspitz Patronen",
                    "Umbausatz Dauerfeuer",
                ],
            ),
            "stolen_data": (
                ["Daten von Bankkunden", "Profile mit Ausweisfoto"],
                [
                    "Bank Login Cookies",
                    "Profile mit Ausweiskopie",
                    "Adressdaten nach Bundesland",
                    "Gehackte Gaming Konten",
                    "Kundendatei Onlineshop",
                ],
            ),
            "financial_fraud": (
                ["Schnell auszahlen über dein Konto", "Kontoinhaber gesucht"],
                [
                    "Konto für einen Tag vermieten",
                    "Geld weiterleiten und nebenbei verdienen",
                    "Geklonte Karten",
                    "Rückerstattung Methode Shops",
                    "Garantierte Rendite Coins",
                ],
            ),
            "counterfeit_documents": (
                ["Papiere für Reise und Arbeit", "Ausweise die jede Kontrolle bestehen"],
                [
                    "Personalausweis mit Hologramm",
                    "Aufenthaltstitel Karte",
                    "Coronanachweis Schreiben",
                    "Zeugnis Ausbildung",
                    "Spielgeld Banknoten",
                ],
            ),
            "counterfeit_goods": (
                ["Luxusmarken Spiegelqualität", "Tabak und Kippen aus dem Ausland"],
                [
                    "Superclone Uhr",
                    "Designer Handtasche Spiegelqualität",
                    "Jordans unautorisiert",
                    "Kippen von über der Grenze",
                    "Parfum Tester Posten",
                ],
            ),
            "cybercrime_tools": (
                ["Scamseiten und Bots zu mieten", "Trojaner mit verstecktem Zugang"],
                [
                    "Scamseite Paketdienst",
                    "RAT mit verstecktem VNC",
                    "Anrufbot fängt Codes ab",
                    "Massenmailer Posteingang",
                    "Keygen und Aktivatoren",
                ],
            ),
            "sexual_exploitation": (
                ["Exposed von Mädels aus der Gegend", "Heimliche Aufnahmen von Treffen"],
                [
                    "Rache Ordner nach Stadt",
                    "Spycam Treffen Aufnahmen",
                    "KI Auszieh Dienst",
                    "Erpressung Methode Nacktbilder",
                    "Neue Mädels für private Treffen",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder2 zqxplaceholder1 Einladungen", "zqxplaceholder3 erneuert"],
                ["zqxplaceholder7 Satz", "zqxplaceholder6 Mega", "zqxplaceholder5 zqxplaceholder4 Kiste"],
            ),
            "violent_content": (
                ["Schockclips die sonst keiner postet", "Ungeschnittene Brutalität"],
                [
                    "Kartell Bestrafung Aufnahmen",
                    "Tötung vor der Kamera",
                    "Terror Propaganda",
                    "Unfallopfer ungeschnitten",
                ],
            ),
            "sanctions_evasion": (
                ["Export in eingeschränkte Länder", "Quadrokopter für die Front"],
                [
                    "Quadrokopter mit Wärmebild",
                    "Satelliten Internet Sets",
                    "Halbleiter über Drittländer",
                    "Nachtsichtgeräte für die Armee",
                ],
            ),
        },
        "tags": [
            "Versand am selben Tag",
            "Vakuumiert",
            "Nur Abholung",
            "Mit Sendungsverfolgung",
            "Mengenrabatt",
        ],
        "contact": ["Schreib", "Anfragen an", "Melde dich", "Frag"],
        "pay": ["Bezahlen", "Zahlarten", "Nehmen"],
        "shop": ["Dealer", "Depot", "Hub", "Spot"],
        "chat_open": ["na", "jungs", "yo", "mahlzeit", "abend leute"],
        "chat_body": [
            "noch jemand wach",
            "die Admins pennen wieder",
            "Post ist langsam diese Woche",
            "endlich Paket bekommen",
            "welcher Verkäufer ist am schnellsten",
            "alles ist teurer geworden",
            "zu viele Spam Konten",
            "wer kommt aus dem Süden",
            "von neuem Verkäufer abgezogen",
        ],
        "chat_close": ["merci", "hahaha", "tschüss", "jemand", "hilfe", ""],
        "chat_short": ["++", "k", "thx", "push", "hahaha", "safe", "wo?", "fakt"],
        "ask": [
            "{h} vertrauenswürdig oder nicht?",
            "wer hat bei {h} geholt?",
            "{h} schau in deine Nachrichten",
            "Erfahrungen mit {h}?",
        ],
        "scam": ["Verdreifache deine Coins bis morgen, null Risiko", "Trading Signale mit täglicher Rendite"],
        "warn": ["Achtung, {h} hat mich abgezogen", "Finger weg von {h}, mit meinem Geld abgehauen"],
        "mod": [
            "Posten ohne Freigabe führt zur Entfernung. Fragen an {h}",
            "Fake Verkäufer gesperrt. Das Team schreibt dich nie zuerst an.",
        ],
    },
    "ru": {
        "cats": {
            "drugs": (
                ["Стафф высшего сорта, клады в день оплаты", "Фен и кристы в наличии"],
                [
                    "Бошки ОГ Куш",
                    "Пластилин твердый",
                    "Фен белый",
                    "Кристаллы меф",
                    "Колеса Тесла",
                    "Грибы псилоцибы",
                ],
            ),
            "weapons": (
                ["Стволы без палева", "Травматы и боевые"],
                ["Ствол с маслятами", "Переделка под боевой", "Маслята хлопушки", "Обрез с патронами"],
            ),
            "stolen_data": (
                ["Пробив любых людей", "Профили с фото паспорта"],
                [
                    "Куки банковских кабинетов",
                    "Профили с копией паспорта",
                    "Адреса по регионам",
                    "Угнанные игровые акки",
                    "Клиентская база магазина",
                ],
            ),
            "financial_fraud": (
                ["Быстрый вывод через твою карту", "Нужны держатели карт"],
                [
                    "Сдай карту в аренду на день",
                    "Переводы через тебя, подработка",
                    "Клоны карт",
                    "Схема возврата в магазинах",
                    "Гарантированный доход монеты",
                ],
            ),
            "counterfeit_documents": (
                ["Корочки для работы и выезда", "Ксивы любых ведомств"],
                [
                    "Ксива с голограммой",
                    "Вид на жительство карта",
                    "Справка ковид",
                    "Аттестат школы",
                    "Сувенирные банкноты",
                ],
            ),
            "counterfeit_goods": (
                ["Люкс бренды зеркальное качество", "Курево из-за границы"],
                [
                    "Суперклон хронограф",
                    "Брендовая сумка зеркальная",
                    "Джорданы паль",
                    "Курево контрабанда",
                    "Парфюм тестеры партия",
                ],
            ),
            "cybercrime_tools": (
                ["Скам страницы и боты в аренду", "Троян со скрытым доступом"],
                [
                    "Скам страница доставки",
                    "РАТ со скрытым VNC",
                    "Прозвон бот ловит коды",
                    "Рассыльщик по инбоксу",
                    "Кейген и активаторы",
                ],
            ),
            "sexual_exploitation": (
                ["Сливы девчонок по городам", "Тайные записи встреч"],
                [
                    "Папки мести по городам",
                    "Записи встреч со шпионской камеры",
                    "Нейросеть раздевает фото",
                    "Шантаж интимом схема",
                    "Новые девочки для встреч",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder2 zqxplaceholder1 инвайты", "zqxplaceholder3 обновлено"],
                ["zqxplaceholder7 сет", "zqxplaceholder6 мега", "zqxplaceholder5 zqxplaceholder4 ящик"],
            ),
            "violent_content": (
                ["Шок ролики которых нет нигде", "Жестокость без монтажа"],
                [
                    "Наказания картеля записи",
                    "Убийство на камеру",
                    "Террористическая пропаганда",
                    "Аварии без цензуры",
                ],
            ),
            "sanctions_evasion": (
                ["Поставки в страны под ограничениями", "Квадрики для фронта"],
                [
                    "Квадрокоптеры с тепловизором",
                    "Комплекты спутникового интернета",
                    "Полупроводники через третьи страны",
                    "Ночники для армии",
                ],
            ),
        },
        "tags": [
            "Отправка в день заказа",
            "Вакуумная упаковка",
            "Только самовывоз",
            "Трек номер выдаем",
            "Скидки на опт",
        ],
        "contact": ["Пиши", "Жми", "Стучите", "Вопросы"],
        "pay": ["Расчет", "Способы оплаты", "Берем"],
        "shop": ["Дилер", "Склад", "Хаб", "Точка"],
        "chat_open": ["здарова", "пацаны", "йоу", "добрый вечер", "вечер в хату"],
        "chat_body": [
            "кто еще не спит",
            "админы опять спят",
            "почта тормозит на этой неделе",
            "наконец забрал посылку",
            "кто быстрее всех отправляет",
            "все подорожало",
            "слишком много спам акков",
            "кто с юга",
            "меня кинул новый продавец",
        ],
        "chat_close": ["благодарю", "ахаха", "давай", "кто нибудь", "помогите", ""],
        "chat_short": ["++", "к", "благодарю", "апну", "ахаха", "факт", "где?", "жиза"],
        "ask": ["{h} можно доверять?", "кто затаривался у {h}?", "{h} проверь сообщения", "отзывы о {h}?"],
        "scam": ["Утроим монеты до завтра, без риска", "Торговые сигналы с ежедневной доходностью"],
        "warn": ["Внимание, {h} меня кинул", "Обходите {h}, ушел с моими деньгами"],
        "mod": [
            "Посты без одобрения удаляются. Вопросы к {h}",
            "Фейк продавец забанен. Команда никогда не пишет первой.",
        ],
    },
    "fi": {
        "cats": {
            "drugs": (
                ["Vihreää ja ruskeaa isoissa erissä", "Lunta ja nappeja täydennetty"],
                [
                    "Vihreä Lemon Haze pussi",
                    "Ruskea levy",
                    "Lumi hiutaleet pussi",
                    "Napit Blue Punisher",
                    "Sienet Golden Teacher",
                    "Keta pussi",
                ],
            ),
            "weapons": (
                ["Rautaa ilman kysymyksiä", "Tuliluikut ja panokset"],
                [
                    "Tuliluikku panoksilla",
                    "Täysautomaatti kivääri",
                    "Onttokärkipanokset",
                    "Sarjatulimuutos sarja",
                ],
            ),
            "stolen_data": (
                ["Pankkiasiakkaiden tiedot", "Profiilit passikuvalla"],
                [
                    "Pankin kirjautumiskeksit",
                    "Profiilit henkkarikopiolla",
                    "Osoitetiedot maakunnittain",
                    "Hakkeroidut pelitilit",
                    "Verkkokaupan asiakasrekisteri",
                ],
            ),
            "financial_fraud": (
                ["Nopea kotiutus sinun tilisi kautta", "Tilinhaltijoita haetaan"],
                [
                    "Vuokraa tilisi päiväksi",
                    "Välitä rahaa ja tienaa sivussa",
                    "Kloonatut kortit",
                    "Palautuskikka verkkokauppoihin",
                    "Taattu tuotto kolikot",
                ],
            ),
            "counterfeit_documents": (
                ["Paperit matkoille ja töihin", "Henkkarit jotka menevät tarkastuksesta"],
                [
                    "Henkilökortti hologrammilla",
                    "Oleskelulupakortti",
                    "Koronatodistus kirje",
                    "Koulutodistus",
                    "Leikkiraha setelit",
                ],
            ),
            "counterfeit_goods": (
                ["Luksusmerkit peililaatu", "Tupakkaa ja sätkää ulkomailta"],
                [
                    "Superclone kello",
                    "Merkkilaukku peililaatu",
                    "Jordanit luvaton erä",
                    "Sätkätupakka rajan takaa",
                    "Hajuvesitesterit erä",
                ],
            ),
            "cybercrime_tools": (
                ["Huijaussivut ja botit vuokralle", "Troijalainen piilotetulla pääsyllä"],
                [
                    "Huijaussivu pakettipalvelu",
                    "RAT piilotetulla VNC",
                    "Soittobotti nappaa koodit",
                    "Massapostittaja",
                    "Keygen ja aktivaattorit",
                ],
            ),
            "sexual_exploitation": (
                ["Paljastuksia lähialueen tytöistä", "Salaiset tallenteet tapaamisista"],
                [
                    "Kostokansiot kaupungeittain",
                    "Vakoilukamera tapaamistallenteet",
                    "Tekoäly riisuntapalvelu",
                    "Kiristysmenetelmä alastonkuvilla",
                    "Uusia tyttöjä yksityistapaamisiin",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder2 zqxplaceholder1 kutsut", "zqxplaceholder3 päivitetty"],
                ["zqxplaceholder7 setti", "zqxplaceholder6 mega", "zqxplaceholder5 zqxplaceholder4 laatikko"],
            ),
            "violent_content": (
                ["Shokkiklipit joita kukaan muu ei julkaise", "Leikkaamatonta raakuutta"],
                [
                    "Kartellin rangaistustallenteet",
                    "Tappo kameralla",
                    "Terroripropaganda",
                    "Onnettomuuden uhrit leikkaamatta",
                ],
            ),
            "sanctions_evasion": (
                ["Vienti rajoitettuihin maihin", "Kopterit rintamalle"],
                [
                    "Kopterit lämpökameralla",
                    "Satelliitti-internet sarjat",
                    "Puolijohteet kolmansien maiden kautta",
                    "Pimeänäkölaitteet armeijalle",
                ],
            ),
        },
        "tags": [
            "Lähtee samana päivänä",
            "Vakuumipakattu",
            "Vain nouto",
            "Seurantakoodi mukana",
            "Määräalennus",
        ],
        "contact": ["Laita", "Viestit", "Nykäise", "Kysele"],
        "pay": ["Maksaminen", "Maksuvaihtoehdot", "Otetaan"],
        "shop": ["Diileri", "Varasto", "Hubi", "Piste"],
        "chat_open": ["terve", "äijät", "jou", "päivää", "iltaa porukka"],
        "chat_body": [
            "onko kukaan hereillä",
            "adminit nukkuu taas",
            "posti on hidas tällä viikolla",
            "vihdoin sain paketin",
            "kuka myyjä lähettää nopeimmin",
            "kaikki on kallistunut",
            "liikaa spämmitilejä",
            "kuka on etelästä",
            "uusi myyjä kusetti",
        ],
        "chat_close": ["kiitoksia", "hahaha", "moikka", "joku", "apua", ""],
        "chat_short": ["++", "k", "kiitoksia", "bumppi", "hahaha", "fakta", "missä?", "niin"],
        "ask": [
            "onko {h} luotettava vai ei?",
            "kuka on ostanut {h}?",
            "{h} tarkista viestit",
            "kokemuksia {h}?",
        ],
        "scam": [
            "Kolminkertaista kolikkosi huomiseen, ei riskiä",
            "Kaupankäyntisignaalit päivittäisellä tuotolla",
        ],
        "warn": ["Varoitus, {h} huijasi minua", "Välttäkää {h}, lähti rahoineni"],
        "mod": [
            "Julkaisu ilman hyväksyntää johtaa poistoon. Kysymykset {h}",
            "Feikkimyyjä bannattu. Ylläpito ei koskaan laita viestiä ensin.",
        ],
    },
}
