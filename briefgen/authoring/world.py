"""General knowledge the entity suggestions read: the world's countries, regions and capitals, and the
proper adjectives and nouns that name no entity (nationalities, languages, religions, peoples).

Not a list of a story's names: every country, continent and national capital,
as an atlas has them, so that "Kenya" and "Kyiv" are places even where no
preposition says so; and
every demonym, language and religion, so that "Kenyan", "Swahili" and "Sunni"
are never suggested as a place or a person. Pure data, lowercase.
"""

from __future__ import annotations

# Country (as news writes it) → its demonyms. Several spellings of one country are separate keys.
_COUNTRIES = {
    "afghanistan": "afghan", "albania": "albanian", "algeria": "algerian", "andorra": "andorran",
    "angola": "angolan", "antigua": "antiguan", "argentina": "argentine argentinian", "armenia": "armenian",
    "australia": "australian aussie", "austria": "austrian", "azerbaijan": "azerbaijani azeri",
    "bahamas": "bahamian", "bahrain": "bahraini", "bangladesh": "bangladeshi", "barbados": "barbadian bajan",
    "belarus": "belarusian belarussian", "belgium": "belgian", "belize": "belizean", "benin": "beninese",
    "bhutan": "bhutanese", "bolivia": "bolivian", "bosnia": "bosnian", "botswana": "motswana batswana",
    "brazil": "brazilian", "brunei": "bruneian", "bulgaria": "bulgarian", "burkina faso": "burkinabe",
    "burundi": "burundian", "cambodia": "cambodian khmer", "cameroon": "cameroonian", "canada": "canadian",
    "cape verde": "cape_verdean", "cabo verde": "cape_verdean", "central african republic": "central_african",
    "chad": "chadian", "chile": "chilean", "china": "chinese", "colombia": "colombian", "comoros": "comorian",
    "congo": "congolese", "democratic republic of congo": "congolese",
    "democratic republic of the congo": "congolese", "republic of congo": "congolese",
    "costa rica": "costa_rican", "croatia": "croatian croat", "cuba": "cuban", "cyprus": "cypriot",
    "czech republic": "czech", "czechia": "czech", "denmark": "danish dane", "djibouti": "djiboutian",
    "dominica": "dominican", "dominican republic": "dominican", "east timor": "timorese",
    "timor-leste": "timorese", "ecuador": "ecuadorian ecuadorean", "egypt": "egyptian",
    "el salvador": "salvadoran salvadorean", "equatorial guinea": "equatoguinean", "eritrea": "eritrean",
    "estonia": "estonian", "eswatini": "swazi", "swaziland": "swazi", "ethiopia": "ethiopian", "fiji": "fijian",
    "finland": "finnish finn", "france": "french", "gabon": "gabonese", "gambia": "gambian",
    "georgia": "georgian", "germany": "german", "ghana": "ghanaian", "greece": "greek", "grenada": "grenadian",
    "guatemala": "guatemalan", "guinea": "guinean", "guinea-bissau": "bissau-guinean", "guyana": "guyanese",
    "haiti": "haitian", "honduras": "honduran", "hungary": "hungarian", "iceland": "icelandic icelander",
    "india": "indian", "indonesia": "indonesian", "iran": "iranian persian", "iraq": "iraqi",
    "ireland": "irish", "israel": "israeli", "italy": "italian", "ivory coast": "ivorian",
    "côte d'ivoire": "ivorian", "cote d'ivoire": "ivorian", "jamaica": "jamaican", "japan": "japanese",
    "jordan": "jordanian", "kazakhstan": "kazakh kazakhstani", "kenya": "kenyan", "kiribati": "i-kiribati",
    "kosovo": "kosovar kosovan", "kuwait": "kuwaiti", "kyrgyzstan": "kyrgyz", "laos": "laotian lao",
    "latvia": "latvian", "lebanon": "lebanese", "lesotho": "basotho mosotho", "liberia": "liberian",
    "libya": "libyan", "liechtenstein": "liechtensteiner", "lithuania": "lithuanian",
    "luxembourg": "luxembourgish luxembourger", "madagascar": "malagasy", "malawi": "malawian",
    "malaysia": "malaysian", "maldives": "maldivian", "mali": "malian", "malta": "maltese",
    "marshall islands": "marshallese", "mauritania": "mauritanian", "mauritius": "mauritian",
    "mexico": "mexican", "micronesia": "micronesian", "moldova": "moldovan", "monaco": "monegasque",
    "mongolia": "mongolian", "montenegro": "montenegrin", "morocco": "moroccan", "mozambique": "mozambican",
    "myanmar": "burmese myanmarese", "burma": "burmese", "namibia": "namibian", "nauru": "nauruan",
    "nepal": "nepali nepalese", "netherlands": "dutch", "holland": "dutch", "new zealand": "new_zealander kiwi",
    "nicaragua": "nicaraguan", "niger": "nigerien", "nigeria": "nigerian", "north korea": "north_korean",
    "north macedonia": "macedonian", "macedonia": "macedonian", "norway": "norwegian", "oman": "omani",
    "pakistan": "pakistani", "palau": "palauan", "palestine": "palestinian", "panama": "panamanian",
    "papua new guinea": "papua_new_guinean", "paraguay": "paraguayan", "peru": "peruvian",
    "philippines": "filipino philippine filipina", "poland": "polish pole", "portugal": "portuguese",
    "qatar": "qatari", "romania": "romanian", "russia": "russian", "rwanda": "rwandan", "samoa": "samoan",
    "san marino": "sammarinese", "saudi arabia": "saudi", "senegal": "senegalese", "serbia": "serbian serb",
    "seychelles": "seychellois", "sierra leone": "sierra_leonean", "singapore": "singaporean",
    "slovakia": "slovak slovakian", "slovenia": "slovenian slovene", "solomon islands": "solomon_islander",
    "somalia": "somali", "south africa": "south_african", "south korea": "south_korean korean",
    "korea": "korean", "south sudan": "south_sudanese", "spain": "spanish spaniard", "sri lanka": "sri_lankan",
    "sudan": "sudanese", "suriname": "surinamese", "sweden": "swedish swede", "switzerland": "swiss",
    "syria": "syrian", "taiwan": "taiwanese", "tajikistan": "tajik", "tanzania": "tanzanian", "thailand": "thai",
    "togo": "togolese", "tonga": "tongan", "trinidad and tobago": "trinidadian", "tunisia": "tunisian",
    "turkey": "turkish turk", "türkiye": "turkish turk", "turkmenistan": "turkmen", "tuvalu": "tuvaluan",
    "uganda": "ugandan", "ukraine": "ukrainian", "united arab emirates": "emirati",
    "united kingdom": "british briton brit", "britain": "british briton brit", "great britain": "british",
    "england": "english", "scotland": "scottish scot scots", "wales": "welsh", "northern ireland": "northern_irish",
    "united states": "american", "america": "american", "uruguay": "uruguayan", "uzbekistan": "uzbek",
    "vanuatu": "ni-vanuatu", "vatican": "", "vatican city": "", "venezuela": "venezuelan",
    "vietnam": "vietnamese", "viet nam": "vietnamese", "yemen": "yemeni", "zambia": "zambian",
    "zimbabwe": "zimbabwean", "hong kong": "hongkonger", "macau": "macanese", "puerto rico": "puerto_rican",
    "greenland": "greenlandic greenlander", "gaza": "gazan", "west bank": "", "tibet": "tibetan",
    "kurdistan": "kurdish kurd", "catalonia": "catalan", "chechnya": "chechen", "crimea": "crimean",
}
# Abbreviations news writes for countries (as `normal` folds them: no dots, lowercase).
_COUNTRY_ABBREVIATIONS = frozenset({"us", "usa", "uk", "uae", "drc", "prc"})

