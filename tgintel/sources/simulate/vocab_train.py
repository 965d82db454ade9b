"""Training vocabulary: the wording the classifier's rules may be written from.

Disjoint from ``vocab_heldout`` (a test checks that no item or header phrase is shared), so a classifier
evaluated on ``--templates heldout`` meets market wording it was never tuned on. Per language: ``cats`` maps
each taxonomy category to (headers, items); the rest are the building blocks of offers, chatter, scam posts
and moderation notices. ``{h}`` marks where a username is inserted. No string may contain anything an entity
extractor could take for an entity (no ``@``, digits next to currency, domains or ``+`` numbers).
csam_indicator text is made of neutral placeholder tokens only (``zqxplaceholderN``), never real terms.
"""

from __future__ import annotations

VOCAB: dict[str, dict] = {
    "en": {
        "cats": {
            "drugs": (
                ["TOP QUALITY WEED AND HASH", "Fresh cocaine drop this week", "Pills and powders in stock"],
                [
                    "Amnesia Haze weed 10g",
                    "Moroccan hash 25g",
                    "Cocaine 1g pure",
                    "MDMA pills x10",
                    "Ketamine crystals 5g",
                    "Xanax bars x20",
                ],
            ),
            "weapons": (
                ["Firearms available, no paperwork", "Pistols and ammo for sale"],
                [
                    "Glock 19 pistol with two mags",
                    "AK-47 rifle, clean",
                    "9mm ammunition box of 50",
                    "Suppressor for pistol",
                    "Hand grenade",
                ],
            ),
            "stolen_data": (
                ["Fresh logs and fullz daily", "Leaked database dump for sale"],
                [
                    "Stealer logs pack 1k",
                    "Fullz with SSN and DOB",
                    "KYC package: ID scan plus selfie",
                    "Netflix and Spotify accounts cracked",
                    "Combolist email:pass 100k",
                ],
            ),
            "financial_fraud": (
                ["Bank drops and payout service", "Carding made easy"],
                [
                    "Verified bank account drop",
                    "CC dumps with pin track2",
                    "Payout of bank logs",
                    "Money mule wanted, easy money",
                    "Prepaid cards loaded",
                ],
            ),
            "counterfeit_documents": (
                ["Real and fake documents made to order", "Passports and IDs, any country"],
                [
                    "Fake passport, scannable",
                    "Driving licence registered",
                    "Negative PCR test certificate",
                    "Vaccination certificate with QR",
                    "University diploma any degree",
                    "Counterfeit banknotes grade A",
                ],
            ),
            "counterfeit_goods": (
                ["Replica designer goods, 1:1 quality", "Cheap cigarettes, no tax"],
                [
                    "Rolex replica watch",
                    "Louis Vuitton bag copy",
                    "Nike sneakers replica",
                    "Marlboro cartons duty free",
                    "Fake AirPods",
                ],
            ),
            "cybercrime_tools": (
                ["Phishing kits and spam tools", "Malware and crypters FUD"],
                [
                    "Bank phishing page kit",
                    "RedLine stealer build",
                    "OTP bot for bank codes",
                    "SMS spam sender",
                    "Cracked software licence keys",
                    "Account checker tool",
                ],
            ),
            "sexual_exploitation": (
                ["Leaked private videos of girls", "Exposed content and hidden cam dates"],
                [
                    "Ex girlfriend leaks pack",
                    "Hidden camera date video",
                    "Nudify bot, undress any photo",
                    "Sextortion guide and scripts",
                    "Escort girls available, new arrivals",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder1 zqxplaceholder2 links", "new zqxplaceholder3 drop"],
                [
                    "zqxplaceholder4 archive",
                    "zqxplaceholder5 collection",
                    "zqxplaceholder6 zqxplaceholder7 folder",
                ],
            ),
            "violent_content": (
                ["Gore videos uncensored", "Real murder footage channel"],
                [
                    "Execution video compilation",
                    "Beheading footage archive",
                    "Extremist manifesto and videos",
                    "Cartel torture clips",
                ],
            ),
            "sanctions_evasion": (
                ["Dual-use goods to Russia, sanctions no problem", "Drones and parts export"],
                [
                    "DJI Mavic 3 drones bulk",
                    "Starlink terminals delivered",
                    "Microchips for military use",
                    "Thermal scopes export",
                    "Rifle optics bypassing sanctions",
                ],
            ),
        },
        "tags": [
            "Worldwide shipping",
            "Stealth packaging",
            "Fast delivery",
            "Best prices in town",
            "Escrow accepted",
            "Discreet and safe",
            "Reship guaranteed",
        ],
        "contact": ["Contact", "DM", "Order via", "Write to"],
        "pay": ["Payment", "We accept", "Pay with"],
        "shop": ["Shop", "Store", "Plug", "Market"],
        "chat_open": ["hey all", "guys", "yo", "hello", "morning", "anyone here"],
        "chat_body": [
            "what do you think about the new rules",
            "is this group still active",
            "weather is crazy today",
            "who is selling here legit",
            "got banned in the other group",
            "my order arrived today",
            "waiting for my package",
            "how long does shipping take",
            "prices went up again",
            "this chat is full of bots",
            "anyone from the north",
            "can someone vouch for a seller",
            "lost my last order",
            "be careful with new sellers",
        ],
        "chat_close": ["thanks", "lol", "cheers", "any ideas", "pls help", "bro", ""],
        "chat_short": ["+", "ok", "thanks", "up", "lol", "same", "who?", "true", "nice"],
        "ask": ["is {h} legit?", "anyone ordered from {h}?", "{h} answer your DMs", "vouch for {h}"],
        "scam": [
            "Double your coins in 24 hours, guaranteed profit",
            "Investment platform pays 30 percent weekly, join now",
            "Recover your lost coins, our hackers can help",
        ],
        "warn": ["SCAM ALERT: {h} took my money and blocked me", "{h} is a scammer, do not deal"],
        "mod": [
            "Rules: no spam, no scams, verified sellers only. Report to {h}",
            "User removed for scamming. Admins never DM first.",
            "Verified vendors list updated, ask {h} to get verified",
        ],
    },
    "nl": {
        "cats": {
            "drugs": (
                ["Beste wiet en hasj van Nederland", "Coke en pillen direct leverbaar"],
                [
                    "Wiet Amnesia 10 gram",
                    "Hasj Marokkaans 25 gram",
                    "Coke 1 gram zuiver",
                    "XTC pillen 10 stuks",
                    "Speed pasta 5 gram",
                    "Ketamine 5 gram",
                ],
            ),
            "weapons": (
                ["Wapens te koop zonder papieren", "Pistolen en munitie"],
                [
                    "Glock pistool met munitie",
                    "Kalasj met twee magazijnen",
                    "Munitie 9mm doos",
                    "Demper voor pistool",
                    "Handgranaat",
                ],
            ),
            "stolen_data": (
                ["Verse logs en databases", "Gelekte klantgegevens te koop"],
                [
                    "Stealer logs pakket",
                    "Persoonsgegevens met BSN",
                    "KYC pakket ID scan met selfie",
                    "Gekraakte accounts Netflix",
                    "Combolijst mail en wachtwoord",
                ],
            ),
            "financial_fraud": (
                ["Bankrekeningen te koop, snel geld", "Katvangers gezocht, snel geld"],
                [
                    "Bankrekening met inlogcodes",
                    "Katvanger gezocht, goed verdienen",
                    "Creditcard gegevens met cvv",
                    "Uitbetaling via bankrekening",
                    "Geld wassen service",
                ],
            ),
            "counterfeit_documents": (
                ["Echte en valse documenten op maat", "Paspoorten en rijbewijzen"],
                [
                    "Vals paspoort scanbaar",
                    "Rijbewijs geregistreerd",
                    "Negatieve testuitslag certificaat",
                    "Vaccinatiebewijs met QR",
                    "Diploma naar keuze",
                    "Vals geld briefjes",
                ],
            ),
            "counterfeit_goods": (
                ["Replica merkkleding topkwaliteit", "Goedkope sigaretten zonder accijns"],
                [
                    "Rolex replica horloge",
                    "Nep Louis Vuitton tas",
                    "Nike replica schoenen",
                    "Sloffen sigaretten zonder accijns",
                    "Nep AirPods",
                ],
            ),
            "cybercrime_tools": (
                ["Phishing panels en spam tools", "Malware en crypters"],
                [
                    "Phishing kit voor banken",
                    "Stealer malware build",
                    "OTP bot voor bankcodes",
                    "SMS spammer",
                    "Gekraakte software licenties",
                    "Account checker",
                ],
            ),
            "sexual_exploitation": (
                ["Gelekte naaktfotos van exen", "Stiekem gefilmde dates"],
                [
                    "Exposed pakket van meiden",
                    "Verborgen camera date video",
                    "Nudify bot, foto uitkleden",
                    "Sextortion handleiding",
                    "Meisjes beschikbaar voor escort",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder1 zqxplaceholder2 links", "nieuwe zqxplaceholder3 map"],
                [
                    "zqxplaceholder4 archief",
                    "zqxplaceholder5 collectie",
                    "zqxplaceholder6 zqxplaceholder7 map",
                ],
            ),
            "violent_content": (
                ["Gore video's ongecensureerd", "Echte moord beelden"],
                [
                    "Executie video compilatie",
                    "Onthoofding beelden",
                    "Extremistische video's",
                    "Martel clips kartel",
                ],
            ),
            "sanctions_evasion": (
                ["Dual-use goederen naar Rusland", "Drones en onderdelen export"],
                [
                    "DJI drones in bulk",
                    "Starlink terminals geleverd",
                    "Chips voor militair gebruik",
                    "Warmtebeeld kijkers export",
                ],
            ),
        },
        "tags": [
            "Discreet verzonden",
            "Snelle levering",
            "Bezorging heel Nederland",
            "Beste prijzen",
            "Ophalen mogelijk",
            "Betrouwbaar en veilig",
        ],
        "contact": ["Contact", "Bestellen via", "Stuur een bericht naar", "App"],
        "pay": ["Betaling", "Betalen met", "Wij accepteren"],
        "shop": ["Shop", "Winkel", "Plug", "Markt"],
        "chat_open": ["hoi allemaal", "jongens", "yo", "goedemorgen", "iemand hier"],
        "chat_body": [
            "is deze groep nog actief",
            "wie verkoopt hier betrouwbaar",
            "mijn bestelling is binnen",
            "wachten op mijn pakketje",
            "hoe lang duurt verzenden",
            "prijzen zijn weer omhoog",
            "veel bots hier",
            "iemand uit Rotterdam",
            "pas op met nieuwe verkopers",
            "ben geband in de andere groep",
        ],
        "chat_close": ["bedankt", "haha", "toppie", "iemand", "pls", ""],
        "chat_short": ["+", "ok", "thx", "up", "haha", "idd", "wie?", "klopt"],
        "ask": ["is {h} betrouwbaar?", "iemand besteld bij {h}?", "{h} reageer eens", "wie kent {h}"],
        "scam": [
            "Verdubbel je munten in 24 uur, gegarandeerde winst",
            "Beleggen met 30 procent rendement per week, doe mee",
        ],
        "warn": ["OPLICHTER: {h} heeft mijn geld en blokkeert me", "{h} is een scammer, niet mee handelen"],
        "mod": [
            "Regels: geen spam, geen oplichting, alleen geverifieerde verkopers. Meld bij {h}",
            "Gebruiker verwijderd wegens oplichting. Admins sturen nooit als eerste een bericht.",
        ],
    },
    "de": {
        "cats": {
            "drugs": (
                ["Bestes Gras und Haschisch", "Koks und Teile sofort verfügbar"],
                [
                    "Gras Amnesia 10 Gramm",
                    "Haschisch Marokko 25 Gramm",
                    "Koks 1 Gramm rein",
                    "Teile Ecstasy 10 Stück",
                    "Pep Amphetamin 5 Gramm",
                    "Ketamin 5 Gramm",
                ],
            ),
            "weapons": (
                ["Waffen ohne Papiere zu verkaufen", "Pistolen und Munition"],
                [
                    "Glock Pistole mit Munition",
                    "Kalaschnikow mit zwei Magazinen",
                    "Munition 9mm Packung",
                    "Schalldämpfer für Pistole",
                    "Handgranate",
                ],
            ),
            "stolen_data": (
                ["Frische Logs und Datenbanken", "Geleakte Kundendaten zu verkaufen"],
                [
                    "Stealer Logs Paket",
                    "Personendaten mit Ausweisnummer",
                    "KYC Paket Ausweis mit Selfie",
                    "Gecrackte Netflix Konten",
                    "Combolist Mail und Passwort",
                ],
            ),
            "financial_fraud": (
                ["Bankkonten zu verkaufen, schnelles Geld", "Finanzagent gesucht"],
                [
                    "Bankkonto mit Karte und Zugang",
                    "Finanzagent gesucht, leicht verdient",
                    "Kreditkarten Daten mit CVV",
                    "Auszahlung über Bankkonto",
                    "Geldwäsche Service",
                ],
            ),
            "counterfeit_documents": (
                ["Echte und gefälschte Dokumente", "Reisepässe und Führerscheine"],
                [
                    "Gefälschter Reisepass scanbar",
                    "Führerschein registriert",
                    "Negativer Testnachweis Zertifikat",
                    "Impfpass mit QR Code",
                    "Diplom nach Wahl",
                    "Falschgeld Scheine",
                ],
            ),
            "counterfeit_goods": (
                ["Replika Markenware Top Qualität", "Billige Zigaretten ohne Steuer"],
                [
                    "Rolex Replika Uhr",
                    "Gefälschte Louis Vuitton Tasche",
                    "Nike Replika Schuhe",
                    "Zigaretten Stangen unversteuert",
                    "Fake AirPods",
                ],
            ),
            "cybercrime_tools": (
                ["Phishing Panels und Spam Tools", "Malware und Crypter"],
                [
                    "Phishing Kit für Banken",
                    "Stealer Malware Build",
                    "OTP Bot für Bankcodes",
                    "SMS Spammer",
                    "Gecrackte Software Lizenzen",
                    "Account Checker",
                ],
            ),
            "sexual_exploitation": (
                ["Geleakte Nacktbilder von Exfreundinnen", "Heimlich gefilmte Dates"],
                [
                    "Exposed Paket Mädchen",
                    "Versteckte Kamera Date Video",
                    "Nudify Bot, Foto ausziehen",
                    "Sextortion Anleitung",
                    "Mädchen für Escort verfügbar",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder1 zqxplaceholder2 Links", "neue zqxplaceholder3 Sammlung"],
                ["zqxplaceholder4 Archiv", "zqxplaceholder5 Ordner", "zqxplaceholder6 zqxplaceholder7 Paket"],
            ),
            "violent_content": (
                ["Gore Videos unzensiert", "Echte Mord Videos"],
                [
                    "Hinrichtung Video Sammlung",
                    "Enthauptung Aufnahmen",
                    "Extremistische Videos",
                    "Folter Clips Kartell",
                ],
            ),
            "sanctions_evasion": (
                ["Dual-Use Güter nach Russland", "Drohnen und Teile Export"],
                [
                    "DJI Drohnen in großen Mengen",
                    "Starlink Terminals geliefert",
                    "Chips für militärische Nutzung",
                    "Wärmebildgeräte Export",
                ],
            ),
        },
        "tags": [
            "Diskreter Versand",
            "Schnelle Lieferung",
            "Versand in ganz Deutschland",
            "Beste Preise",
            "Abholung möglich",
            "Sicher und zuverlässig",
        ],
        "contact": ["Kontakt", "Bestellung über", "Schreib an", "Meldet euch bei"],
        "pay": ["Zahlung", "Bezahlung per", "Wir akzeptieren"],
        "shop": ["Shop", "Laden", "Plug", "Markt"],
        "chat_open": ["hallo zusammen", "leute", "moin", "servus", "jemand da"],
        "chat_body": [
            "ist die Gruppe noch aktiv",
            "wer verkauft hier seriös",
            "meine Bestellung ist angekommen",
            "warte auf mein Paket",
            "wie lange dauert der Versand",
            "Preise sind wieder gestiegen",
            "hier sind nur noch Bots",
            "jemand aus Berlin",
            "vorsicht bei neuen Verkäufern",
        ],
        "chat_close": ["danke", "haha", "grüße", "jemand", "bitte", ""],
        "chat_short": ["+", "ok", "danke", "up", "haha", "jo", "wer?", "stimmt"],
        "ask": ["ist {h} seriös?", "hat jemand bei {h} bestellt?", "{h} antworte mal", "wer kennt {h}"],
        "scam": [
            "Verdopple deine Coins in 24 Stunden, garantierter Gewinn",
            "Investment mit 30 Prozent Rendite pro Woche, jetzt einsteigen",
        ],
        "warn": [
            "BETRÜGER: {h} hat mein Geld genommen und mich blockiert",
            "{h} ist ein Scammer, nicht handeln",
        ],
        "mod": [
            "Regeln: kein Spam, kein Betrug, nur verifizierte Verkäufer. Meldungen an {h}",
            "Nutzer wegen Betrug entfernt. Admins schreiben nie zuerst.",
        ],
    },
    "ru": {
        "cats": {
            "drugs": (
                ["Лучшие шишки и гашиш", "Меф и соль, закладки по городу"],
                [
                    "Шишки АК-47 10 гр",
                    "Гашиш 25 гр",
                    "Кокаин 1 гр чистый",
                    "Мефедрон кристаллы 5 гр",
                    "Альфа ПВП соль 1 гр",
                    "Экстази таблетки 10 шт",
                ],
            ),
            "weapons": (
                ["Оружие без документов", "Пистолеты и патроны"],
                [
                    "Пистолет Макарова с патронами",
                    "Автомат Калашникова",
                    "Патроны 9мм пачка",
                    "Глушитель для пистолета",
                    "Граната боевая",
                ],
            ),
            "stolen_data": (
                ["Свежие логи и базы данных", "Слив базы клиентов"],
                [
                    "Логи стилера пак",
                    "Пробив по паспорту и СНИЛС",
                    "KYC пакет скан паспорта и селфи",
                    "Взломанные аккаунты Netflix",
                    "База почта пароль",
                ],
            ),
            "financial_fraud": (
                ["Дропы и обнал", "Продажа банковских карт и счетов"],
                [
                    "Дебетовая карта на дропа",
                    "Ищем дропов, легкий заработок",
                    "Обнал с банковских логов",
                    "Кардинг схемы под ключ",
                    "Счет ИП с доступом",
                ],
            ),
            "counterfeit_documents": (
                ["Документы любой страны", "Паспорта и права под заказ"],
                [
                    "Паспорт поддельный с проводкой",
                    "Водительские права в базе",
                    "Отрицательный ПЦР тест справка",
                    "Сертификат о вакцинации с QR",
                    "Диплом любого вуза",
                    "Фальшивые купюры",
                ],
            ),
            "counterfeit_goods": (
                ["Реплики брендов качество 1:1", "Сигареты без акциза оптом"],
                [
                    "Часы Rolex реплика",
                    "Сумка Louis Vuitton копия",
                    "Кроссовки Nike реплика",
                    "Сигареты без акциза блок",
                    "Наушники AirPods копия",
                ],
            ),
            "cybercrime_tools": (
                ["Фишинг панели и спам софт", "Малварь и крипторы"],
                [
                    "Фишинг кит под банки",
                    "Стилер билд",
                    "ОТП бот для кодов банков",
                    "СМС спамер",
                    "Крякнутый софт ключи",
                    "Чекер аккаунтов",
                ],
            ),
            "sexual_exploitation": (
                ["Слив интимных фото бывших", "Скрытая съемка свиданий"],
                [
                    "Слив фото девушек пак",
                    "Видео со скрытой камеры на свидании",
                    "Бот раздевания фото",
                    "Методичка по сексторшену",
                    "Девушки для эскорта",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder1 zqxplaceholder2 ссылки", "новая zqxplaceholder3 подборка"],
                [
                    "zqxplaceholder4 архив",
                    "zqxplaceholder5 коллекция",
                    "zqxplaceholder6 zqxplaceholder7 папка",
                ],
            ),
            "violent_content": (
                ["Жесть видео без цензуры", "Реальные убийства на видео"],
                [
                    "Казни подборка видео",
                    "Обезглавливание видео",
                    "Экстремистские материалы",
                    "Пытки картеля видео",
                ],
            ),
            "sanctions_evasion": (
                ["Товары двойного назначения в РФ", "Дроны и комплектующие, обход санкций"],
                [
                    "Дроны DJI Mavic оптом",
                    "Терминалы Starlink с доставкой",
                    "Микросхемы для военки",
                    "Тепловизоры поставка",
                ],
            ),
        },
        "tags": [
            "Доставка по всей России",
            "Работаем без предоплаты",
            "Быстрая отправка",
            "Лучшие цены",
            "Гарант принимается",
            "Анонимно и безопасно",
        ],
        "contact": ["Связь", "Пишите", "Заказ через", "Оператор"],
        "pay": ["Оплата", "Принимаем", "Оплата через"],
        "shop": ["Шоп", "Магазин", "Маркет"],
        "chat_open": ["всем привет", "ребята", "народ", "доброе утро", "кто тут"],
        "chat_body": [
            "чат еще живой",
            "кто тут нормальный продавец",
            "мой заказ пришел",
            "жду посылку",
            "сколько идет доставка",
            "цены опять выросли",
            "одни боты в чате",
            "кто из Москвы",
            "осторожно с новыми продавцами",
            "меня забанили в другом чате",
        ],
        "chat_close": ["спасибо", "лол", "всем добра", "подскажите", "плиз", ""],
        "chat_short": ["+", "ок", "спс", "ап", "лол", "да", "кто?", "согласен"],
        "ask": ["{h} нормальный?", "кто брал у {h}?", "{h} ответь в лс", "кто знает {h}"],
        "scam": ["Удвоим ваши монеты за 24 часа, гарантия", "Инвестиции 30 процентов в неделю, заходи"],
        "warn": ["КИДАЛА: {h} взял деньги и заблокировал", "{h} мошенник, не работайте"],
        "mod": [
            "Правила: без спама, без кидалова, только проверенные продавцы. Жалобы {h}",
            "Пользователь удален за мошенничество. Админы не пишут первыми.",
        ],
    },
    "fi": {
        "cats": {
            "drugs": (
                ["Laadukasta kukkaa ja hasista", "Piri ja kokkeli heti saatavilla"],
                [
                    "Kukka Amnesia 10g",
                    "Hasis 25g",
                    "Kokkeli 1g puhdas",
                    "Piri 5g",
                    "Essoja 10 kpl",
                    "Subu nappeja 8mg",
                ],
            ),
            "weapons": (
                ["Aseita myynnissä ilman papereita", "Pistooleja ja patruunoita"],
                [
                    "Glock pistooli ja patruunat",
                    "Rynnäkkökivääri kahdella lippaalla",
                    "Patruunat 9mm laatikko",
                    "Äänenvaimennin pistooliin",
                    "Käsikranaatti",
                ],
            ),
            "stolen_data": (
                ["Tuoreita logeja ja tietokantoja", "Vuodettuja asiakastietoja myynnissä"],
                [
                    "Stealer logit paketti",
                    "Henkilötiedot ja henkilötunnus",
                    "KYC paketti henkkarit ja selfie",
                    "Murretut Netflix tunnukset",
                    "Combolista sähköposti salasana",
                ],
            ),
            "financial_fraud": (
                ["Pankkitilejä myynnissä", "Rahamuuli haetaan, helppoa rahaa"],
                [
                    "Pankkitili ja kortti",
                    "Rahamuuli haetaan, hyvä palkka",
                    "Luottokorttitiedot cvv",
                    "Kotiutus pankkitilin kautta",
                    "Rahanpesu palvelu",
                ],
            ),
            "counterfeit_documents": (
                ["Väärennetyt dokumentit tilauksesta", "Passit ja ajokortit"],
                [
                    "Väärennetty passi",
                    "Ajokortti rekisterissä",
                    "Negatiivinen testitulos todistus",
                    "Rokotustodistus QR koodilla",
                    "Tutkintotodistus",
                    "Väärennetyt setelit",
                ],
            ),
            "counterfeit_goods": (
                ["Merkkituotteiden kopiot", "Halpoja tupakoita ilman veroa"],
                [
                    "Rolex kopio kello",
                    "Louis Vuitton laukku kopio",
                    "Nike kengät kopio",
                    "Tupakka kartonki verottomana",
                    "Feikki AirPods",
                ],
            ),
            "cybercrime_tools": (
                ["Phishing sivut ja spam työkalut", "Haittaohjelmat ja crypterit"],
                [
                    "Phishing kit pankeille",
                    "Stealer haittaohjelma",
                    "OTP botti pankkikoodeille",
                    "Tekstiviesti spammeri",
                    "Crackatut ohjelmat lisenssit",
                    "Tunnusten tarkistin",
                ],
            ),
            "sexual_exploitation": (
                ["Vuodetut alastonkuvat existä", "Salaa kuvatut treffit"],
                [
                    "Exposed paketti tytöistä",
                    "Piilokamera treffivideo",
                    "Riisuntabotti kuville",
                    "Sextortion opas",
                    "Tyttöjä saatavilla escort",
                ],
            ),
            "csam_indicator": (
                ["zqxplaceholder1 zqxplaceholder2 linkit", "uusi zqxplaceholder3 kokoelma"],
                [
                    "zqxplaceholder4 arkisto",
                    "zqxplaceholder5 kansio",
                    "zqxplaceholder6 zqxplaceholder7 paketti",
                ],
            ),
            "violent_content": (
                ["Gore videoita sensuroimatta", "Oikeita murhavideoita"],
                ["Teloitusvideot kokoelma", "Mestausvideo", "Ääriliikkeen videot", "Kartellin kidutusvideot"],
            ),
            "sanctions_evasion": (
                ["Kaksikäyttötuotteita Venäjälle", "Droonit ja osat vientiin"],
                [
                    "DJI droonit isoissa erissä",
                    "Starlink päätelaitteet toimitettuna",
                    "Mikrosirut sotilaskäyttöön",
                    "Lämpökamerat vientiin",
                ],
            ),
        },
        "tags": [
            "Huomaamaton postitus",
            "Nopea toimitus",
            "Toimitus koko Suomeen",
            "Parhaat hinnat",
            "Nouto mahdollinen",
            "Luotettava ja turvallinen",
        ],
        "contact": ["Yhteys", "Tilaukset", "Laita viestiä", "Kysy"],
        "pay": ["Maksu", "Maksutavat", "Hyväksymme"],
        "shop": ["Kauppa", "Shop", "Plugi"],
        "chat_open": ["moro kaikki", "jätkät", "moi", "huomenta", "onko ketään"],
        "chat_body": [
            "onko tämä ryhmä vielä aktiivinen",
            "kuka myy täällä luotettavasti",
            "tilaus tuli perille",
            "odottelen pakettia",
            "kauanko postitus kestää",
            "hinnat nousi taas",
            "täällä on pelkkiä botteja",
            "onko ketään Tampereelta",
            "varokaa uusia myyjiä",
        ],
        "chat_close": ["kiitos", "hah", "terkut", "kukaan", "pliis", ""],
        "chat_short": ["+", "ok", "kiitti", "up", "hah", "joo", "kuka?", "totta"],
        "ask": [
            "onko {h} luotettava?",
            "onko kukaan tilannut {h}?",
            "{h} vastaa viesteihin",
            "kuka tuntee {h}",
        ],
        "scam": [
            "Tuplaa kolikkosi 24 tunnissa, taattu tuotto",
            "Sijoitus tuottaa 30 prosenttia viikossa, liity nyt",
        ],
        "warn": ["HUIJARI: {h} vei rahat ja blokkasi", "{h} on huijari, älkää asioiko"],
        "mod": [
            "Säännöt: ei spammia, ei huijauksia, vain varmennetut myyjät. Ilmoitukset {h}",
            "Käyttäjä poistettu huijauksen takia. Adminit eivät koskaan laita viestiä ensin.",
        ],
    },
}
