"""A synthetic forum with planted partners, for evaluating and benchmarking the matcher. Pure and seeded.

Two delegations (Almaty Region, Kazakhstan / Kashkadarya Region, Uzbekistan). Each company offers one or
two catalogue items and needs one or two; what it needs mostly follows its value chain (a dairy needs
films, cultures, milk), sometimes not. Each item is written in English, Russian or Uzbek, in one of
several synonymous wordings chosen independently for every mention, so a need and the matching offer
rarely share the same string, often not the same language. Distractors are built in:
- competitors: many companies of a sector offer neighbouring items with shared words ("stretch film" vs
  "barrier film" vs "greenhouse film", "cotton yarn" vs "cotton fibre");
- needs that name the company's own product ("buyers wanted for our cement");
- boilerplate in every language ("reliable partner", "ISO 9001", "delivery across Central Asia");
- complementary companies of the same delegation, which are *not* planted partners (the forum is for
  meetings across the border).

Planted partners: a and b (different delegations) where a needs an item b offers, or the reverse.
The wordings below were written as a buyer or seller would, not from the lexicon, and many are not
covered by it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from forum.matching.types import Profile

ALMATY = ("Almaty Region (Kazakhstan)", "Kazakhstan")
KASHKADARYA = ("Kashkadarya Region (Uzbekistan)", "Uzbekistan")


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    makers: tuple[str, ...]  # sectors of companies that offer it
    users: tuple[str, ...]  # sectors of companies that need it
    en: tuple[str, ...]
    ru: tuple[str, ...]
    uz: tuple[str, ...]


def _item(key: str, makers: str, users: str, en: str, ru: str, uz: str) -> Item:
    return Item(key, tuple(makers.split()), tuple(users.split()), tuple(en.split(" | ")),
                tuple(ru.split(" | ")), tuple(uz.split(" | ")))


CATALOGUE: tuple[Item, ...] = (
    # packaging
    _item("barrier-film", "packaging industry", "dairy food-processing",
          "multilayer barrier film for milk and juice | co-extruded packaging film for liquid dairy"
          " | flexible laminated film rolls for form-fill-seal machines",
          "многослойная барьерная плёнка для молока | упаковочная пленка для молочной продукции"
          " | ламинированная плёнка в рулонах для фасовочных автоматов",
          "sut uchun ko'p qatlamli plyonka | suyuq mahsulotlar uchun qadoqlash plyonkasi"),
    _item("stretch-film", "packaging", "logistics trade food-processing",
          "stretch wrap for pallets | pallet stretch film | shrink film for bottled water packs",
          "стрейч-плёнка для паллет | термоусадочная плёнка для групповой упаковки",
          "paddonlar uchun strech plyonka | termo kirishuvchi plyonka"),
    _item("greenhouse-film", "packaging industry", "agriculture fruit-vegetables",
          "UV-stabilised greenhouse film | agricultural film for low tunnels | mulch film for vegetable fields",
          "тепличная плёнка с УФ-стабилизатором | агроплёнка для тоннельных укрытий",
          "issiqxona uchun plyonka | tunnel uchun qishloq xo'jalik plyonkasi"),
    _item("corrugated-boxes", "packaging", "fruit-vegetables food-processing",
          "corrugated cardboard boxes for fruit | five-layer corrugated cartons | die-cut trays for apples and grapes",
          "гофрокороба для фруктов | гофрированные картонные ящики для экспорта | пятислойная гофротара",
          "mevalar uchun karton qutilar | gofrokarton qutilar"),
    _item("plastic-crates", "packaging", "fruit-vegetables agriculture",
          "reusable plastic harvest crates | stackable plastic crates for vegetables | HDPE field bins",
          "пластиковые ящики для урожая | многооборотные ящики для овощей",
          "plastik yashiklar | hosil uchun plastik yashik"),
    _item("glass-jars", "packaging industry", "food-processing",
          "glass jars with twist-off lids | glass containers for preserves | 0.5 and 1 litre jars for canning",
          "стеклянные банки под твист-офф | стеклотара для консервации",
          "shisha bankalar | konserva uchun shisha idishlar"),
    _item("pet-preforms", "packaging", "food-processing",
          "PET preforms for water bottles | bottle preforms with 1881 neck | injection-moulded PET blanks",
          "ПЭТ-преформы для бутылок | преформы для питьевой воды",
          "PET preformalar | ichimlik suvi idishlari uchun preforma"),
    _item("pp-bags", "packaging", "food-processing agriculture",
          "woven polypropylene sacks | 50 kg PP bags for flour and sugar | big bags for bulk cargo",
          "полипропиленовые мешки | тканые мешки для муки | мешки биг-бэг",
          "polipropilen qoplar | un uchun qoplar"),
    _item("polymer-granules", "industry trade energy", "packaging industry",
          "LLDPE and HDPE granules | film-grade polyethylene | polymer pellets for extrusion",
          "гранулы полиэтилена | полиэтилен высокого давления в гранулах",
          "polietilen granulalar | polimer xomashyo"),
    # dairy and livestock
    _item("raw-milk", "agriculture dairy", "dairy food-processing",
          "fresh raw cow milk | chilled raw milk from our farms | farm milk, 20 t a day",
          "сырое коровье молоко | охлаждённое молоко-сырьё",
          "xom sigir suti | sovutilgan sut"),
    _item("starter-cultures", "technology dairy", "dairy food-processing",
          "freeze-dried starter cultures for yoghurt | DVS cultures for kefir and cheese | dairy ferments and probiotics",
          "закваски прямого внесения | сухие закваски для кефира и йогурта",
          "qatiq uchun ivitqi | sut mahsulotlari uchun achitqilar"),
    _item("cheese", "dairy", "trade food-processing tourism",
          "brined white cheese | hard and semi-hard cheese | mozzarella for pizzerias",
          "рассольный сыр | твёрдые сыры",
          "tuzlangan pishloq | qattiq pishloq"),
    _item("heifers", "agriculture", "dairy agriculture",
          "pregnant dairy heifers | breeding Holstein heifers | in-calf heifers of dairy breeds",
          "стельные нетели молочных пород | племенные тёлки голштинской породы",
          "bo'g'oz g'unajinlar | naslli sut yo'nalishidagi sigirlar"),
    _item("cattle-feed", "agriculture food-processing", "dairy agriculture",
          "compound feed for dairy cows | alfalfa hay in bales | cattle feed concentrates",
          "комбикорм для КРС | прессованное сено люцерны",
          "qoramol uchun omuxta yem | beda pichani"),
    _item("dairy-equipment", "technology industry", "dairy",
          "UHT processing line | milk pasteurisation equipment | cheese vats and dairy tanks",
          "оборудование для пастеризации молока | линия UHT",
          "sut qayta ishlash uskunalari | pasterizatsiya liniyasi"),
    # fruit and vegetables
    _item("apples", "fruit-vegetables agriculture", "trade food-processing",
          "fresh apples from controlled-atmosphere storage | Aport and Golden apples | table apples in bulk",
          "свежие яблоки | яблоки сорта апорт и голден",
          "yangi olma | sovutgichda saqlangan olmalar"),
    _item("early-vegetables", "fruit-vegetables agriculture", "trade",
          "early field tomatoes and cucumbers | off-season fresh vegetables | greenhouse tomatoes",
          "ранние томаты и огурцы | свежие овощи в межсезонье",
          "erta pomidor va bodring | yangi sabzavotlar"),
    _item("onions", "fruit-vegetables agriculture", "trade food-processing",
          "yellow and red onions | bulb onions in mesh bags | storage onions",
          "лук репчатый | репчатый лук в сетках",
          "piyoz | sariq va qizil piyoz"),
    _item("seed-potatoes", "agriculture technology", "agriculture fruit-vegetables",
          "elite seed potatoes | virus-free mini-tubers | certified seed potato",
          "элитный семенной картофель | мини-клубни картофеля",
          "urug'lik kartoshka | elita kartoshka urug'i"),
    _item("melons", "fruit-vegetables agriculture", "trade",
          "sweet melons and watermelons | late-season melons | Gulabi melons",
          "дыни и арбузы | поздние сорта дынь",
          "qovun va tarvuz | kechki qovunlar"),
    _item("pomegranates", "fruit-vegetables", "food-processing trade",
          "fresh pomegranates | pomegranate fruit for juicing | pomegranates for processing",
          "свежий гранат | гранаты для переработки на сок",
          "anor | sharbat uchun anor"),
    _item("dried-fruit", "food-processing fruit-vegetables", "trade food-processing",
          "dried apricots and raisins | sun-dried fruit | raisins and prunes",
          "курага и изюм | сухофрукты",
          "quritilgan o'rik va mayiz | quruq mevalar"),
    _item("walnuts", "agriculture food-processing", "food-processing trade",
          "walnut kernels | shelled walnuts and almonds | nut kernels",
          "ядро грецкого ореха | очищенный грецкий орех и миндаль",
          "yong'oq mag'zi | bodom va yong'oq"),
    _item("tomato-paste", "food-processing", "food-processing trade",
          "tomato paste 28-30% Brix in aseptic drums | concentrated tomato puree | tomato concentrate",
          "томатная паста в асептических бочках | томатный концентрат",
          "pomidor pastasi | tomat pastasi"),
    _item("juice-concentrate", "food-processing", "food-processing trade",
          "apple juice concentrate | concentrated apple juice 70 Brix | apple concentrate for beverages",
          "концентрированный яблочный сок | яблочный концентрат",
          "olma sharbati konsentrati | konsentrlangan olma sharbati"),
    # farm inputs and services
    _item("drip-irrigation", "technology agriculture", "agriculture fruit-vegetables",
          "drip irrigation systems | drip tape and emitters | water-saving irrigation equipment",
          "системы капельного орошения | капельная лента",
          "tomchilatib sug'orish tizimlari | tomchilatib sug'orish uskunalari"),
    _item("fertilizers", "industry", "agriculture fruit-vegetables",
          "NPK fertilizers | mineral fertilizers | ammonium nitrate and urea",
          "минеральные удобрения | комплексные удобрения NPK",
          "mineral o'g'itlar | azotli o'g'it"),
    _item("vegetable-seeds", "technology agriculture", "agriculture fruit-vegetables",
          "hybrid vegetable seeds | F1 onion and carrot seeds | vegetable seed genetics",
          "семена гибридных овощей | семена лука и моркови",
          "sabzavot urug'lari | duragay urug'lar"),
    _item("greenhouses", "technology construction-materials", "agriculture fruit-vegetables",
          "turnkey greenhouse construction | Dutch-type greenhouses | greenhouse climate control systems",
          "строительство теплиц под ключ | тепличные комплексы",
          "issiqxona qurilishi | zamonaviy issiqxonalar"),
    _item("drones", "technology", "agriculture",
          "crop spraying drones | agricultural UAV services | drone field mapping",
          "агродроны для опрыскивания | услуги дронов для полей",
          "qishloq xo'jalik dronlari | dron bilan ishlov berish"),
    _item("farm-machinery", "industry trade", "agriculture",
          "tractors and combine harvesters | farm machinery | seeders and balers",
          "тракторы и комбайны | сельхозтехника",
          "traktor va kombaynlar | qishloq xo'jalik texnikasi"),
    _item("soil-lab", "technology", "agriculture",
          "soil and leaf analysis | laboratory testing of soil salinity | agrochemical lab services",
          "анализ почвы | лабораторные исследования почв",
          "tuproq tahlili | tuproq sho'rlanishini tekshirish"),
    # logistics
    _item("cold-storage", "logistics", "fruit-vegetables dairy",
          "cold storage for fruit | refrigerated warehouse space | CA cold rooms for rent",
          "холодильный склад для фруктов | аренда холодильных камер",
          "mevalar uchun sovutgichli ombor | sovutgich ombori ijarasi"),
    _item("reefer-transport", "logistics", "fruit-vegetables dairy food-processing",
          "refrigerated trucking | reefer transport to Almaty | temperature-controlled road freight",
          "рефрижераторные перевозки | перевозка в рефрижераторах",
          "refrijerator yuk mashinalari | sovutgichli transport"),
    _item("rail-forwarding", "logistics", "trade industry construction-materials",
          "rail freight forwarding | container rail transport | wagon dispatch and rail logistics",
          "железнодорожные перевозки в контейнерах | экспедирование грузов по железной дороге",
          "temir yo'l orqali yuk tashish | konteyner tashish"),
    _item("customs-brokerage", "logistics trade", "trade",
          "customs brokerage | customs clearance and certification | EAEU certification support",
          "таможенное оформление | услуги таможенного брокера",
          "bojxona rasmiylashtiruvi | bojxona xizmatlari"),
    # textiles
    _item("cotton-fibre", "agriculture textiles", "textiles",
          "raw cotton fibre | medium-staple cotton lint | ginned cotton",
          "хлопковое волокно | хлопок-волокно средневолокнистый",
          "paxta tolasi | o'rta tolali paxta"),
    _item("cotton-yarn", "textiles", "textiles",
          "combed cotton yarn | ring-spun yarn Ne 30/1 | cotton yarn for knitting",
          "хлопчатобумажная пряжа | кардная пряжа для трикотажа",
          "paxta ip | trikotaj uchun ip kalava"),
    _item("knitted-fabric", "textiles", "textiles",
          "single jersey knitted fabric | knitted fabric rolls | interlock and fleece fabric",
          "трикотажное полотно кулирка | футер и интерлок",
          "trikotaj mato | kulirka mato"),
    _item("garment-sewing", "textiles", "textiles trade",
          "contract sewing of workwear | CMT garment manufacturing | private-label T-shirts and uniforms",
          "пошив спецодежды на заказ | швейное производство по давальческой схеме",
          "maxsus kiyim tikish | buyurtma asosida tikuvchilik"),
    _item("wool-felt", "agriculture textiles", "textiles tourism",
          "washed sheep wool | sheep and camel wool | greasy wool in bales",
          "мытая овечья шерсть | немытая овечья шерсть",
          "yuvilgan qo'y juni | qo'y juni"),
    _item("textile-dyes", "industry", "textiles",
          "textile dyes and auxiliaries | reactive dyes for cotton | finishing chemicals for knitwear",
          "красители для текстиля | текстильная химия",
          "to'qimachilik bo'yoqlari | mato uchun bo'yoqlar"),
    # construction
    _item("cement", "construction-materials industry", "construction-materials trade",
          "Portland cement CEM I 42.5 | bulk cement | bagged cement",
          "портландцемент навалом | цемент в мешках",
          "sement | portlandsement"),
    _item("gypsum", "construction-materials", "construction-materials industry",
          "gypsum rock | building plaster | raw gypsum stone",
          "гипсовый камень | строительный гипс",
          "gips toshi | qurilish gipsi"),
    _item("drywall", "construction-materials industry", "construction-materials trade investment",
          "gypsum plasterboard | drywall sheets | plasterboard and dry mixes",
          "гипсокартонные листы | гипсокартон",
          "gipsokarton | gipsokarton listlar"),
    _item("bricks", "construction-materials", "construction-materials investment",
          "ceramic facing bricks | clay bricks | solid red bricks",
          "облицовочный кирпич | керамический кирпич",
          "g'isht | pishgan g'isht"),
    _item("windows", "construction-materials industry", "construction-materials investment",
          "insulated glass units | aluminium windows | double-glazed windows",
          "стеклопакеты | алюминиевые окна",
          "deraza oynalari | alyumin derazalar"),
    _item("rolled-steel", "industry trade", "construction-materials industry",
          "rolled steel and profile pipes | steel sheet and coil | rebar and steel beams",
          "металлопрокат | листовой прокат и профильная труба",
          "po'lat prokat | metall quvurlar"),
    _item("steel-buildings", "industry construction-materials", "logistics agriculture construction-materials",
          "steel buildings for warehouses | sandwich panels | prefabricated metal structures",
          "металлоконструкции для складов | сэндвич-панели",
          "metall konstruksiyalar | sendvich panellar"),
    # energy
    _item("solar-plants", "energy", "energy industry logistics agriculture",
          "turnkey solar power plants | rooftop photovoltaic systems | solar EPC services",
          "солнечные электростанции под ключ | крышные солнечные станции",
          "quyosh elektr stansiyalari | quyosh panellari o'rnatish"),
    _item("lpg", "energy", "energy trade",
          "liquefied petroleum gas | propane-butane in rail tank cars | LPG supply",
          "сжиженный газ пропан-бутан | СУГ в цистернах",
          "suyultirilgan gaz | propan-butan"),
    _item("sulphur", "energy industry", "industry agriculture",
          "granulated technical sulphur | sulphur in bulk | lump sulphur",
          "техническая сера | гранулированная сера",
          "oltingugurt | texnik oltingugurt"),
    _item("biogas", "energy technology", "agriculture dairy",
          "biogas plants for livestock farms | manure-to-energy units | anaerobic digesters",
          "биогазовые установки | переработка навоза в биогаз",
          "biogaz qurilmalari | go'ngdan biogaz olish"),
    # food
    _item("flour", "food-processing", "food-processing trade",
          "premium wheat flour | first-grade baking flour | flour in 50 kg bags",
          "пшеничная мука высшего сорта | мука первого сорта",
          "oliy navli bug'doy uni | birinchi navli un"),
    _item("wheat", "agriculture", "food-processing trade",
          "milling wheat | hard spring wheat grain | food-grade wheat",
          "продовольственная пшеница | зерно пшеницы",
          "bug'doy | oziq-ovqat bug'doyi"),
    _item("sunflower-oil", "food-processing", "food-processing trade",
          "refined sunflower oil | crude sunflower oil | sunflower oil in bulk",
          "подсолнечное масло | растительное масло наливом",
          "kungaboqar yog'i | o'simlik yog'i"),
    _item("meat", "food-processing agriculture", "trade tourism",
          "chilled beef and lamb | halal meat carcasses | frozen beef cuts",
          "охлаждённая говядина | мясо баранины и говядины",
          "mol go'shti | qo'y go'shti"),
    _item("feeder-cattle", "agriculture", "food-processing agriculture",
          "feeder bulls for fattening | live cattle | young bulls 250-350 kg",
          "бычки на откорм | живой скот",
          "boqish uchun buqachalar | tirik qoramol"),
    # tourism
    _item("tours", "tourism", "tourism",
          "inbound tour packages | Silk Road group tours | guided heritage tours",
          "туры по Шёлковому пути | экскурсионные туры",
          "sayohat turlari | ekskursiya xizmatlari"),
    _item("hotels", "tourism", "tourism trade",
          "hotel rooms for groups | 4-star hotel accommodation | guest houses and homestays",
          "гостиничные номера для групп | размещение в гостинице",
          "mehmonxona xonalari | mehmonxonada joylashtirish"),
    # finance and IT
    _item("leasing", "investment", "agriculture industry food-processing",
          "equipment leasing | financial leasing of machinery | agri leasing",
          "лизинг оборудования | финансовый лизинг техники",
          "uskunalar lizingi | texnika lizingi"),
    _item("loans", "investment", "investment industry energy",
          "working capital loans | business loans in USD and soums | investment loans",
          "кредиты на оборотные средства | инвестиционные кредиты",
          "aylanma mablag' kreditlari | investitsiya kreditlari"),
    _item("farm-software", "technology", "agriculture dairy",
          "farm management software | digital farm records app | mobile apps for farmers",
          "программное обеспечение для агробизнеса | автоматизация учёта на фермах",
          "fermerlar uchun dasturiy ta'minot | mobil ilovalar"),
)

_OFFER = {
    "en": ("{}", "We produce {}", "Manufacturer of {}", "{}, up to {q} t per month", "Supplying {} to processors",
           "{} of our own production"),
    "ru": ("{}", "Производство: {}", "{} собственного производства", "Предлагаем: {}", "{}, до {q} т в месяц"),
    "uz": ("{}", "{} ishlab chiqaramiz", "{} yetkazib beramiz", "Taklif: {}", "{}, oyiga {q} tonnagacha"),
}
_NEED = {
    "en": ("We need {}", "Looking for a supplier of {}", "{}, about {q} t a month", "Seeking {} on a long-term contract",
           "Regular purchases of {}", "{}"),
    "ru": ("Ищем поставщика: {}", "Закупаем: {}, около {q} т в месяц", "Потребность: {}", "{} — нужен постоянный поставщик",
           "Требуется {}"),
    "uz": ("{} kerak", "{} yetkazib beruvchi izlaymiz", "Xarid qilamiz: {}", "{} sotib olamiz"),
}
_SELL_OWN = {  # a need that names the company's own product: a distractor for word matching
    "en": ("Buyers for our {} in {country}", "Distributors of {} wanted"),
    "ru": ("Ищем покупателей: {} в стране {country}", "Дистрибьюторы для продукции: {}"),
    "uz": ("{} uchun xaridorlar kerak", "{} bo'yicha distribyutorlar izlaymiz"),
}
_FILLER = {
    "en": ("reliable partner with 15 years of experience", "ISO 9001 certified", "delivery across Central Asia",
           "flexible payment terms", "quality guaranteed", "long-term cooperation welcome",
           "we export to Russia and China", "modern equipment and qualified staff"),
    "ru": ("надёжный партнёр с опытом 15 лет", "сертификат ISO 9001", "доставка по Центральной Азии",
           "гибкие условия оплаты", "гарантия качества", "открыты к долгосрочному сотрудничеству",
           "современное оборудование и опытный персонал"),
    "uz": ("15 yillik tajribaga ega ishonchli hamkor", "ISO 9001 sertifikati", "Markaziy Osiyo bo'ylab yetkazib berish",
           "qulay to'lov shartlari", "sifat kafolati", "uzoq muddatli hamkorlikka tayyormiz"),
}
_DESCRIPTION = {
    "en": "Founded in {year}, {staff} employees. {extra}.",
    "ru": "Компания основана в {year} году, {staff} сотрудников. {extra}.",
    "uz": "{year} yilda tashkil etilgan, {staff} xodim. {extra}.",
}
_CITIES = {
    ALMATY: ("Almaty", "Talgar", "Esik", "Kaskelen", "Konaev", "Shelek", "Uzynagash", "Baiserke", "Kegen"),
    KASHKADARYA: ("Qarshi", "Shahrisabz", "Kitob", "Koson", "G'uzor", "Muborak", "Nishon", "Yakkabog'", "Kasbi"),
}
_NAMES = ("Agro", "Trade", "Invest", "Pack", "Textile", "Food", "Logistics", "Energy", "Build", "Tech")


def _variant(item: Item, language: str, rng: random.Random) -> str:
    return rng.choice(getattr(item, language))


def _text(templates: tuple[str, ...], phrase: str, rng: random.Random, **extra: str) -> str:
    return rng.choice(templates).format(phrase, q=str(rng.choice((5, 20, 40, 100, 300, 1500))), **extra)


def planted_forum(n_companies: int, seed: int, *, filler: float = 0.6, off_chain: float = 0.2,
                  with_truth: bool = True) -> tuple[list[Profile], dict[int, set[int]]]:
    """A forum of ``n_companies`` (ids 1..n) and its planted partners (empty if not ``with_truth``).

    ``filler``: chance of a boilerplate phrase in each text; ``off_chain``: chance that a need is drawn
    from the whole catalogue instead of the company's value chain.
    """
    profiles, needs_of, offers_of = _generate(n_companies, seed, filler, off_chain)
    truth: dict[int, set[int]] = {}
    if with_truth:
        truth = {p.id: set() for p in profiles}
        for a, b in _complementary(needs_of, offers_of):
            if profiles[a].delegation != profiles[b].delegation:
                truth[profiles[a].id].add(profiles[b].id)
                truth[profiles[b].id].add(profiles[a].id)
    return profiles, truth


def complementary_pairs(n_companies: int, seed: int, *, filler: float = 0.6, off_chain: float = 0.2
                        ) -> set[tuple[int, int]]:
    """(a, b) ids of the forum planted_forum(n_companies, seed) builds where a needs an item b offers, in
    either delegation: the pairs of which "a needs what b offers" is true (for judging reasons)."""
    profiles, needs_of, offers_of = _generate(n_companies, seed, filler, off_chain)
    return {(profiles[a].id, profiles[b].id) for a, b in _complementary(needs_of, offers_of)}


def _complementary(needs_of: list[set[str]], offers_of: list[set[str]]) -> list[tuple[int, int]]:
    """(a, b) row pairs, a != b, where a needs an item b offers."""
    makers: dict[str, list[int]] = {}
    for index, keys in enumerate(offers_of):
        for key in keys:
            makers.setdefault(key, []).append(index)
    return sorted({(a, b) for a, keys in enumerate(needs_of) for key in keys for b in makers.get(key, ())
                   if a != b})


def _generate(n_companies: int, seed: int, filler: float, off_chain: float
              ) -> tuple[list[Profile], list[set[str]], list[set[str]]]:
    """The profiles and, per row, the keys of the items each needs and offers."""
    rng = random.Random(seed)
    by_user: dict[str, list[Item]] = {}
    for item in CATALOGUE:
        for sector in item.users:
            by_user.setdefault(sector, []).append(item)

    profiles: list[Profile] = []
    needs_of: list[set[str]] = []
    offers_of: list[set[str]] = []
    for company_id in range(1, n_companies + 1):
        delegation = ALMATY if rng.random() < 0.5 else KASHKADARYA
        kz = delegation is ALMATY
        language = rng.choices(("en", "ru", "uz"), weights=(45, 55, 0) if kz else (40, 30, 30))[0]
        main = rng.choice(CATALOGUE)
        offered = [main]
        if rng.random() < 0.3:  # a second item of the same trade
            same_trade = [i for i in CATALOGUE if set(i.makers) & set(main.makers) and i is not main]
            offered.append(rng.choice(same_trade))
        sectors = list(dict.fromkeys([main.makers[0], *rng.sample(main.makers, k=min(len(main.makers), rng.randint(1, 2)))]))
        needed: list[Item] = []
        for _ in range(1 if rng.random() < 0.6 else 2):
            chain = [i for s in sectors for i in by_user.get(s, ()) if i not in offered and i not in needed]
            pool = chain if chain and rng.random() >= off_chain else [
                i for i in CATALOGUE if i not in offered and i not in needed]
            needed.append(rng.choice(pool))

        # Some write their needs in English even when the rest is Russian or Uzbek.
        need_language = "en" if rng.random() < 0.15 else language
        offer_parts = [_text(_OFFER[language], _variant(i, language, rng), rng) for i in offered]
        need_parts = [_text(_NEED[need_language], _variant(i, need_language, rng), rng) for i in needed]
        if rng.random() < 0.25:
            country = "Uzbekistan" if kz else "Kazakhstan"
            need_parts.append(_text(_SELL_OWN[need_language], _variant(main, need_language, rng), rng,
                                    country=country))
        if rng.random() < filler:
            offer_parts.append(rng.choice(_FILLER[language]))
        if rng.random() < filler:
            need_parts.append(rng.choice(_FILLER[need_language]))
        rng.shuffle(need_parts)
        description = _DESCRIPTION[language].format(
            year=rng.randint(1995, 2022), staff=rng.randint(8, 900),
            extra=rng.choice(_FILLER[language]).capitalize())
        if kz:
            spoken = ["ru"] + (["kk"] if rng.random() < 0.7 else []) + (["en"] if rng.random() < 0.5 else [])
        else:
            spoken = ["uz"] + (["ru"] if rng.random() < 0.8 else []) + (["en"] if rng.random() < 0.4 else [])
        if language not in spoken:
            spoken.append(language)
        if rng.random() < 0.05:
            spoken = []  # some leave it blank
        profiles.append(Profile(
            id=company_id, delegation=delegation[0], country=delegation[1], sectors=tuple(sectors),
            offers="; ".join(offer_parts) + ".", needs="; ".join(need_parts) + ".",
            description=description, languages=tuple(spoken),
        ))
        needs_of.append({i.key for i in needed})
        offers_of.append({i.key for i in offered})
    return profiles, needs_of, offers_of
