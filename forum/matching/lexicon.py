"""A multilingual domain lexicon: surface stems in English, Russian, Uzbek and Kazakh -> concepts.

Profiles at this forum are short and written in three or four languages; the same product is "packaging
film", "упаковочная плёнка" or "qadoqlash plyonkasi". TF-IDF alone cannot see that these are one thing,
so every phrase also gets the concepts its words name, and the vectorizer adds them as a feature block
of their own. The concept names are plain English labels because they double as readable match terms.

Three kinds of entries:
- CONCEPTS name one product, input or service ("raw hides & skins", "tires", "medicinal herbs");
- BROAD ones name a domain ("livestock", "packaging", "logistics"): a text that only shares a domain with
  another is a weak match, so their features weigh TextOptions.broad_weight;
- OPERATORS are the concepts that are inputs or services *for* something (equipment, packaging, feed,
  seeds, transport, software...): in one noun phrase with a product ("milk pasteurisation equipment",
  "семена лука", "cattle feed") the product only says what it is for (see vectorize._modifiers).

Grammar of a stem:
- ``"film"`` matches every word that starts with it (``films``, ``filmy``); Cyrillic stems are
  transliterated when compiled, so ``"плёнк"`` becomes ``plyonk`` and also matches Uzbek ``plyonka``;
  English stems are put in American spelling (``"tyre"`` is ``tire``), as texts are;
- ``"sut$"`` matches the whole word only (Uzbek *sut*, milk, must not match Russian *sutki*, days);
- ``"cold storag"`` (with spaces) matches words that follow each other, each by prefix.
When several single-word stems match a word, the longest wins: ``стеклопакет`` (a window unit) is not
``стекл`` (glass). A stem may be listed under several concepts.

Organizers may extend the table; keep stems at least four letters long unless they end with ``$``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


def _s(text: str) -> tuple[str, ...]:
    """Stems written "a|b|c"."""
    return tuple(s.strip() for s in text.split("|") if s.strip())


# Specific concepts: one product, input or service each.
CONCEPTS: dict[str, tuple[str, ...]] = {
    # --- packaging -------------------------------------------------------------------------------------
    "stretch & shrink film": _s("stretch wrap|stretch film|shrink|стрейч|термоусад|pallet wrap|strech|"
                                "stretch-film|cling film|пищев плёнк|пищев пленк"),
    "barrier film": _s("barrier|барьерн|multilayer|multi-layer|многослойн|kop qatlam|coextru|co-extru|"
                       "соэкструз|laminated film|laminated roll|laminates$|laminate film|ламинированн плёнк|ламинированн пленк|evoh|tie-layer"),
    "greenhouse film": _s("greenhouse film|тепличн плёнк|тепличн пленк|агроплёнк|агропленк|agrofilm|agro-film|"
                          "agricultural film|mulch film|мульчир|uv-stabil|uv stabil|уф-стабил|light-stabil|"
                          "светостабил|polyethylene covering|укрывн|tunnel film|issiqxona plyonka|"
                          "issiqxona plyonkasi|agroplyonka"),
    "corrugated boxes": _s("corrugat|гофр|gofr|cardboard|картон|karton|box$|boxes|короб|quti$|qutilar|qutisi|"
                           "qutilari|tray$|trays$|лоток|лотк|carton$|cartons$|kraftliner|testliner"),
    "plastic crates": _s("crate|ящик|yashik|punnet|clamshell|harvest bin|plastic contain|field bin|bin$|bins$"),
    "pallets": _s("pallet$|pallets$|паллет|поддон|paddon|европоддон|euro pallet"),
    "glass containers": _s("glass jar|jar$|jars$|стеклянн тар|стеклянн банк|стеклотар|стеклобанк|банки$|банка$|"
                           "banka$|bankalar|glass bottle|shisha idish|shisha banka|twist-off|твист|glass packag"),
    "cans & tins": _s("tin can|tin cans|tinplate|tin-plate|жестян|жесть|metal can|aluminum can|консервн банк|"
                      "tunuka|банки жест"),
    "bottles & preforms": _s("bottle|бутыл|butilka|shisha$|preform|преформ|pet$|пэт$|выдувн|blow-mold|"
                             "blow mold|injection-mold blank"),
    "caps & lids": _s("cap$|caps$|closure|lid$|lids$|крышк|qopqoq|пробк|probka"),
    "bags & sacks": _s("bag$|bags$|sack|мешк|мешок|qop$|qoplar|qoplarda|big-bag|биг-бэг|doy-pack|дой-пак|"
                       "пакет|paket|mesh bag"),
    "labels & printing": _s("label$|labels$|labeling|этикет|etiketka|printing|печат|полиграф|poligraf|flexo|"
                            "флексо|sticker|наклейк|printed"),
    "paper & board": _s("paper$|paperboard|бумаг|qogoz|kraft|крафт|макулатур|waste paper|recycled paper|"
                        "recovered paper|tissue paper|cellulose|целлюлоз"),
    "polymer raw materials": _s("polymer|полимер|polimer|polyethyl|полиэтил|polietilen|polypropyl|полипроп|"
                                "pe-100|pe100|pe-80|pe 100|полиэтилентерефталат|polyethylene terephthal|"
                                "polietilentereftalat|pet resin|pet granul|pet chips|пэт гранул|bottle-grade|"
                                "polipropilen|resin|смола$|смолы$|polymer raw|полимерн сырь|plastic granul|"
                                "hdpe|ldpe|lldpe|пнд$|пвд$|pp$|pvc$|пвх$|masterbatch|суперконцентрат|"
                                "film-grade|film grade|pipe grade|injection grade|регранулят|дроблёнк|дробленк|"
                                "вторичн полиэтил|recycled polymer|polymer buyer|xomashyo polimer|polimer xomashyo"),
    # --- dairy -----------------------------------------------------------------------------------------
    "milk & dairy": _s("milk|молок|молоч|sut$|suti$|sutni$|sutli$|sutdan|dairy|uht$|pasteur|пастериз|qaymoq|"
                       "butter|сливоч|сметан|творог|cottage cheese|сүт$|cream$|сливки"),
    "cheese": _s("cheese|сыр$|сыры$|сыров|сырн|pishloq|brynza|брынз|mozzarella|моцарел|ірімшік|сыра$"),
    "starter cultures": _s("starter|заквас|ferment|фермент|rennet|сычуж|cultures$|probiotic|пробиот|ivitqi|"
                           "achitqi|dvs$|mesophil|мезофил|thermophil|термофил|штамм|strains$"),
    "fermented milk": _s("kefir|кефир|yogurt|йогурт|ayran|айран|qatiq|катык|suzma|сузьма|kurt$|курт$|қымыз|"
                         "kumis|кумыс|шұбат|shubat"),
    "ice cream": _s("ice cream|мороженое|мороженого|muzqaymoq|балмұздақ"),
    # --- livestock, poultry, fish ------------------------------------------------------------------------
    "dairy heifers & cows": _s("heifer|нетел|тёлк|телк|dairy cow|дойн коров|молочн коров|молочн пород|gunajin|"
                               "sut sigir|голштин|holstein|simmental|симментал|in-calf|стельн|bogoz|алатауск пород|"
                               "племенн молодняк|breeding stock|naslli"),
    "beef cattle & bulls": _s("bull$|bulls$|бычк|бычок|buqa|buqacha|feeder cattle|feeder bull|fattening|откорм|"
                              "доращиван|live cattle|живой скот|живого скота|живым скот|tirik qoramol|beef cattle|"
                              "мясн пород|aberdeen|абердин|hereford|герефорд|казахск белоголов|young bull"),
    "sheep & goats": _s("овца|овцы|овец|овцам|live sheep|live lamb|ewe$|ewes$|овцемат|ягнят|ягнён|ягнен|qozi$|qozilar|баран$|бараны|"
                        "баранов|echki|goat|коза$|козы$|коз$|karakul|каракул|qorakol|гиссарск|hisor|edilbay|"
                        "эдильбай|қой$|qoy$|qoylar|sheep breed|овцевод|qoychilik"),
    "horses": _s("horse|лошад|конин|жылқы|jilqi|otlar$"),
    "animal feed": _s("мал азығ|жем-шөп|yem-xashak|feed$|feeds$|fodder|корм|yem$|yemi$|ozuqa|hay$|сено|сена$|сенаж|alfalfa|люцерн|beda$|"
                      "premix|премикс|silage|силос|compound feed|комбикорм|жем$|mash$|feed additive|"
                      "кормов добав|protein concentrat|белков концентрат|feed wheat|кормов пшениц|omuxta"),
    "fish feed": _s("fish feed|aquafeed|рыбн корм|комбикорм для рыб|baliq yemi|floating feed|extruded feed|"
                    "extruded aquafeed|плавающ корм"),
    "oilseed meal": _s("oilseed cake|seed cake|cake$|жмых|шрот|shrot|kunjara|expeller|soybean meal|soya meal|"
                       "oilseed meal|cottonseed meal|sunflower meal|соев шрот|подсолнечн шрот|хлопков шрот"),
    "veterinary": _s("veterin|ветерин|vaccin|вакцин|vaksin|vet$|baytar|animal health|immuniz|иммуниз|"
                     "ветпрепарат|vet drug|dewormer|антигельминт|antiparasit|антипаразит|ящур|foot-and-mouth|"
                     "sheep pox|оспа овец|brucell|бруцелл|disease prevention|карантин|quarantine|"
                     "veterinariya"),
    "eggs": _s("egg$|eggs$|яйц|яиц|tuxum|жұмыртқа|table eggs|egg trays"),
    "poultry meat": _s("poultry meat|chicken meat|мясо птиц|мясо бройлер|курин мяс|мясо кур|broiler meat|"
                       "tovuq goshti|chicken fillet|куриное филе|тушки бройлер|broiler carcass"),
    "chicks & hatching eggs": _s("chick$|chicks$|цыплят|day-old|суточн цыпл|joja$|jojalar|hatching egg|"
                                 "инкубацион яйц|parent stock|родительск стад|incubat|инкубат"),
    "live fish": _s("trout|форел|carp$|карп|sturgeon|осетр|live fish|tirik baliq|живая рыба|живой рыб|"
                    "frozen fish|мороженая рыба|fish fillet|silver carp|толстолоб|pike-perch|судак|"
                    "muzlatilgan baliq|fresh fish|свежая рыба|chilled fish|amur$|сазан"),
    "fish fry & fingerlings": _s("fry$|fingerling|малёк|мальк|малек|chavoq|молодь|hatchery|рыбопитомник|"
                                 "рыбопосадоч|zarodish baliq"),
    "pond aeration": _s("aerator|аэратор|aeration|аэрац|oxygenat|оксиген"),
    # --- raw hides, leather, wool, silk -----------------------------------------------------------------
    "raw hides & skins": _s("hide$|hides$|шкур|raw skins|sheepskin|овчин|pelt$|pelts$|teri$|terisi|terilar|"
                            "мокросол|wet-salted|wet salted|wet blue|wet-blue|вет-блю|mo'yna|moyna|fur$|furs$|"
                            "пушнин|хом тери|xom teri|karakul pelt"),
    "leather": _s("leather|кож$|кожа$|кожи$|кожу$|кожей|кожан|кожевен|charm$|tanning|tanner|дублен|дубильн|"
                  "finished leather|выделанн кож|тері$"),
    "footwear": _s("footwear|shoe$|shoes$|обув|poyabzal|аяқ киім|boots$|сапог|etik$"),
    "wool & felt": _s("wool|шерст|jun$|junli|жүн$|felt$|войлок|войлоч|kigiz|кийіз|кошма|shyrdak|шырдак|raw fleece|greasy fleece|"
                      "scour|lanolin|ланолин|camel hair|верблюж"),
    "silk": _s("silkworm egg|шелковичн|ipak qurti urug|silk|шелк|шёлк|ipak|жібек|cocoon|кокон|pilla|пилла|silkworm|шелкопряд|ipak qurti|грена|grena$|"
               "reeling|шелкомотан|mulberry|шелковиц|tut$|tut kochat"),
    # --- fruit and vegetables ---------------------------------------------------------------------------
    "fruit": _s("fruit|фрукт|meva$|mevalar|meval|жеміс|плод|orchard|сад$|сады$|садов|bog$|boglar"),
    "vegetables": _s("vegetabl|овощ|sabzavot|көкөніс|fresh produce|pumpkin|тыкв|carrot|морков|sabzi$|cabbage|капуст|karam$|beet$|"
                     "beets$|свекл|свёкл|lavlagi|garlic|чеснок|sarimsoq|sweet pepper|bell pepper|перец|перц|"
                     "qalampir|eggplant|aubergine|баклажан|baqlajon|zucchini|кабач"),
    "apples": _s("apple|яблок|яблон|olma|алма$|aport|апорт|golden delicious|голден|ренет"),
    "tomatoes": _s("tomato|томат|помидор|pomidor|қызанақ"),
    "cucumbers": _s("cucumber|огур|bodring|қияр"),
    "potatoes": _s("potato|картоф|картоп|kartoshka|kartoshk|mini-tuber|миниклубн|мини-клубн|tuber"),
    "onions": _s("onion|лук$|лука$|луку$|луковиц|piyoz"),
    "melons": _s("melon|дыня|дыни$|дынь$|дынн|qovun|арбуз|watermelon|tarvuz|қауын"),
    "grapes": _s("grape|виноград|uzum$|uzumi|vineyard|жүзім"),
    "pomegranates": _s("pomegranat|гранат|anor$|anorlar|anordan"),
    "stone fruit": _s("apricot|абрикос|orik$|oriklar|cherry|cherri|черешн|вишн|gilos|olcha|peach|персик|"
                      "shaftoli|plum$|plums$|слив$|olxo"),
    "citrus": _s("citrus|цитрус|lemon|лимон|limon|orange$|oranges$|апельсин|apelsin|mandarin|мандарин|grapefruit"),
    "persimmons & figs": _s("persimmon|хурм|xurmo|fig$|figs$|инжир|anjir"),
    "dried fruit": _s("dried fruit|dried apricot|сухофрукт|курага|кураг|изюм|raisin|кишмиш|mayiz|quritilgan meva|"
                      "урюк|prune|чернослив|quruq meva|sun-dried|dehydrated fruit|сушен фрукт|сушён|fruit chips|"
                      "qoqi$|сушеная|сушёная|quritilgan orik"),
    "nuts": _s("walnut|грецк|орех|yongoq|almond|миндал|bodom|pistachio|фисташ|pista$|nut$|nuts$|kernel|ядро|"
               "жаңғақ|hazelnut|фундук|funduk|peanut|арахис|yeryongoq|cashew|кешью|pine nut|кедров|magzi$|"
               "shelled walnut"),
    "berries": _s("berry|berries|ягод|raspberr|малин|strawberr|клубник|qulupnay|currant|смородин|rezavor|malina|"
                  "blackcurrant|sea buckthorn|облепих"),
    "mushrooms": _s("mushroom|гриб$|грибы|грибов|qoziqorin|champignon|шампиньон|oyster mushroom|вешенк"),
    "juice": _s("juice|сок$|сока$|соки$|соков$|sharbat|nfc$|juice concentrate|apple concentrate|fruit concentrate|"
                "шырын|nectar|нектар|fruit puree|фруктов пюре"),
    "tomato paste": _s("tomato paste|томатн паст|томат-паст|pomidor pasta|pomidor pastasi|tomat pasta|tomat pastasi|"
                       "tomato concentrate|томатн концентрат|tomato puree|томатн пюре|pomidor konsentrat|"
                       "concentrated tomato"),
    "canned food": _s("canned|cannery|canneri|canning|консерв|konserv|preserv|pickle|маринов|solen|соленья|"
                      "lecho|лечо|компот|kompot|tinned|jam$|джем|варень|murabbo"),
    "ketchup & sauces": _s("ketchup|кетчуп|sauce|соус|mayonnaise|майонез|mayonez|dressing|заправк"),
    "honey & bee products": _s("honey|мёд$|мед$|меда$|мёда$|медов|asal$|asali|asallar|бал$|beeswax|воск$|воска$|"
                               "propolis|прополис|apiar|пасек|пасеч|asalari|пчел|пчёл|bee$|bees$|beekeep|"
                               "royal jelly|маточн молочк|perga|перга|pollen|пыльц|hive$|hives$|ульи|улей"),
    "medicinal herbs": _s("дәрілік шөп|дәрілік өсімдік|medicinal plant|medicinal herb|herbal|лекарствен растен|лекарствен растит|"
                          "лекарствен трав|лекарствен сырь|dorivor|шалфе|sage$|licorice|солодк|qizilmiya|"
                          "shirinmiya|chamomile|ромашк|moychechak|mint$|мята$|мяты$|yalpiz|valerian|валериан|"
                          "st john|зверобо|rosehip|rose hip|шиповник|namatak|thyme|чабрец|тимьян|echinacea|"
                          "эхинацея|calendula|календул|nettle|крапив|herbal tea|травян|фиточай|herb$|herbs$|"
                          "трав$|травы$|wild-harvest|wild harvest|дикорос|giyoh|фитопрепарат|phytopharm|"
                          "herbal extract|растительн экстракт"),
    "pharmaceuticals": _s("дәрі$|дәрі-дәрмек|pharmaceut|фармацевт|farmatsevt|pharma$|фарма$|drug$|drugs$|medicine|медикамент|"
                          "лекарств|dori$|dorilar|dori-darmon|tablet$|tablets$|таблет|capsule|капсул|"
                          "фитопрепарат|субстанц|active pharmaceutical|аптек|pharmacy|dorixona|generic drug|"
                          "дженерик"),
    "medical supplies": _s("tibbiy uskuna|медицинск техник|tibbiy jihoz|medical equipment|medical device|медицинск оборуд|медицинск издел|tibbiy|медтехник|"
                           "syringe|шприц|bandage|бинт$|перевязоч|surgical|хирургич|dental|стоматолог|x-ray|"
                           "рентген|hospital|больниц|clinic|клиник|klinika|shifoxona|medical cotton|"
                           "медицинск ват|hygiene industry|patient"),
    "spices & culinary herbs": _s("spice|специ|пряност|ziravor|cumin|зира$|zira$|black pepper|saffron|шафран|"
                                  "zafaron|coriander|кинз|кориандр|paprika|паприк|dill$|укроп|shivit|parsley|"
                                  "петрушк|basil$|райхон|rayhon"),
    # --- farm inputs and services -----------------------------------------------------------------------
    "seeds": _s("seed$|seeds$|seedlot|семен|семян|urug|тұқым|elite seed|суперэлит|super-elite|элитн|"
                "seed genetic|hybrid seed|f1$|seed potato|семенн"),
    "seedlings": _s("seedling|рассад|саженц|kochat|sapling|nursery|питомник|rootstock|подвой|подвое|"
                    "planting material|посадочн материал"),
    "fertilizers": _s("fertiliz|fertilis|удобрен|ogit|тыңайтқыш|npk$|аммофос|ammophos|urea$|карбамид|селитр|"
                      "ammonium|аммиак|ammonia|fertigat|superphosphat|суперфосфат|potash|калийн|humate|гумат"),
    "irrigation": _s("irrigat|орошен|ирригац|полив|sugorish|sugoris|суару|water-saving|водосбер|suv tejovchi"),
    "drip irrigation": _s("drip|капельн|tomchilat|tomchi$|emitter|эмиттер|капельниц|drip tape|drip line|"
                          "drip irrigat|капельн орошен|emitter pipe|tomchilatib sugorish"),
    "greenhouses": _s("greenhouse|теплиц|тепличн|issiqxona|жылыжай|polycarbonat|поликарбонат|hydropon|гидропон|"
                      "speed breeding|climate control"),
    "hail nets": _s("hail net|hail protection|противоград|anti-hail|shade net|затеняющ сетк"),
    "farm machinery": _s("tractor|трактор|traktor|combine$|combines$|комбайн|kombayn|seeder|сеялк|baler|"
                         "пресс-подбор|presspodbor|harvester|cotton picker|paxta terish|plow|плуг|cultivator|"
                         "культиватор|farm machinery|agricultural machinery|сельхозтехник|qishloq xojalik texnika|"
                         "agricultural machine|mower|косилк|кормозаготов|посадочн техник|planter$|"
                         "ginning machin|bale press|доильн|milking"),
    "drones": _s("drone|дрон|uav$|бпла|dron$|dronlar|unmanned"),
    "laboratory testing": _s("laborator|лаборатор|lab$|analysis|анализ|tahlil|testing|испытан|salinity|засолен|"
                             "shorlan|soil test|sample|образц|residue test|agrochemical lab"),
    "crop protection": _s("pesticid|пестицид|herbicid|гербицид|spraying|опрыск|sprayer|биоагент|bioagent|"
                          "entomophag|энтомофаг|plant protection|защиты растен|insecticid|инсектицид|"
                          "bumblebee|шмел|fungicid|фунгицид|pesticide application"),
    "agronomy & consulting": _s("agronom|агроном|consult|консалт|konsalt|advisory|консультац|maslahat|advice|"
                                "expertise|know-how|ноу-хау|technolog support|технологическ сопровожд"),
    "wheat": _s("wheat|пшениц|bugdoy|бидай|durum"),
    "barley": _s("barley|ячмен|arpa$|арпа$"),
    "corn & maize": _s("corn$|maize|кукуруз|makkajoxori|жүгері"),
    "rice": _s("rice$|рис$|риса$|guruch|күріш|sholi|шали$|paddy"),
    "pulses": _s("chickpea|нут$|noxat|mung|маш$|mosh$|lentil|чечевиц|yasmiq|beans$|фасол|loviya|peas$|горох"),
    "oilseeds & soy": _s("soybean$|soybeans$|soya$|соя$|сои$|сою$|rapeseed|рапс|raps$|flax|лён$|льна|zigir|"
                         "safflower|сафлор|maxsar|sunflower seed|семечк|oilseed$|oilseeds$|масличн"),
    "cotton": _s("cotton|хлоп|xlop|paxta|мақта|linter|линт|ginner|ginning|джин|cotton fib|lint$"),
    # --- food processing -------------------------------------------------------------------------------
    "flour": _s("flour|мука$|муки$|муку$|мукой|мучн|un$|unni|uni$|unini$|unlar|ұн$|bran$|отруб|kepak|milling|мукомол|mill$|gluten"),
    "bakery": _s("bakery|bakeri|bread|хлеб|пекар|выпеч|non$|нан$|pastry|pastries|biscuit|печень|tandir|tandyr|"
                 "тандыр|margarine|маргарин"),
    "pasta": _s("pasta$|макарон|makaron|noodle|лапш|vermicelli|вермишел"),
    "confectionery": _s("confection|кондитер|konditer|sweets|сладост|shirinlik|candy|конфет|konfet|халва|halva|"
                        "козинак|chocolate|шоколад|praline|пралине|cakes$|торт|baklava|пахлав|pishiriq"),
    "meat": _s("meat|мяс|gosht|ет$|beef|говядин|lamb$|баранин|mutton|sausage|колбас|kolbasa|казы$|carcass|туш$|"
               "туши$|полутуш|slaughter|убой|mol goshti|qoy goshti|veal|телятин|offal|субпродукт"),
    "halal certification": _s("halal certif|халал сертиф|халяль сертиф|halol sertifikat|halal standard|"
                              "halal audit|halal-certif"),
    "vegetable oil": _s("sunflower|подсолн|kungaboqar|растительн масл|yog$|yogi$|cottonseed oil|хлопков масл|olive|"
                        "edible oil|cooking oil|refined oil|рафинир масл|crude sunflower|vegetable oil|"
                        "масло подсолн|paxta yogi|osimlik yogi"),
    "sugar": _s("sugar|сахар|shakar|қант"),
    "salt": _s("salt$|соль$|соли$|tuz$|rock salt|iodized|йодир|ас тұзы"),
    "tea & coffee": _s("coffee bean|кофе в зернах|tea$|чай$|чая$|choy$|coffee|кофе|qahva|кофейн"),
    "beverages": _s("beverage|напит|ichimlik|soft drink|lemonade|лимонад|iced tea|kvass|квас|energy drink|"
                    "carbonated drink|газированн напит"),
    "mineral & drinking water": _s("mineral water|минеральн вод|mineral suv|drinking water|питьев вод|"
                                   "ichimlik suv|spring water|родников|bottled water|бутилированн вод|"
                                   "sparkling water|still water|natural mineral|минералк|артезианск вод"),
    "sorting & packing lines": _s("sorting|сортиров|saralash|optical sort|grader|калибров|washing line|"
                                  "packing line|фасов|qadoqlash liniyasi|filling machine|розлив|fill-seal|"
                                  "packaging machine|упаковочн машин|упаковочн оборуд|vacuum packaging machine|"
                                  "labeling machine|filling line|co-packing"),
    "drying equipment": _s("dryer|drier|drying|сушил|сушк|quritish|сушильн|dehydrator"),
    "food processing equipment": _s("pasteurizat|pasteurisat|pasteurizer|pasteuriser|пастеризац|pasterizatsiya|"
                                    "processing line|production line|uht line|uht plant|bottling line|"
                                    "canning line|dairy processing line|пастеризатор|pasteurizer|homogeniz|"
                                    "гомогениз|cheese vat|vat$|vats$|сыроварн|nut crack|cracking machin|"
                                    "ореховскрыв|juice line|separator|сепаратор|"
                                    "meat grinder|мясорубк|oven$|ovens$|печь|печи$|tandoor oven|mixer$|"
                                    "тестомес|dough|fryer|фритюр|смеситель"),
    # --- textiles --------------------------------------------------------------------------------------
    "yarn": _s("yarn|пряж|ip$|iplar|ipi$|ipni$|spinning|spun$|ring-spun|прядил|пряден|yigiruv|иірімжіп|ne 30|"
               "ne 20|ne 24|carded|кардн|combed|гребенн|thread$|threads$|нить$|нити$|нитей$|нитк|kalava"),
    "knitted fabric": _s("knitted fabric|jersey|трикотажн полотн|кулирк|футер|interlock|интерлок|trikotaj mato|"
                         "greige|суров"),
    "fabric": _s("fabric|ткань$|ткани$|тканей$|тканью|ткан$|mato$|matolar|matosi|полотн|denim|деним|calico|"
                 "бязь|бязи|сатин|satin|poplin|поплин|chiffon|шифон|knit fabric"),
    "home & hotel textiles": _s("bed linen|bedding|bed sheet|flat sheet|fitted sheet|pillowcase|pillow|подушк|"
                                "наволоч|простын|пододеяльн|постельн|bed set|duvet|одеял|blanket|плед|towel|"
                                "полотенц|terry|махров|bathrobe|халат|tablecloth|скатерт|curtain|штор|"
                                "choyshab|sochiq|yostiq|korpa|сүлгі|төсек|hospitality textile|hotel textile|"
                                "linen$|бельё$|белье$|белья$|ko'rpa|home textile|домашн текстил|mattress|матрас|matras"),
    "knitwear & garments": _s("knitwear|knitted|трикотаж|trikotaj|garment|apparel|clothing|одежд|kiyim|t-shirt|"
                              "tshirt|футболк|futbolka|hoodie|худи|polo$|workwear|спецодежд|uniform|униформ|"
                              "школьн форм|maktab formasi|sewing|пошив|швейн|швей|tikuv|тігін|cmt$|"
                              "private-label sewing|tailoring|scarf|scarves|шарф|платок|ro'mol|romol|"
                              "медицинск костюм|medical scrubs|dress$|dresses$|платья|jeans|джинс"),
    "carpets": _s("carpet|ковр|ковер|ковёр|gilam|кілем|rug$|rugs$|палас"),
    "dyes & textile chemicals": _s("dye$|dyes$|dyeing|dyestuff|краситель|красител|крашен|boyoq|auxiliar|"
                                   "textile chemical|химия для|отделк трикот|finishing chemical|reactive dye"),
    "crafts & souvenirs": _s("embroider|вышив|kashta|suzani|сюзане|souvenir|сувенир|suvenir|handicraft|handmade|"
                             "ремесл|hunarmand|craft$|crafts$|kulolchilik|pottery|гончар|gift shop|iroqi"),
    # --- construction ----------------------------------------------------------------------------------
    "cement": _s("cement|цемент|sement|cem$|цем$|портландцемент|клинкер|clinker"),
    "bricks": _s("brick|кирпич|gisht|кірпіш|kirpich|refractor|огнеупор"),
    "gypsum & plaster": _s("gypsum|гипс|gips|plaster|штукатур|suvoq|алебастр"),
    "drywall": _s("drywall|plasterboard|gypsum board|гипсокартон|gipsokarton|гкл$|sheetrock"),
    "dry mixes": _s("dry mix|сухие смеси|сухих смесей|сухие строительн|quruq aralash|mortar|раствор|tile adhesive|"
                    "плиточн кле|sealant|герметик|silicone|силикон"),
    "glass": _s("glass|стекл|shisha|float$|флоат|oyna$"),
    "windows": _s("window|окон|окна$|окно$|deraza|стеклопакет|steklopaket|igu$|insulated glass|glazing|остеклен|"
                  "facade|фасад"),
    "insulation": _s("insulation|insulat|изоляц|утепл|теплоизол|izolyats|mineral wool|минеральн ват|минвата|"
                     "issiqlik izolyatsiya|pir$|pur$"),
    "rolled steel & pipes": _s("прокат|prokat|rebar|арматур|armatura|pipe$|pipes$|труба|трубы|трубу|quvur|"
                               "profile pipe|профильн труб|coil$|coils$|рулонн|листов|steel sheet|steel beam|"
                               "rolled steel|metal sheet|wire rod|катанк|металлопрокат|metalloprokat|beams$"),
    "steel structures": _s("steel structure|metal structure|металлоконструкц|metall konstruktsiya|metall konstruksiya|"
                           "sandwich panel|сэндвич|sendvich|prefabricated|быстровозвод|hangar|ангар|steel building"),
    "concrete & blocks": _s("concrete|бетон|beton|aerated|газобетон|газоблок|block$|blocks$|блок$|блоки|bloklar|"
                            "paving|брусчат|тротуарн"),
    "sand & aggregates": _s("sand$|песок|песк|qum$|gravel|щебен|щебн|sheben|crushed stone|aggregate|"
                            "quartz sand|кварцев"),
    "tiles & sanitary ware": _s("ceramic tile|tile$|tiles$|плитк|kafel|кафел|porcelain|керамогранит|"
                                "sanitary ware|сантехник|santexnika|faucet|смесител"),
    "roofing": _s("roofing|roof$|roofs$|кровл|tom yopish|shingle|metal tile|металлочерепиц|профнастил|profnastil|slate|шифер|shifer|"
                  "ondulin|ондулин"),
    "paints & coatings": _s("лакокрасоч|lak-boyoq|paint|краск|boyoq|varnish|лак$|лаки$|lak$|coating|покрыти|primer|грунтовк|"
                            "emulsion|эмаль|lacquer"),
    "wood panels": _s("chipboard|particleboard|particle board|mdf$|мдф|hdf$|хдф|osb$|лдсп|дсп$|двп$|dsp$|ldsp$|"
                      "fiberboard|laminated board|laminated chipboard|мебельн щит|edge band|кромк|кромоч|kromka|"
                      "veneer|шпон|shpon|wood-based panel|wood panel"),
    "timber": _s("timber|lumber|wood$|wooden|древесин|лесоматериал|пиломатериал|yogoch|taxta|plywood|фанер|"
                 "wood chip|щепа|щепы|щепк|sawdust|опилк|log$|logs$|бревн|кругляк|брус$|доск|yogoch plita"),
    "furniture": _s("furniture|мебел|mebel|cabinet|шкаф|wardrobe|sofa|диван|kitchen cabinet|office furniture|"
                    "стул|chair|стол$|столы$|kreslo|кресл|жиһаз|jihoz"),
    "construction works": _s("construction work|contractor|подрядчик|подряд|pudratchi|pudrat|turnkey|под ключ|"
                             "epc$|монтаж|montaj|installation|ornatish|строительн работ|construction compan|"
                             "строительн компан|builder|застройщик|жилых комплекс|residential"),
    "construction machinery": _s("excavator|экскаватор|ekskavator|bulldozer|бульдозер|crane$|кран$|краны|"
                                 "concrete mixer|бетономешал|road roller|wheel loader|фронтальн погруз|"
                                 "reach stacker|ричстакер"),
    # --- equipment, vehicles, spare parts ---------------------------------------------------------------
    "tires": _s("tire|tires$|шины$|шина$|шин$|шину$|шинам|автошин|покрышк|shina$|shinalar|shinasi|shinalari|"
                "протектор|retread"),
    "auto parts": _s("auto part|car part|brake|тормоз|tormoz|oil filter|air filter|fuel filter|масл фильтр|воздушн фильтр|топливн фильтр|shock absorber|"
                     "амортизатор|amortizator|suspension|подвеск|clutch|сцеплен|spark plug|bearing|подшипник|"
                     "podshipnik|gasket|automotive|автозапчаст|avtoehtiyot|aftermarket|brake lining|"
                     "brake pad|колодк|lubricant filter|ehtiyot qism avtomobil"),
    "spare parts": _s("spare part|запчаст|запасн част|ehtiyot qism|қосалқы бөлшек|комплектующ|"
                      "ehtiyot qismlar"),
    "repair & maintenance": _s("repair|ремонт|tamir|maintenance|техобслуживан|обслуживан|servis$|service center|"
                               "сервисн центр|сервисн обслуж|avtoservis|автосервис"),
    "fleet telematics": _s("telematic|телематик|gps$|глонасс|glonass|fleet tracking|vehicle tracking|"
                           "vehicle monitoring|мониторинг транспорт|tracking device|трекер|tracker|fuel monitoring|"
                           "контроль топлив|fuel level sensor|датчик топлив|tachograph|тахограф|fleet management|"
                           "gps-трекер|gps tracking"),
    "forklifts & warehouse equipment": _s("forklift|погрузчик|pogruzchik|yuk kotargich|pallet truck|штабелер|"
                                          "stacker|racking|стеллаж|reach truck|pallet jack|рохля"),
    "refrigeration equipment": _s("refrigeration|холодильн оборуд|холодильн установк|chiller|чиллер|compressor|"
                                  "компрессор|kompressor|room equipment|evaporator|испарител|condensing unit|"
                                  "blast freezer|шоков заморозк|sovutish uskuna"),
    "pumps": _s("pump|насос|nasos|borehole|скважин|quduq|submersible|погружн"),
    "electrical equipment": _s("electrical|электротехн|электрооборуд|cable|кабел|kabel|wire$|wires$|провод$|провода$|проводов$|проводник|"
                               "transformer|трансформатор|transformator|switchgear|circuit breaker|"
                               "electric motor|электродвигат|lighting|освещен|светильн|led$|lamp$|lamps$|ламп|"
                               "yoritish|generator|генератор|дизель-генератор|electric meter|электросчетчик"),
    "heating & boilers": _s("boiler|котел|котёл|котл|qozonxona|heating|отоплен|isitish|heat exchanger|теплообмен|"
                            "burner|горелк|heat supply|теплоснабж"),
    "ventilation & air conditioning": _s("ventilation|вентиляц|air condition|кондиционер|konditsioner|hvac$|"
                                         "ventilyatsiya|вентилир"),
    "water treatment": _s("water treatment|водоочист|водоподгот|water purification|reverse osmosis|осмос|"
                          "wastewater|сточн вод|канализ|kanalizatsiya|water supply|водоснабж|suv taminoti|"
                          "water filter"),
    "metalworking": _s("cnc$|чпу$|metalworking|металлообработ|laser cutting|лазерн резк|machining|токарн|фрезер|"
                       "welding|сварк|payvand|grinding media|мелющ тел"),
    "laundry equipment": _s("laundry|прачечн|kir yuvish|washing machine|стиральн машин|dry cleaning|химчистк"),
    "safety & security": _s("cctv|видеонаблюден|security system|охранн|fire extinguish|огнетушит|fire safety|"
                            "пожарн|personal protective|ppe$|helmet|каск$|gloves|перчат|qoʻlqop"),
    # --- chemicals, energy, mining ----------------------------------------------------------------------
    "chemicals": _s("chemical|химикат|химическ|kimyo|soda ash|кальцинированн сод|caustic|каустич|acid$|acids$|"
                    "кислот|kislota|chlorine|хлор$|хлора$|reagent|реагент|solvent|растворител|starch|крахмал|"
                    "kraxmal|glue|клей|adhesive|co2$|carbon dioxide|углекисл"),
    "sulfur": _s("sulfur|сера$|серы$|серу$|oltingugurt|күкірт"),
    "rubber": _s("rubber|резин|rezina|crumb rubber|rubber crumb|резинов крошк|rubber tile|рулонн резин"),
    "recyclables & scrap": _s("макулатур|scrap|металлолом|lom$|лом$|вторсыр|vtorsir|recycl|переработк отход|waste$|"
                              "отход|chiqindi|утилиз|utiliz|disposal|worn out|worn-out|used tire|"
                              "shredding|шредер|shredder|secondary raw|вторичн сырь|вторичн|"
                              "pet flakes|флекс"),
    "fuels & lubricants": _s("diesel|дизел|dizel|gasoline|petrol|бензин|benzin|fuel$|fuels$|fuel card|топлив|"
                             "yoqilgi|lubricant|смазоч|motor oil|engine oil|моторн масл|moy$|moylar|bitumen|битум|"
                             "mazut|мазут|kerosene|керосин|crude oil|нефть|нефти$|нефтепродукт|neft$|petroleum"),
    "gas & LPG": _s("lpg$|propane|пропан|propan|butane|бутан|spbt|спбт|suyultirilgan|autogas|автогаз|gas$|газ$|"
                    "газа$|gaz$|gas cylinder|газов|natural gas|природн газ|tabiiy gaz|cng$|метан"),
    "coal": _s("coal|уголь$|угля$|угольн|углем$|komir$|көмір"),
    "solar power": _s("solar|солнечн|quyosh|photovolt|фотоэлектр|фотовольт|pv$|сэс$|irradiation|инсоляц|"
                      "күн электр|solar panel|солнечн панел"),
    "wind power": _s("wind farm|wind power|wind turbine|ветров|ветроэлектр|шамал"),
    "batteries & inverters": _s("battery|batteries|аккумулятор|batareya|akkumulyator|inverter|инвертор|invertor|"
                                "energy storage|накопител"),
    "electricity": _s("electricity|электроэнерг|elektr energiya|power plant|электростанц|grid$|power purchase|kv$|"
                      "mw$|мвт$|квт$|megawatt|ppa$|grid connection|подключен к сет|электросет|power supply"),
    "biogas & manure": _s("biogas|биогаз|manure|навоз|gong$|litter|помет|organic fertil|органическ удобр|"
                          "bioqurilma|anaerobic|digester"),
    "energy efficiency": _s("energy-saving|energy saving|энергосбер|energy audit|энергоаудит|energiya tejash|"
                            "heat pump|тепловой насос|energy efficien|энергоэффектив"),
    "mining & ores": _s("mining|горнодобыва|ore$|ores$|руда|руды|рудн|quarry|карьер|gold$|золот|oltin$|"
                        "copper|медь$|меди$|медн|zinc|цинк|tungsten|вольфрам|uranium|уран$|kon$|konlar"),
    # --- logistics -------------------------------------------------------------------------------------
    "refrigerated transport": _s("reefer|refrigerated truck|refrigerated transport|refrigerated road|refrigerated vehicle|refrigerated container|рефриж|refrijerat|изотерм|temperature-contr|cold chain|"
                                 "холодильн транспорт|sovutgichli transport|sovutkichli|sovutgichli yuk"),
    "cold storage": _s("cold storag|cold room|cold warehouse|cold store|холодильн|холодильник|sovutgich|sovutkich|"
                       "muzlatgich|морозил|frozen storag|freezer|ulo$|ca storage|controlled-atmosphere|"
                       "овощехранилищ|картофелехранилищ|fruit storag|chilled chamber|ripening chamber|"
                       "охлаждаем камер|холодильн камер|frozen storage|refrigerated storage|refrigerated warehouse"),
    "warehousing": _s("warehouse|склад|ombor|қойма|storage|хранени|хранилищ|saqlash|consignment|bonded|"
                      "cross-dock|кросс-док|warehouse space|складск"),
    "freight transport": _s("freight|грузоперевоз|перевоз|tashish|haulage|trucking|backhaul|return cargo|попутн|"
                            "forwarding|экспедир|ekspeditor|cargo transport|автоперевоз|road transport|"
                            "transport services|транспортн услуг|yuk tashish|groupage|сборн груз|air freight|"
                            "авиаперевоз|livestock truck|скотовоз"),
    "rail & containers": _s("rail$|railway|rail freight|железнодорож|жд$|вагон|wagon|vagon|temir yol|"
                            "container train|container transport|container rail|container handling|"
                            "container terminal|shipping container|контейнер|konteyner|terminal|терминал|hopper|хоппер|tank car|цистерн|sisterna|teu$"),
    "customs brokerage": _s("customs|тамож|bojxona|брокер|brokerage|eaeu|еаэс|tir$|permit|разрешен|ruxsat|"
                            "declarant|декларант|customs clearance|visa support|визов"),
    "certification": _s("certification|сертификац|sertifikatsiya|sertifikatlash|certification bod|certifying|"
                        "inspection bod|органы сертиф|globalgap|global gap|haccp|brc$|fssc|organic standard|"
                        "organic certif|conformity|соответств|accreditation|аккредитац|phytosanitar|"
                        "фитосанитар|сертификат происхожд|origin certif"),
    # --- tourism ---------------------------------------------------------------------------------------
    "tours & excursions": _s("tour$|tours$|туров|тур$|туры$|excursion|экскурс|ekskursiya|sightseeing|guided|"
                             "guide$|guides$|гид$|гиды|gid$|trekking|трекинг|jeep|джип|itinerar|маршрут|dmc$|"
                             "ground handling|inbound|трансфер|coach trip|экскурсионн|safari|horse riding|"
                             "саяхат|tour package|tour program|heritage program"),
    "tourist flow": _s("tourists$|туристы|туристов|туристам|turistlar|sayyohlar|tour operator|туроператор|"
                       "turoperator|travel agenc|турагент|outbound|выездн|tour group|туристическ групп|"
                       "группы турист|sending groups|groups from|туристер"),
    "hotels": _s("hotel|гостиниц|отел|mehmonxona|mexmonxona|guest house|guesthouse|гостев|homestay|мехмонхона|"
                 "yurt camp|hostel|хостел|resort|курорт|номер|accommodation|размещен|qonaq|санатор|sanatori"),
    "restaurants & catering": _s("restaurant|ресторан|restoran|cafe$|кафе|catering|кейтеринг|canteen|столов|"
                                 "oshxona|cuisine|кухни$|national cuisine|food service|horeca"),
    "events & exhibitions": _s("conference|конференц|konferensiya|mice$|exhibition|выставк|korgazma|trade fair|"
                               "ярмарк|event$|events$|мероприят|tadbir|business mission|бизнес-миссия|"
                               "exhibitor|экспонент|festival|фестивал"),
    "heritage": _s("heritage|наследи|unesco|юнеско|meros|historic|историческ|tarixiy|palace|дворец|saroy|ak-saray|"
                   "ак-сарай|museum|музей|muzey|canyon|каньон"),
    # --- finance, IT and services ----------------------------------------------------------------------
    "investment": _s("invest|инвест|sarmoya|co-invest|соинвест|equity|venture|mezzanine|joint venture|"
                     "совместн предприят|qoshma korxona|sponsor|bankable|ppp$|гчп$|feasibility|тэо$|"
                     "business plan|бизнес-план|biznes reja|venture capital|investor"),
    "loans & banking": _s("несие|nesie|loan|кредит|kredit|lending|lender|financing|финансирован|moliyalashtirish|bank$|"
                          "banks$|банк$|банков|bank-|letter of credit|аккредитив|bank guarantee|"
                          "банковск гарант|working capital|оборотн средств|aylanma mablag|microfinanc|"
                          "микрофинанс|credit line|кредитн лини"),
    "leasing": _s("leasing|лизинг|lizing|lease$|on lease"),
    "insurance": _s("insur|страхов|sugurta|сақтандыр"),
    "grants & subsidies": _s("subsid|субсид|subsidiya|grant$|grants$|грант|state support|господдерж|"
                             "davlat yordam"),
    "software development": _s("software|программн|dasturiy|dastur|developer|разработ|programmer|программист|"
                               "dasturchi|outsourc|аутсорс|saas$|web$|website|сайт|sayt$|localiz|локализ|"
                               "lokalizats|it services|it outsourc|it-park|it park"),
    "computers & IT hardware": _s("laptop|ноутбук|noutbuk|computer|компьютер|kompyuter|server$|servers$|сервер|"
                                  "printer|принтер|it equipment|оргтехник|network equipment|"
                                  "сетев оборуд|smartphone|смартфон|router|маршрутизатор|kompyuterlar"),
    "mobile apps": _s("app$|apps$|mobile app|мобильн прилож|mobil ilova|ilova$|ilovalar|application develop"),
    "business software": _s("1c$|erp$|crm$|бухгалт|accounting software|buxgalter|farm management software|"
                            "management system|учетн систем|автоматизац учет"),
    "online booking & e-commerce": _s("booking|бронирован|bron$|online booking|e-commerce|ecommerce|"
                                      "интернет-магазин|online sales|онлайн-продаж|marketplace|маркетплейс|ota$|"
                                      "online store|online shop|visibility"),
    "marketing & advertising": _s("marketing|маркетинг|smm$|seo$|advertis|реклам|reklama|promotion|продвижен|"
                                  "branding|брендинг|market research|исследован рынк|pr agency"),
    "education & training": _s("training|обучен|тренинг|oqitish|talim$|education|образован|course$|courses$|"
                               "курсы$|university|университет|universitet|college|колледж|school$|schools$|"
                               "academy|академ|internship|стажир|vocational|профобуч|students|студент|talaba|"
                               "o'qitish|bilim"),
    "legal & audit": _s("legal|юридич|yuridik|lawyer|адвокат|law firm|audit$|аудит$|аудитор|tax advi|"
                        "налогов консульт|company registration|регистрац компан|notar|нотари"),
    "recruitment & staffing": _s("recruit|подбор персонал|staffing|кадров агент|hr$|hiring|вакан|"
                                 "labor force|рабоч сил|headhunt"),
    "cosmetics & hygiene": _s("cosmetic|косметик|kosmetika|soap|мыло|мыла$|sovun|shampoo|шампун|detergent|"
                              "моющ|household chemical|бытов хим|diaper|подгузник|napkin|салфет|toilet paper|"
                              "туалетн бумаг|hygiene product|гигиен"),
    "industrial sites": _s("industrial park|industrial plot|промзон|индустриальн парк|sanoat zona|sanoat park|"
                           "land plot|земельн участ|site$|площадк|maydon|industrial zone|free economic zone|"
                           "сэз$|свободн экономическ"),
}

# Broad concepts: a domain, not a product. Their features weigh TextOptions.broad_weight, so "livestock
# disease prevention" and "raw cattle hides" share a little, not a match.
BROAD: dict[str, tuple[str, ...]] = {
    "packaging": _s("packaging|packing$|packed$|упаков|qadoq|қаптама|тара$|тару$|тары$|aseptic|асептич|aseptik|"
                    "vacuum-packed"),
    "plastics": _s("plastic|пластик|plastik|plastmass|пластмасс|pe-100|pe100|granul|гранул"),
    "plastic film": _s("film|плёнк|пленк|plyonk|plenk|үлдір"),
    "livestock": _s("cattle|cow$|cows$|корова|коров|крс$|скот|livestock|chorva|мал$|sheep|qoramol|sigir|mol$|"
                    "поголов|animal husbandry|животновод|farm animal|ruminant|жвачн|flock|flocks|herd$|herds$|"
                    "стадо$|стада$|стад$|отар|голов$|calves|calf$|телят|buzoq|мал шаруашылығы"),
    "poultry": _s("poultry|птиц|parranda|broiler|бройлер|chicken|курин|кур$|куры$|tovuq|hen$|hens$|несушк|"
                  "құс$|құстар|laying hen|птицефабрик"),
    "grain": _s("grain|зерн|don$|cereal|злак|астық|crops$|row crop|field crop"),
    "fish & aquaculture": _s("fish|рыба|рыбы|рыбн|рыбой|рыбу|рыб$|рыбов|baliq|aquacultur|аквакульт|pond$|ponds$|пруд|hovuz|fishery|рыбн хозяйств|"
                             "балық|cage farm|садков"),
    "machinery & equipment": _s("equipment|оборудован|uskuna|machine|станок|станк|stanok|dastgoh|линия|линию|"
                                "liniya|liniyasi|machinery|техника$|техники$|texnika|apparatus|аппарат|tank$|"
                                "tanks$|ёмкост|емкост|резервуар|rezervuar|"
                                "установк"),
    "vehicles": _s("vehicle|truck|грузовик|фура|фуры$|фурами|yuk mashina|автомобил|avtomobil|car$|cars$|bus$|"
                   "buses$|автобус|avtobus|minibus|pickup|fleet$|автопарк|автотранспорт|chevrolet|kamaz|камаз|"
                   "isuzu|scania|volvo|mercedes"),
    "logistics": _s("logistic|логист|transport|транспорт|cargo|груз|yuk$|yuklar|shipping|доставк|shipment|"
                    "отгрузк|jonatish"),
    "metals": _s("steel|сталь|стали$|стальн|polat|metal|металл|metall|aluminum|алюмини|alyumin"),
    "textiles": _s("textile|текстил|toqimachilik|тоқыма|fiber$|fibers$|волокн|tola$|tolasi"),
    "construction": _s("construction|строительств|строител|qurilish|құрылыс|building material|стройматериал|"
                       "qurilish material|building$|buildings$"),
    "energy": _s("energy|энерг|energiya|power$|мощност|quvvat"),
    "IT & digital": _s("digital|цифров|raqamli|iot$|gis$|ict$|automation|автоматизац|avtomatlashtirish|"
                       "information technolog|информационн технолог"),
    "finance": _s("finance|financ|финанс|moliya|capital$|капитал|fund$|funds$|фонд|credit$"),
    "tourism": _s("touris|турист|turist|sayyoh|travel|путешеств|sayohat|туризм|visitor|гост$|гости$|mehmon$"),
    "halal": _s("halal|халал|халяль|halol"),
    "export & trade": _s("export|экспорт|eksport|import|импорт|trade house|торговый дом|savdo uyi|trade$|trading|"
                         "торговл|торгов|savdo|commodit|товар|tovar|markets$|рынк|рынок|bozor|sales$|продаж|"
                         "sotuv|contracts$|контракт"),
    "distribution & wholesale": _s("distribut|дистриб|distribyutor|wholesale|опт$|оптов|ulgurji|retail|розничн|"
                                   "chakana|supermarket|супермаркет|торгов сет|dealer|дилер|diler|retail chain|"
                                   "outlet|магазин|dokon"),
    "oils & fats": _s("oil$|oils$|масло$|масла$|маслом|fat$|fats$|жир$|жиры"),
    "frozen": _s("frozen|заморож|замороженн|muzlatilgan|iqf$|quick-frozen"),
    "agriculture": _s("agricultur|сельхоз|сельскохозяйств|qishloq xojalik|farm$|farms$|ферм|fermer|dehqon|"
                      "crop$|урожа|hosil|agro$|agribusiness|агробизнес|agrar"),
    "food": _s("food$|foods$|пищев|продукт питан|oziq-ovqat|oziq ovqat|азық-түлік|food product|продовольств"),
    "medical & health": _s("medical|медицин|tibbiy|health|здоров|salomatlik|sog'liq|pharm"),
    "trees & plants": _s("растен|osimlik|tree$|trees$|дерев|daraxt|leaves|листья|barg$|root$|"
                         "roots$|корень|корни|ildiz"),
}

# Product states that say what a product is ("dried persimmons", "canned vegetables"): never demoted to a
# modifier, though they are no input or service.
QUALIFIERS = frozenset({"dried fruit", "canned food"})

# Concepts that are an input or a service *for* something: in one noun phrase with a product
# ("milk pasteurisation equipment", "семена лука", "cattle feed"), the product is what it is for.
OPERATORS = frozenset({
    "plastic film", "stretch & shrink film", "barrier film", "greenhouse film", "corrugated boxes",
    "plastic crates", "glass containers",
    "cans & tins", "bottles & preforms", "caps & lids", "bags & sacks", "labels & printing", "packaging",
    "machinery & equipment", "farm machinery", "drones", "sorting & packing lines", "drying equipment",
    "food processing equipment", "pumps", "refrigeration equipment", "spare parts", "auto parts", "tires",
    "electrical equipment", "fleet telematics", "forklifts & warehouse equipment", "heating & boilers",
    "ventilation & air conditioning", "water treatment", "metalworking", "laundry equipment",
    "construction machinery", "repair & maintenance", "safety & security",
    "software development", "mobile apps", "business software", "computers & IT hardware",
    "online booking & e-commerce",
    "marketing & advertising", "laboratory testing", "certification", "halal certification",
    "customs brokerage", "cold storage", "warehousing", "refrigerated transport", "freight transport",
    "rail & containers", "seeds", "seedlings", "fertilizers", "crop protection", "irrigation",
    "drip irrigation", "greenhouses", "hail nets", "animal feed", "fish feed", "veterinary", "pond aeration",
    "agronomy & consulting", "leasing", "loans & banking", "investment", "insurance", "grants & subsidies",
    "education & training", "legal & audit", "recruitment & staffing", "construction works",
    "steel structures", "energy efficiency", "solar power", "batteries & inverters", "biogas & manure",
    "dyes & textile chemicals", "starter cultures", "industrial sites", "events & exhibitions",
})

BROAD_CONCEPTS = frozenset(BROAD)
ALL_CONCEPTS: dict[str, tuple[str, ...]] = {**CONCEPTS, **BROAD}


@dataclass(frozen=True, slots=True)
class _Compiled:
    prefix: Mapping[str, tuple[str, ...]]  # one-word stems matched as prefixes -> concepts (sorted)
    exact: Mapping[str, tuple[str, ...]]  # one-word stems that must match the whole word
    lengths: tuple[int, ...]  # distinct prefix lengths, longest first
    # several-word stems: first stem -> ((following stems), concepts)
    phrase_first: Mapping[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]
    first_lengths: tuple[int, ...]


_Hit = tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]


@dataclass(slots=True)
class Lexicon:
    """A compiled lexicon. Word results are memoised per instance: build one per vectorizing run."""

    compiled: _Compiled
    _memo: dict[str, _Hit] = field(default_factory=dict)

    def concepts(self, words: Sequence[str]) -> list[str]:
        """The concepts named in a sequence of normalized words, in order of appearance."""
        return [concept for _, _, concept in self.spans(words)]

    def spans(self, words: Sequence[str]) -> list[tuple[int, int, str]]:
        """(first word, last word, concept) of the concepts named in a sequence of normalized words, in
        order; first == last unless a several-word stem ("cold storage") named it."""
        found: list[tuple[int, int, str]] = []
        memo = self._memo
        n = len(words)
        for i, word in enumerate(words):
            hit = memo.get(word)
            if hit is None:
                hit = memo[word] = self._lookup(word)
            single, phrases = hit
            for concept in single:
                found.append((i, i, concept))
            for rest, concepts in phrases:
                end = i + len(rest)
                if end < n and all(words[i + 1 + k].startswith(stem) for k, stem in enumerate(rest)):
                    found.extend((i, end, concept) for concept in concepts)
        return found

    def _lookup(self, word: str) -> _Hit:
        c = self.compiled
        single = c.exact.get(word, ())
        if not single:
            for length in c.lengths:  # longest first: the most specific stem wins
                if length <= len(word):
                    hit = c.prefix.get(word[:length])
                    if hit:
                        single = hit
                        break
        phrases: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for length in c.first_lengths:
            if length <= len(word):
                phrases.extend(c.phrase_first.get(word[:length], ()))
        return single, tuple(phrases)


def compile_lexicon(concepts: Mapping[str, Iterable[str]], normalize: Callable[[str], list[str]]) -> Lexicon:
    """Compile concept -> stems into a matcher; ``normalize`` turns a stem into normalized words."""
    prefix: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    phrases: dict[str, dict[tuple[str, ...], set[str]]] = {}
    for concept, stems in concepts.items():
        for stem in stems:
            whole = stem.endswith("$")
            words = normalize(stem.rstrip("$"))
            if not words:
                continue
            if len(words) == 1:
                (exact if whole else prefix).setdefault(words[0], set()).add(concept)
            else:  # several words: each must follow the one before, each by prefix
                phrases.setdefault(words[0], {}).setdefault(tuple(words[1:]), set()).add(concept)
    compiled = _Compiled(
        prefix={k: tuple(sorted(v)) for k, v in prefix.items()},
        exact={k: tuple(sorted(v)) for k, v in exact.items()},
        lengths=tuple(sorted({len(k) for k in prefix}, reverse=True)),
        phrase_first={k: tuple((rest, tuple(sorted(c))) for rest, c in sorted(v.items())) for k, v in phrases.items()},
        first_lengths=tuple(sorted({len(k) for k in phrases}, reverse=True)),
    )
    return Lexicon(compiled)
