"""A small multilingual domain lexicon: surface stems in English, Russian, Uzbek and Kazakh -> concepts.

Profiles at this forum are short and written in three or four languages; the same product is "packaging
film", "упаковочная плёнка" or "qadoqlash plyonkasi". TF-IDF alone cannot see that these are one thing,
so every phrase also gets the concepts its words name, and the vectorizer adds them as a feature block
of their own. The concept names are plain English labels because they double as readable match terms.

Grammar of a stem:
- ``"film"`` matches every word that starts with it (``films``, ``filmy``); Cyrillic stems are
  transliterated when compiled, so ``"плёнк"`` becomes ``plyonk`` and also matches Uzbek ``plyonka``;
- ``"sut$"`` matches the whole word only (Uzbek *sut*, milk, must not match Russian *sutki*, days);
- ``"cold storag"`` (with a space) matches two words that follow each other, each by prefix.
When several single-word stems match a word, the longest wins: ``стеклопакет`` (a window unit) is not
``стекл`` (glass).

Organizers may extend the table; keep stems at least four letters long unless they end with ``$``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

CONCEPTS: dict[str, tuple[str, ...]] = {
    # --- packaging -------------------------------------------------------------------------------------
    "plastic film": ("film", "плёнк", "пленк", "plyonk", "plenk", "stretch wrap", "stretch film", "shrink",
                     "стрейч", "термоусад", "үлдір"),
    "barrier film": ("barrier", "барьерн", "multilayer", "multi-layer", "многослойн", "kop qatlam",
                     "coextru", "co-extru", "соэкструз", "laminat", "ламинир", "evoh"),
    "corrugated boxes": ("corrugat", "гофр", "gofr", "cardboard", "картон", "karton", "box$", "boxes",
                         "короб", "quti$", "qutilar", "qutisi", "qutilari", "tray$", "trays$", "лоток",
                         "лотк"),
    "plastic crates": ("crate", "ящик", "yashik", "punnet", "clamshell", "harvest bin", "plastic contain"),
    "glass containers": ("glass jar", "jar$", "jars$", "стеклянн тар", "стеклотар", "банки$", "банка$",
                         "banka$", "bankalar", "glass bottle", "shisha idish", "twist-off", "твист"),
    "bottles & preforms": ("bottle", "бутыл", "butilka", "shisha$", "preform", "преформ", "pet$", "пэт$"),
    "caps & lids": ("cap$", "caps$", "closure", "lid$", "lids$", "крышк", "qopqoq"),
    "bags & sacks": ("bag$", "bags$", "sack", "мешк", "мешок", "qop$", "qoplar", "qoplarda", "big-bag",
                     "биг-бэг", "doy-pack", "дой-пак", "пакет", "paket"),
    "packaging": ("packaging", "packing$", "packed$", "упаков", "qadoq", "қаптама", "тара$", "тару$", "тары$", "aseptic", "асептич",
                  "aseptik"),
    "polymers": ("polymer", "полимер", "granul", "гранул", "polyethyl", "полиэтил", "polietilen", "hdpe",
                 "ldpe", "lldpe", "пнд$", "пвд$", "polypropyl", "полипроп", "polipropilen", "pp$", "resin",
                 "смола", "смолы", "plastic", "пластик", "plastmass", "пластмасс"),
    # --- dairy and livestock ---------------------------------------------------------------------------
    "milk & dairy": ("milk", "молок", "молоч", "sut$", "suti$", "sutni$", "sutli$", "sutdan", "dairy",
                     "uht$", "pasteur", "пастериз", "qaymoq", "butter", "сливоч", "сметан", "творог",
                     "cottage cheese", "сүт$"),
    "cheese": ("cheese", "сыр$", "сыры$", "сыров", "сырн", "pishloq", "brynza", "брынз", "mozzarella",
               "моцарел", "ірімшік"),
    "starter cultures": ("starter", "заквас", "ferment", "фермент", "rennet", "сычуж", "cultures$",
                         "probiotic", "пробиот", "ivitqi", "achitqi", "dvs$"),
    "fermented milk": ("kefir", "кефир", "yogurt", "yoghurt", "йогурт", "ayran", "айран", "qatiq", "катык",
                       "suzma", "сузьма", "kurt$", "курт$", "қымыз", "kumis"),
    "cattle & livestock": ("cattle", "cow$", "cows$", "корова", "коров", "крс$", "нетел", "тёлк", "телк",
                           "heifer", "бычк", "bull$", "bulls$", "buqa", "sigir", "qoramol", "livestock",
                           "скот", "chorva", "мал$", "бараны", "баран", "sheep", "qoy$", "qoylar", "calves",
                           "calf$", "goat", "echki", "поголов"),
    "animal feed": ("feed$", "feeds$", "fodder", "корм", "yem$", "yemi$", "ozuqa", "hay$", "сено", "сена$",
                    "сенаж", "alfalfa", "люцерн", "beda$", "premix", "премикс", "silage", "силос",
                    "compound feed", "комбикорм", "жем$"),
    "oilseed meal": ("oilseed cake", "seed cake", "cake$", "жмых", "шрот", "shrot", "kunjara", "expeller",
                     "soybean meal", "oilseed meal", "cottonseed meal", "sunflower meal"),
    "veterinary": ("veterin", "ветерин", "vaccine", "вакцин", "vaksina", "vet$", "baytar"),
    # --- fruit and vegetables --------------------------------------------------------------------------
    "fruit": ("fruit", "фрукт", "meva$", "mevalar", "meval", "жеміс", "плод", "orchard", "сад$", "сады$",
              "садов", "bog$", "boglar"),
    "vegetables": ("vegetabl", "овощ", "sabzavot", "көкөніс", "produce$"),
    "apples": ("apple", "яблок", "яблон", "olma", "алма$", "aport", "апорт", "golden delicious",
               "голден", "ренет"),
    "tomatoes": ("tomato", "томат", "помидор", "pomidor", "қызанақ"),
    "cucumbers": ("cucumber", "огур", "bodring", "қияр"),
    "potatoes": ("potato", "картоф", "картоп", "kartoshka", "kartoshk", "mini-tuber", "миниклубн",
                 "мини-клубн", "tuber"),
    "onions": ("onion", "лук$", "лука$", "луку$", "луковиц", "piyoz"),
    "melons": ("melon", "дын", "qovun", "арбуз", "watermelon", "tarvuz", "қауын"),
    "grapes": ("grape", "виноград", "uzum$", "uzumi", "vineyard", "жүзім"),
    "pomegranates": ("pomegranat", "гранат", "anor$", "anorlar", "anordan"),
    "stone fruit": ("apricot", "абрикос", "orik$", "oriklar", "cherry", "cherri", "черешн", "вишн",
                    "gilos", "olcha", "peach", "персик", "shaftoli", "plum$", "plums$", "слив$", "olxo"),
    "dried fruit": ("dried fruit", "dried apricot", "сухофрукт", "курага", "кураг", "изюм", "raisin",
                    "кишмиш", "mayiz", "quritilgan meva", "урюк", "prune", "чернослив", "quruq meva"),
    "nuts": ("walnut", "грецк", "орех", "yongoq", "almond", "миндал", "bodom", "pistachio", "фисташ",
             "pista$", "nut$", "nuts$", "kernel", "ядро", "жаңғақ"),
    "berries": ("berry", "berries", "ягод", "raspberr", "малин", "strawberr", "клубник", "qulupnay",
                "currant", "смородин", "rezavor", "malina"),
    "juice": ("juice", "сок$", "сока$", "соки$", "соков$", "sharbat", "nfc$", "juice concentrate",
              "apple concentrate", "fruit concentrate", "шырын"),
    "tomato paste": ("tomato paste", "томатн паст", "томат-паст", "pomidor pasta", "pomidor pastasi",
                     "tomat pasta", "tomat pastasi"),
    "canned food": ("canned", "cannery", "canneri", "canning", "консерв", "konserv", "preserv", "pickle",
                    "маринов", "solen", "соленья", "lecho", "лечо", "компот", "kompot"),
    "seeds": ("seed$", "seeds$", "seedlot", "семен", "семян", "urug", "тұқым", "elite seed", "суперэлит",
              "super-elite", "элитн"),
    "seedlings": ("seedling", "рассад", "саженц", "kochat", "sapling", "nursery", "питомник", "rootstock",
                  "подвой", "подвое"),
    "fertilizers": ("fertiliz", "fertilis", "удобрен", "ogit", "тыңайтқыш", "npk$", "аммофос", "ammophos",
                    "urea$", "карбамид", "селитр", "ammonium", "аммиак", "ammonia", "fertigat"),
    "irrigation": ("irrigat", "орошен", "ирригац", "полив", "sugorish", "sugoris", "суару", "water-saving",
                   "водосбер", "suv tejovchi"),
    "drip irrigation": ("drip", "капельн", "tomchilat", "tomchi$", "emitter", "эмиттер", "капельниц"),
    "greenhouses": ("greenhouse", "теплиц", "тепличн", "issiqxona", "жылыжай", "polycarbonat",
                    "поликарбонат", "hydropon", "гидропон", "speed breeding"),
    "farm machinery": ("tractor", "трактор", "traktor", "combine$", "combines$", "комбайн", "kombayn",
                       "seeder", "сеялк", "baler", "пресс-подбор", "presspodbor", "harvester", "cotton picker",
                       "paxta terish", "plough", "плуг", "cultivator", "культиватор", "farm machinery",
                       "agricultural machinery", "сельхозтехник", "qishloq xojaligi texnika"),
    "drones": ("drone", "дрон", "uav$", "бпла", "dron$", "dronlar", "unmanned"),
    "software & IT": ("software", "программн", "dasturiy", "dastur", "saas$", "1c$", "iot$", "gis$", "app$",
                      "mobile app", "digital", "цифров", "raqamli", "localiz", "локализ", "lokalizats",
                      "outsourc", "аутсорс", "web$", "developer", "разработ"),
    "laboratory testing": ("laborator", "лаборатор", "lab$", "analysis", "анализ", "tahlil", "testing",
                           "испытан", "salinity", "засолен", "shorlan", "soil test", "sample", "образц"),
    "crop protection": ("pesticid", "пестицид", "herbicid", "гербицид", "spraying", "опрыск", "sprayer",
                        "биоагент", "bioagent", "entomophag", "энтомофаг", "plant protection",
                        "защиты растен", "himoya", "insecticid", "инсектицид", "bumblebee", "шмел"),
    "wheat & grain": ("wheat", "пшениц", "bugdoy", "бидай", "grain", "зерн", "don$", "barley", "ячмен",
                      "arpa$", "corn$", "maize", "кукуруз", "makkajoxori", "chickpea", "нут$", "noxat",
                      "mung$", "маш$", "mosh$"),
    # --- food processing -------------------------------------------------------------------------------
    "flour": ("flour", "мука$", "муки$", "муку$", "мукой", "мучн", "un$", "unni", "ұн$", "bran$", "отруб",
              "kepak", "milling", "мукомол", "mill$"),
    "bakery": ("bakery", "bakeri", "bread", "хлеб", "пекар", "выпеч", "non$", "нан$", "pastry", "pastries",
               "biscuit", "печень", "tandir", "tandyr", "тандыр", "pasta$", "макарон", "makaron"),
    "confectionery": ("confection", "кондитер", "konditer", "sweets", "сладост", "shirinlik", "candy",
                      "конфет", "konfet", "халва", "halva", "козинак", "chocolate", "шоколад"),
    "meat": ("meat", "мяс", "gosht", "ет$", "beef", "говядин", "lamb$", "баранин", "mutton", "sausage",
             "колбас", "kolbasa", "казы$", "carcass", "туш", "halal", "халал", "slaughter", "убой"),
    "poultry & eggs": ("poultry", "птиц", "parranda", "egg$", "eggs$", "яйц", "яиц", "tuxum", "broiler",
                       "бройлер", "chicken", "курин", "tovuq"),
    "fish": ("fish", "рыб", "baliq", "trout", "форел", "carp$", "карп", "sturgeon", "осетр",
             "aquacultur", "аквакульт"),
    "vegetable oil": ("sunflower", "подсолн", "kungaboqar", "oil$", "oils$", "масло$", "масла$",
                      "растительн масл", "yog$", "yogi$", "cottonseed oil", "хлопков масл", "olive"),
    "sugar": ("sugar", "сахар", "shakar", "қант"),
    "beverages": ("beverage", "напит", "ichimlik", "soft drink", "mineral water", "минеральн вод",
                  "drinking water", "питьев вод", "lemonade", "лимонад", "iced tea"),
    "sorting & packing lines": ("sorting", "сортиров", "saralash", "optical sort", "grader", "калибров",
                                "washing line", "packing line", "фасов", "qadoqlash liniyasi", "filling machine",
                                "розлив", "fill-seal"),
    "machinery & equipment": ("equipment", "оборудован", "uskuna", "machine", "станок", "станк", "stanok",
                              "dastgoh", "processing line", "production line", "линия", "линию", "liniya",
                              "liniyasi"),
    # --- textiles ---------------------------------------------------------------------------------------
    "cotton": ("cotton", "хлоп", "xlop", "paxta", "мақта", "linter", "линт", "ginner", "джин"),
    "yarn": ("yarn", "пряж", "ip$", "iplar", "ipi$", "ipni$", "spinning", "spun$", "ring-spun", "прядил",
             "пряден", "yigiruv", "иірімжіп", "ne 30", "ne 20"),
    "knitted fabric": ("knitted fabric", "jersey", "трикотажн полотн", "кулирк", "футер", "interlock",
                       "интерлок", "trikotaj mato", "greige", "суров"),
    "fabric": ("fabric", "ткан", "mato$", "matolar", "matosi", "полотн", "textile", "текстил", "toqimachilik",
               "тоқыма", "denim", "деним"),
    "knitwear & garments": ("knitwear", "knitted", "трикотаж", "trikotaj", "garment", "apparel", "clothing",
                            "одежд", "kiyim", "t-shirt", "tshirt", "футболк", "futbolka", "hoodie", "худи",
                            "polo$", "workwear", "спецодежд", "uniform", "униформ", "школьн форм",
                            "maktab formasi", "sewing", "пошив", "швейн", "швей", "tikuv", "тігін", "cmt$",
                            "private-label sewing", "tailoring"),
    "wool & felt": ("wool", "шерст", "jun$", "junli", "жүн", "felt$", "войлок", "войлоч", "kigiz", "кийіз",
                    "кошма", "shyrdak", "шырдак"),
    "silk": ("silk", "шелк", "шёлк", "ipak", "жібек"),
    "dyes & chemicals": ("dye$", "dyes$", "dyeing", "dyestuff", "краситель", "красител", "крашен", "boyoq",
                         "auxiliar", "textile chemical", "химия для"),
    "crafts & souvenirs": ("embroider", "вышив", "kashta", "suzani", "сюзане", "souvenir", "сувенир",
                           "suvenir", "handicraft", "handmade", "ремесл", "hunarmand", "craft", "ceramic",
                           "керамик", "kulolchilik", "pottery", "гончар"),
    "hides & leather": ("hide$", "hides$", "шкур", "teri$", "terisi", "leather", "кож", "charm$"),
    # --- construction ----------------------------------------------------------------------------------
    "cement": ("cement", "цемент", "sement", "cem$", "цем$", "портландцемент", "клинкер", "clinker"),
    "bricks": ("brick", "кирпич", "gisht", "кірпіш", "kirpich"),
    "gypsum & plaster": ("gypsum", "гипс", "gips", "plaster", "штукатур", "suvoq", "алебастр"),
    "drywall": ("drywall", "plasterboard", "gypsum board", "гипсокартон", "gipsokarton", "гкл$",
                "sheetrock"),
    "dry mixes": ("dry mix", "сухие смеси", "сухих смесей", "сухие строительн", "quruq aralash", "mortar",
                  "раствор", "tile adhesive", "плиточн кле"),
    "glass": ("glass", "стекл", "shisha", "float$", "флоат"),
    "windows": ("window", "окон", "окна$", "окно$", "deraza", "стеклопакет", "steklopaket", "igu$",
                "insulated glass", "glazing", "остеклен", "facade", "фасад"),
    "insulation": ("insulation", "insulat", "изоляц", "утепл", "теплоизол", "izolyats", "mineral wool",
                   "минеральн ват", "минвата", "issiqlik izolyatsiya"),
    "steel & metal": ("steel", "сталь", "стали$", "стальн", "polat", "metal", "металл", "metall", "прокат",
                      "prokat", "rebar", "арматур", "armatura", "pipe$", "pipes$", "труба", "трубы", "трубу",
                      "quvur", "profile pipe", "профильн труб"),
    "steel structures": ("steel structure", "металлоконструкц", "metall konstruktsiya", "sandwich panel",
                         "сэндвич", "sendvich", "prefabricated", "быстровозвод", "hangar", "ангар"),
    "concrete & blocks": ("concrete", "бетон", "beton", "aerated", "газобетон", "газоблок", "block$",
                          "blocks$", "блок$", "блоки", "bloklar", "paving", "брусчат", "тротуарн"),
    "timber": ("timber", "lumber", "wood$", "wooden", "древесин", "лесоматериал", "пиломатериал", "yogoch",
               "taxta", "plywood", "фанер"),
    "construction works": ("construction", "строительств", "qurilish", "builder", "contractor", "подрядчик",
                           "pudratchi", "turnkey", "под ключ", "epc$", "монтаж", "montaj", "installation",
                           "o'rnatish"),
    # --- energy ----------------------------------------------------------------------------------------
    "solar power": ("solar", "солнечн", "quyosh", "photovolt", "фотоэлектр", "фотовольт", "pv$", "сэс$",
                    "irradiation", "инсоляц", "күн электр"),
    "batteries & inverters": ("battery", "batteries", "аккумулятор", "batareya", "akkumulyator", "inverter",
                              "инвертор", "invertor", "energy storage", "накопител"),
    "electricity": ("electricity", "электроэнерг", "elektr", "power plant", "электростанц", "grid$",
                    "power purchase", "kv$", "mw$", "мвт$", "квт$", "megawatt"),
    "gas & LPG": ("lpg$", "propane", "пропан", "propan", "butane", "бутан", "spbt", "спбт", "suyultirilgan",
                  "autogas", "автогаз", "gas$", "газ$", "газа$", "gaz$", "gas cylinder", "газов"),
    "sulphur": ("sulphur", "sulfur", "сера$", "серы$", "серу$", "oltingugurt", "күкірт"),
    "biogas & manure": ("biogas", "биогаз", "manure", "навоз", "gong$", "goʻng", "litter", "помет",
                        "organic fertil", "органическ удобр", "bioqurilma"),
    "energy efficiency": ("energy-saving", "energy saving", "энергосбер", "energy audit", "энергоаудит",
                          "energiya tejash", "heat pump", "тепловой насос"),
    # --- logistics -------------------------------------------------------------------------------------
    "refrigerated transport": ("reefer", "refrigerat", "рефриж", "refrijerat", "изотерм", "temperature-contr",
                               "cold chain", "холодильн транспорт", "sovutgichli", "sovutkichli"),
    "cold storage": ("cold storag", "cold room", "cold warehouse", "cold store", "холодильн", "холодильник",
                     "sovutgich", "sovutkich", "muzlatgich", "морозил", "frozen storag", "freezer", "ulo$",
                     "ca storage", "controlled-atmosphere", "овощехранилищ", "картофелехранилищ",
                     "fruit storag"),
    "warehousing": ("warehouse", "склад", "ombor", "қойма", "storage", "хранени", "хранилищ", "saqlash",
                    "consignment", "bonded", "cross-dock", "кросс-док"),
    "road freight": ("truck", "грузовик", "фура", "фуры$", "фурами", "yuk mashina", "freight", "грузоперевоз",
                     "перевоз", "tashish", "transport", "транспорт", "logistic", "логист", "haulage",
                     "trucking", "backhaul", "return cargo", "попутн", "cargo", "груз", "yuk$", "yuklar",
                     "forwarding", "экспедир", "ekspeditor"),
    "rail & containers": ("rail$", "railway", "rail freight", "железнодорож", "жд$", "вагон", "wagon", "vagon",
                          "temir yol", "container", "контейнер", "konteyner", "terminal", "терминал",
                          "hopper", "хоппер", "tank car", "цистерн", "sisterna", "teu$"),
    "customs & certification": ("customs", "тамож", "bojxona", "брокер", "brokerage", "certific", "сертифик",
                                "sertifik", "phytosanitar", "фитосанитар", "eaeu", "еаэс", "tir$", "permit",
                                "разрешен", "ruxsat"),
    # --- tourism -------------------------------------------------------------------------------------
    "tours & travel": ("tour$", "tours$", "touris", "tour operator", "туроператор", "turoperator", "тур$",
                       "туры$", "туров", "турист", "turist", "travel", "путешеств", "sayohat", "sayyoh",
                       "itinerar", "маршрут", "dmc$", "inbound", "excursion", "экскурс", "ekskursiya",
                       "trekking", "трекинг", "guide", "гид$", "гиды", "gid$", "саяхат"),
    "hotels": ("hotel", "гостиниц", "отел", "mehmonxona", "mexmonxona", "guest house", "guesthouse",
               "гостев", "homestay", "мехмонхона", "yurt camp", "hostel", "хостел", "resort", "курорт",
               "номер", "accommodation", "размещен", "qonaq"),
    "events & exhibitions": ("conference", "конференц", "konferensiya", "mice$", "exhibition", "выставк",
                             "korgazma", "trade fair", "ярмарк", "event", "мероприят", "tadbir", "b2b$",
                             "business mission", "бизнес-миссия", "delegation", "делегац"),
    "heritage": ("heritage", "наследи", "unesco", "юнеско", "meros", "historic", "историческ", "tarixiy",
                 "palace", "дворец", "saroy", "ak-saray", "ак-сарай", "museum", "музей", "muzey"),
    # --- trade and finance ---------------------------------------------------------------------------
    "distribution & wholesale": ("distribut", "дистриб", "distribyutor", "wholesale", "опт$", "оптов", "ulgurji",
                                 "retail", "розничн", "chakana", "supermarket", "супермаркет", "торгов сет",
                                 "dealer", "дилер", "diler", "marketplace", "маркетплейс", "horeca"),
    "import & export": ("export", "экспорт", "eksport", "import", "импорт", "trade house", "торговый дом",
                        "savdo uyi"),
    "investment": ("invest", "инвест", "sarmoya", "co-invest", "соинвест", "equity", "venture", "mezzanine",
                   "joint venture", "совместн предприят", "qoshma korxona", "sponsor", "bankable", "ppp$",
                   "гчп$", "feasibility", "тэо$"),
    "loans & banking": ("loan", "кредит", "kredit", "lending", "lender", "finance", "financing", "финанс",
                        "moliya", "bank$", "banks$", "банк$", "банков", "bank-", "letter of credit",
                        "аккредитив", "guarantee", "гаранти"),
    "leasing": ("leasing", "лизинг", "lizing", "lease$", "on lease"),
    "industrial sites": ("industrial park", "industrial plot", "промзон", "индустриальн парк", "sanoat zona",
                         "sanoat park", "land plot", "земельн участ", "site$", "площадк", "maydon"),
}


@dataclass(frozen=True, slots=True)
class _Compiled:
    prefix: Mapping[str, frozenset[str]]  # one-word stems matched as prefixes
    exact: Mapping[str, frozenset[str]]  # one-word stems that must match the whole word
    lengths: tuple[int, ...]  # distinct prefix lengths, longest first
    bigram_first: Mapping[str, tuple[tuple[str, frozenset[str]], ...]]  # first stem -> (second stem, concepts)
    first_lengths: tuple[int, ...]


@dataclass(slots=True)
class Lexicon:
    """A compiled lexicon. Word results are memoised per instance: build one per vectorizing run."""

    compiled: _Compiled
    _memo: dict[str, tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]] = field(default_factory=dict)

    def concepts(self, words: Sequence[str]) -> list[str]:
        """The concepts named in a sequence of normalized words, in order of appearance."""
        found: list[str] = []
        memo = self._memo
        for i, word in enumerate(words):
            hit = memo.get(word)
            if hit is None:
                hit = memo[word] = self._lookup(word)
            single, seconds = hit
            found.extend(single)
            if seconds and i + 1 < len(words):
                nxt = words[i + 1]
                for second, concepts in seconds:
                    if nxt.startswith(second):
                        found.extend(concepts)
        return found

    def _lookup(self, word: str) -> tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]:
        c = self.compiled
        single = c.exact.get(word, frozenset())
        if not single:
            for length in c.lengths:  # longest first: the most specific stem wins
                if length <= len(word):
                    hit = c.prefix.get(word[:length])
                    if hit:
                        single = hit
                        break
        seconds: list[tuple[str, frozenset[str]]] = []
        for length in c.first_lengths:
            if length <= len(word):
                seconds.extend(c.bigram_first.get(word[:length], ()))
        return single, tuple(seconds)


def compile_lexicon(concepts: Mapping[str, Iterable[str]], normalize: Callable[[str], list[str]]) -> Lexicon:
    """Compile concept -> stems into a matcher; ``normalize`` turns a stem into normalized words."""
    prefix: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    bigram: dict[str, dict[str, set[str]]] = {}
    for concept, stems in concepts.items():
        for stem in stems:
            whole = stem.endswith("$")
            words = normalize(stem.rstrip("$"))
            if not words:
                continue
            if len(words) == 1:
                (exact if whole else prefix).setdefault(words[0], set()).add(concept)
            else:  # two-word stems: the first two normalized words must follow each other
                bigram.setdefault(words[0], {}).setdefault(words[1], set()).add(concept)
    compiled = _Compiled(
        prefix={k: frozenset(v) for k, v in prefix.items()},
        exact={k: frozenset(v) for k, v in exact.items()},
        lengths=tuple(sorted({len(k) for k in prefix}, reverse=True)),
        bigram_first={k: tuple((s, frozenset(c)) for s, c in sorted(v.items())) for k, v in bigram.items()},
        first_lengths=tuple(sorted({len(k) for k in bigram}, reverse=True)),
    )
    return Lexicon(compiled)