# Continents and the regions news names like countries.
REGIONS = frozenset(name.strip() for name in """
africa, asia, europe, antarctica, oceania, arctic, americas, eurasia, scandinavia, balkans, caribbean, sahel,
maghreb, levant, caucasus, siberia, patagonia, mesopotamia, north america, south america, latin america,
central america, middle east, near east, far east, east africa, west africa, north africa, southern africa,
central africa, horn of africa, sub-saharan africa, east asia, south asia, southeast asia, central asia,
west asia, asia-pacific, eastern europe, western europe, central europe, northern europe, southern europe,
gulf, persian gulf, arabian peninsula, indian subcontinent
""".split(","))

# National capitals, as news writes them: "Moscow said", "talks in Kyiv and Brussels". Left out: capitals
# whose names are also common given names, surnames or words ("Victoria", "Sofia", "Santiago", "Colombo",
# "Male"), and "Washington" (George Washington, Denzel Washington): context decides those.
CAPITALS = frozenset(name.strip() for name in """
kabul, tirana, algiers, andorra la vella, luanda, buenos aires, yerevan, canberra, vienna, baku, nassau, manama,
dhaka, bridgetown, minsk, brussels, belmopan, porto-novo, thimphu, la paz, sucre, sarajevo, gaborone, brasilia,
brasília, bandar seri begawan, ouagadougou, gitega, bujumbura, phnom penh, yaounde, yaoundé, ottawa, praia, bangui,
n'djamena, beijing, bogota, bogotá, moroni, kinshasa, brazzaville, san jose, san josé, zagreb, havana, nicosia,
prague, copenhagen, djibouti, roseau, santo domingo, dili, quito, cairo, san salvador, malabo, asmara, tallinn,
mbabane, addis ababa, suva, helsinki, paris, libreville, banjul, tbilisi, berlin, accra, athens, guatemala city,
conakry, bissau, port-au-prince, tegucigalpa, budapest, reykjavik, new delhi, delhi, jakarta, tehran, baghdad,
dublin, jerusalem, tel aviv, rome, yamoussoukro, abidjan, tokyo, amman, astana, nairobi, tarawa, pristina,
kuwait city, bishkek, vientiane, riga, beirut, maseru, monrovia, tripoli, vaduz, vilnius, antananarivo,
lilongwe, kuala lumpur, bamako, valletta, majuro, nouakchott, port louis, mexico city, chisinau, monaco,
ulaanbaatar, ulan bator, podgorica, rabat, maputo, naypyidaw, yangon, windhoek, kathmandu, amsterdam, the hague,
wellington, managua, niamey, abuja, pyongyang, skopje, oslo, muscat, islamabad, ngerulmud, ramallah, panama city,
port moresby, asuncion, asunción, lima, manila, warsaw, lisbon, doha, bucharest, moscow, kigali, apia, san marino,
riyadh, dakar, belgrade, freetown, singapore, bratislava, ljubljana, honiara, mogadishu, pretoria, cape town,
seoul, juba, madrid, khartoum, paramaribo, stockholm, bern, damascus, taipei, dushanbe, dodoma, dar es salaam,
bangkok, lome, lomé, nuku'alofa, port of spain, tunis, ankara, ashgabat, funafuti, kampala, kyiv, kiev,
abu dhabi, london, montevideo, tashkent, port vila, vatican city, caracas, hanoi, sanaa, sana'a, lusaka, harare,
hong kong, macau, gaza city, edinburgh, cardiff, belfast
""".split(","))

# Regional and religious adjectives and peoples: not countries' demonyms, no entity either.
_OTHER_PEOPLES = """
african asian european american latin arab arabian western eastern northern southern middle-eastern
nordic scandinavian baltic balkan caribbean pacific atlantic mediterranean oriental occidental
anglo-saxon hispanic latino latina indigenous aboriginal native inuit maori pasifika sami bedouin berber
amazigh kurd kurdish pashtun hazara tajik baloch sindhi punjabi bengali tamil sinhalese rohingya uyghur
uighur tibetan han zulu xhosa maasai kikuyu luo kalenjin hausa yoruba igbo fulani tuareg tutsi hutu
amhara oromo tigrayan somali afar dinka nuer copt druze yazidi alawite chechen dagestani tatar cossack
flemish walloon basque catalan galician corsican sardinian sicilian bavarian prussian cornish gaelic
celtic slavic slav germanic latinx roma romani sinti creole mestizo afro-american african-american
""".split()

LANGUAGES = frozenset("""
english french spanish portuguese arabic mandarin cantonese hindi urdu bengali bangla swahili kiswahili
hausa yoruba igbo amharic tigrinya oromo somali zulu xhosa afrikaans sesotho setswana shona lingala
kinyarwanda kirundi wolof fula fulfulde malagasy russian ukrainian belarusian german italian dutch flemish
polish czech slovak hungarian romanian bulgarian serbian croatian bosnian slovene slovenian albanian greek
turkish persian farsi dari pashto kurdish hebrew yiddish aramaic armenian georgian azerbaijani kazakh uzbek
kyrgyz turkmen tajik mongolian tibetan uyghur chinese japanese korean vietnamese thai khmer lao burmese
malay indonesian javanese sundanese tagalog filipino cebuano tamil telugu kannada malayalam marathi
gujarati punjabi sindhi nepali sinhala sinhalese latin esperanto catalan basque galician welsh irish
scots gaelic breton maori samoan tongan fijian hawaiian quechua aymara guarani nahuatl mayan creole
patois danish swedish norwegian finnish icelandic estonian latvian lithuanian maltese luxembourgish
""".split())

RELIGIONS = frozenset("""
muslim muslims islam islamic islamist islamists christian christians christianity christendom catholic
catholics catholicism roman protestant protestants protestantism orthodox evangelical evangelicals
anglican anglicans episcopalian lutheran lutherans methodist methodists baptist baptists presbyterian
presbyterians pentecostal pentecostals mormon mormons calvinist quaker quakers adventist jehovah's
jewish jew jews judaism hasidic haredi haredim ultra-orthodox zionist zionists hindu hindus hinduism
buddhist buddhists buddhism sikh sikhs sikhism jain jains jainism sunni sunnis shia shias shi'ite
shi'ites shiite shiites shi'a alawite alawites druze sufi sufis sufism salafi salafis salafist
salafists wahhabi wahhabis ahmadi ahmadis ahmadiyya ismaili ismailis yazidi yazidis coptic copt copts
zoroastrian zoroastrians baha'i bahai taoist taoism confucian confucianism shinto rastafarian
rastafarians pagan pagans atheist atheists agnostic secular
""".split())


def _plural(word: str) -> str | None:
    if word.endswith(("ese", "ss", "sh", "ch", "i")):
        return None
    return word + "s"


COUNTRIES = frozenset(_COUNTRIES) | _COUNTRY_ABBREVIATIONS
DEMONYMS: frozenset[str] = frozenset(
    form
    for demonyms in (*(names.split() for names in _COUNTRIES.values()), _OTHER_PEOPLES)
    for demonym in demonyms
    for form in (demonym.replace("_", " "), _plural(demonym.replace("_", " ")))
    if form
) | frozenset({"south_african", "south_africans", "north_korean", "north_koreans", "south_korean",
               "south_koreans", "new_zealander", "new_zealanders", "sri_lankan", "sri_lankans",
               "costa_rican", "costa_ricans", "puerto_rican", "puerto_ricans", "saudi arabian",
               "sierra_leonean", "sierra_leoneans", "south_sudanese", "central_african", "cape_verdean",
               "papua_new_guinean", "northern_irish", "latin american", "latin americans", "north american",
               "south american", "central american", "middle eastern", "west african", "east african",
               "north african", "southeast asian", "central asian", "east asian", "south asian",
               "iraqi kurdish", "gazans", "palestinians", "israelis", "iraqis", "pakistanis", "yemenis",
               "saudis", "emiratis", "qataris", "omanis", "kuwaitis", "bahrainis", "somalis", "afghans",
               "filipinos", "filipinas", "thais", "danes", "swedes", "finns", "poles", "czechs", "slovaks",
               "turks", "greeks", "croats", "serbs", "scots", "britons", "brits", "dutchmen", "frenchmen",
               "englishmen", "irishmen", "welshmen", "kiwis", "aussies", "americans"})
# What is never an entity's whole name: nationalities and peoples, languages, religions and their followers.
NOT_ENTITIES = (DEMONYMS | LANGUAGES | RELIGIONS) - COUNTRIES - REGIONS - CAPITALS  # "Philippines"


WORLD_PLACES = COUNTRIES | REGIONS | CAPITALS


def is_country_or_region(key: str) -> bool:
    """`key` (as `lines.normal` makes it) names a country, a region of the world or a capital."""
    return key in WORLD_PLACES or (key.startswith("the ") and key[4:] in WORLD_PLACES)


def is_adjective_or_people(key: str) -> bool:
    """`key` is made only of nationalities, peoples, languages and religions ("Sunni Muslims")."""
    return key in NOT_ENTITIES or all(word in NOT_ENTITIES for word in key.split())


# Words before "of" that make a country's formal name: "Democratic Republic of Congo", "Kingdom of Spain".
COUNTRY_FORMS = frozenset("""democratic republic people's peoples kingdom federal federative united islamic state
states commonwealth federation arab socialist hashemite principality grand duchy sultanate emirate plurinational
bolivarian oriental co-operative cooperative""".split())
# Names news gives one country (as `lines.normal` folds them).
_SYNONYMS = (
    ("united states", "united states of america", "us", "usa", "america"),
    ("united kingdom", "uk", "britain", "great britain"),
    ("democratic republic of congo", "democratic republic of the congo", "drc"),
    ("netherlands", "holland"), ("ivory coast", "côte d'ivoire", "cote d'ivoire"), ("myanmar", "burma"),
    ("czech republic", "czechia"), ("turkey", "türkiye"), ("united arab emirates", "uae"),
    ("eswatini", "swaziland"), ("east timor", "timor-leste"), ("cape verde", "cabo verde"),
    ("vatican", "vatican city", "holy see"), ("china", "people's republic of china", "prc"),
    ("vietnam", "viet nam"), ("north macedonia", "macedonia"),
)
_SYNONYM_GROUP = {name: number for number, names in enumerate(_SYNONYMS) for name in names}


def same_country(one: str, other: str) -> bool:
    """Two names (as `lines.normal` folds them) of one country: "U.S." and "United States"."""
    group = _SYNONYM_GROUP.get(one.removeprefix("the "))
    return group is not None and group == _SYNONYM_GROUP.get(other.removeprefix("the "))
