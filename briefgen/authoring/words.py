"""Word lists the entity suggestions read: kinds of words, never names of entities."""

from __future__ import annotations

import re

STOPWORDS = frozenset("""
a an the and or but nor so yet for of in on at to from by with without about after before during since
until till while as if when whenever where wherever why how what who whom whose which that this these
those there here it its he she they we you i his her hers their theirs our ours your yours my mine him
them us me no not yes all any some each every both either neither many much more most few fewer less
least several such other others another one two three four five six seven eight nine ten first second
third last next also even just only still then than now however meanwhile moreover furthermore
nevertheless nonetheless although though because despite instead later earlier today yesterday
tomorrow tonight already again once twice perhaps maybe indeed finally overall according under over
into onto upon within across against among amid amidst between beyond through throughout toward towards
via per like unlike near outside inside above below behind beside besides off out up down do does did
done is are was were be been being has have had having will would shall should can could might must
let lets whether unless whereas thus hence therefore otherwise elsewhere everyone everything everybody
nobody none nothing someone something somebody anyone anything anybody whoever whatever whichever
ago soon yet too very really quite rather almost nearly around along amongst beneath
why okay ok oh well please thanks thank dear hello hi
""".split())

# Words that start sentences but seldom names: dropped when they come first in a sentence.
SENTENCE_STARTERS = frozenset("""
officials critics protesters experts analysts lawmakers authorities residents investigators
prosecutors officers witnesses sources reports people many most some several senior top former
local federal national regional government police troops soldiers voters supporters opponents
democrats republicans conservatives liberals observers economists scientists researchers doctors
students workers teachers parents children families leaders members citizens users customers
earlier later asked speaking writing meanwhile separately additionally still yet instead rather
overall elsewhere despite following during after before under amid while asked told said says
breaking update updated exclusive analysis opinion editorial watch read listen photo video
according speaking both neither either each every all any another other such whether
""".split())

MONTHS = frozenset("""january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec""".split())
WEEKDAYS = frozenset("""monday tuesday wednesday thursday friday saturday sunday
mon tue tues wed thu thur thurs fri sat sun""".split())
# Months that are also given names or surnames: they may end a name ("Theresa May").
NAME_MONTHS = frozenset({"may", "june", "april", "august"})
NOT_NAMES = frozenset("i internet web covid coronavirus mrna dna rna".split())
# Ordinals that start names when capitalised mid-sentence: "Second Thomas Shoal", "Fifth Avenue".
ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())

# Titles before a name: "President Donald Trump", "Sen. Ted Cruz", "Dr Who".
TITLES = frozenset("""
president presidents vice premier chancellor minister ministers secretary secretary-general senator sen
rep representative congressman congresswoman gov governor mayor judge justice king queen prince
princess pope emperor empress sheikh sheik emir sultan ayatollah general gen lt lieutenant col colonel
maj major capt captain sgt sergeant admiral adm commander cmdr ambassador envoy chairman chairwoman
chairperson chair chief ceo cfo coo cto director commissioner attorney speaker leader dr mr mrs ms mx
miss sir dame lord lady rev reverend father rabbi imam cardinal archbishop bishop professor prof coach
officer detective inspector sheriff deputy dean agent councillor councilor councilman councilwoman
assemblyman assemblywoman delegate baron baroness duke duchess earl count countess crown president-elect
spokesman spokeswoman spokesperson manager superintendent marshal mufti patriarch chancellor-elect
""".split())
# Words that make a title longer without being a name: "Senate Majority Leader", "Secretary of State".
TITLE_PARTS = frozenset("""
former acting interim deputy vice assistant associate executive senior junior chief first second
majority minority foreign defense defence interior home finance state staff treasury justice health
commerce labor labour energy education transportation transport agriculture environment trade affairs
security intelligence economy culture sports sport housing veterans homeland general prime supreme energy
mining mines water tourism information communications planning industry oil petroleum fisheries youth science
technology digital climate immigration employment social welfare family infrastructure development budget lands
power aviation
national opposition party house senate armed forces joint of the and for
""".split())
TITLE_WORDS = TITLES | TITLE_PARTS
# Lowercase roles just before a name: "press secretary Sarah Sanders", "special counsel Robert Mueller".
ROLES = frozenset("""
president vice-president premier chancellor minister secretary senator lawmaker legislator congressman
congresswoman representative governor mayor judge justice king queen prince princess pope ambassador
envoy diplomat adviser advisor aide counsel attorney lawyer prosecutor spokesman spokeswoman
spokesperson chairman chairwoman chair chief ceo founder co-founder executive director commissioner
speaker leader candidate nominee challenger incumbent rival official officer detective sheriff
inspector agent investigator analyst economist strategist pollster professor researcher scientist
historian expert author writer novelist poet journalist reporter correspondent columnist editor
publisher anchor host presenter actor actress singer rapper musician artist producer filmmaker coach
manager player striker midfielder defender goalkeeper forward quarterback pitcher champion star
billionaire businessman businesswoman entrepreneur investor tycoon activist campaigner dissident
blogger deputy general colonel commander admiral captain sergeant lieutenant soldier doctor surgeon
physician nurse teacher student victim suspect defendant plaintiff witness son daughter wife husband
mother father brother sister widow partner colleague predecessor successor friend boss owner
director-general secretary-general opener batsman batter bowler winger fullback sprinter runner marathoner
cyclist swimmer boxer wrestler jockey driver rider skipper referee umpire chemist biochemist physicist
astronomer astronaut engineer architect farmer fisherman miner pilot lawyer barrister solicitor
""".split())
# Endings of words for what a person does: "hydrologist", "statistician", "photographer".
ROLE_ENDINGS = ("ologist", "ographer", "ician", "onomist")
# Roles that follow an organization: "Kremlin spokesman", "Tesla chief executive", "White House officials".
ORG_FOLLOWERS = frozenset("""
spokesman spokeswoman spokesperson ceo cfo chief chairman chairwoman founder co-founder executives
shareholders employees staffers board official officials economist economists analysts group coach manager
party movement militia president owner owners administrator
striker midfielder defender goalkeeper captain players fans
""".split())
# What an appositive calls a name: "the Muslim Brotherhood, a group ...", "Mosul, the city ...".
APPOSITIVE_ORGS = frozenset("""
group company firm organization organisation party movement agency network militia charity union
bank startup broadcaster newspaper airline carrier retailer maker manufacturer conglomerate outlet
channel club team band insurer lender regulator watchdog
""".split())
APPOSITIVE_PLACES = frozenset("""
city town village capital region province state country island district neighborhood neighbourhood
suburb port county territory republic kingdom
""".split())
# What a name of an organization follows: "chipmaker Kasumi", "state miner Gecamines", "brands such as Zara".
ORG_CUES = frozenset("""
company companies firm firms group groups conglomerate maker makers manufacturer manufacturers producer
producers miner miners operator operators distributor distributors supplier suppliers exporter exporters
developer developers retailer retailers chipmaker chipmakers carmaker carmakers automaker automakers drugmaker
drugmakers airline airlines carrier carriers broadcaster broadcasters newspaper newspapers daily magazine
publisher lender lenders insurer insurers bank banks brand brands label studio studios startup startups
subsidiary giant giants agency agencies regulator watchdog charity charities organisation organization
organisations organizations network channel outlet platform service utility utilities club clubs team teams
party parties movement militia union unions federation association provider providers
""".split())
# Nouns for places, before ("the capital Sanaa", "the city of Adiyaman") or after ("the Konkan region") a name.
PLACE_NOUNS = frozenset("""
city cities town towns village villages capital port province provinces region regions district districts
county counties state states department departments island islands prefecture prefectures municipality
governorate oblast canton territory territories neighbourhood neighborhood suburb suburbs camp camps wetlands basin
ports belt belts area areas outskirts airport airports community communities valley valleys river lake
mountains hills coast peninsula desert plain plains highlands lowlands bay
""".split())
SPEECH_VERBS = frozenset("""
said says told tweeted wrote added asked argued insisted warned noted explained stated testified
replied responded claimed acknowledged admitted agreed disagreed denied recalled urged conceded
confirmed declared posted insists argues warns notes explains claims denies urges recalls adds asks
""".split())
PLACE_CUES = frozenset("""
in from to into near across outside throughout toward towards via within around visit visits visited
visiting northern southern eastern western central northeastern northwestern southeastern southwestern
""".split())
# Head words of organization names: "White House", "Bank of England", "Democratic Party".
ORG_WORDS = frozenset("""
inc inc. corp corp. corporation co co. ltd ltd. llc plc ag gmbh group holdings party council senate
house congress parliament assembly ministry department agency committee commission bank university
college institute institution school academy foundation association society union court office
bureau service services police army navy guard forces force company airlines airways motors
pharmaceuticals technologies systems partners capital fund reserve authority board church club
cabinet administration federation organization organisation alliance coalition movement front league
network times post journal news press herald tribune gazette television radio broadcasting studios
records hospital clinic museum tribunal secretariat directorate command corps brigade regiment
embassy consulate exchange center centre centers centres laboratory laboratories labs trust
commonwealth conference confederation caucus nations nation observatory unit programme semiconductor
semiconductors mining
machines international insurance electronics telecom telecoms energy petroleum resources industries
enterprises media entertainment financial logistics shipping foods minerals metals chemicals pharma
biotech therapeutics aerospace steel cement ventures investments developments construction
engineering liga llp lp sa nv bv spa pty pte bhd tbk srl synod
""".split())
# First words of organizations' names in other languages and of clubs: "Banque du Liban", "Real Madrid".
ORG_STARTS = frozenset("""banque banco banca compagnie société societe grupo groupe gruppo instituto institut
universidad université universidade università universität olympique real atletico atlético athletic sporting
deportivo club fc ac partido parti fundación fondation fundação""".split())
# What a member of a party is called after a place: "a New York Democrat".
PARTISANS = frozenset("democrat democrats republican republicans tory tories".split())
# Head words of place names: "Silicon Valley", "Gulf of Mexico", "United Kingdom".
PLACE_WORDS = frozenset("""
city county province island islands river lake mountain mountains valley bay sea ocean peninsula
strait gulf street avenue road square park airport bridge beach coast district region republic
kingdom emirates states territory territories desert canyon port harbor harbour heights hills
plaza village town township borough oblast prefecture canton isle isles straits channel basin
basilica cathedral mosque temple stadium arena hotel palace shoal reef atoll dam canal wetlands
plateau delta glacier volcano falls tower monastery shrine
""".split())
# Words that start place names rather than people's: "New York", "North Korea", "San Francisco".
PLACE_STARTS = frozenset("""
new north south east west northern southern eastern western upper lower central great greater saint
st san santa los las el la le port fort mount lake cape united
""".split())
# Lowercase particles inside names: "Ludwig van Beethoven", "Bashar al-Assad", "Charles de Gaulle".
PARTICLES = frozenset("van von der den de del della di da du dos das le la bin ibn al el ben abu y".split())
# Hyphenated prefixes that are not part of the name: "anti-Trump", "pro-Kremlin".
PREFIXES = frozenset("anti pro ex non post pre mid neo pan trans un".split())
# A capitalised word with one of these endings is more likely a nationality than a name.
DEMONYM_ENDINGS = ("ian", "ean", "ese", "ish", "ch", "an", "ic", "i")
# Common abbreviations whose period does not end a sentence.
# All-capital words that are not acronyms of entities.
NOT_ACRONYMS = frozenset("""ceo cfo coo cto gdp tv am pm ok id dna rna mrna hiv aids pcr lng lpg ev evs suv ipo etf
gps atm vat icu mri ufo esg ai it iq ps pr hq rip vip ad bc ce bce et est
edt gmt utc pst pdt cst cdt bst cet mp mps ii iii iv vi vii viii ix xi xii usd eur gbp ap afp upi pdf""".split())
# Words after a possessive that say what owns them: "Russia's president", "Apple's shares".
OWNED_BY_PLACES = frozenset("""
president prime premier chancellor king queen government capital parliament army military economy
border borders foreign defence defense interior central ambassador embassy population citizens
largest biggest second-largest coast cities regions provinces states national ruling constitution
""".split())
OWNED_BY_ORGS = frozenset("""
ceo chief chairman chairwoman founder shares stock board shareholders employees profit profits revenue
revenues sales spokesman spokeswoman spokesperson headquarters subsidiary products app platform
""".split())
# How an appositive that says what a name is begins: "Beto O'Rourke, the former congressman".
APPOSITIVE_STARTS = frozenset("a an the former then his her their its".split())
# Words after which a name is not a person's: "his 24th Grand Slam", "the Grand Canyon".
DETERMINERS = frozenset("the a an his her its their our my your this that these those whose".split())
NOT_BEFORE_PEOPLE = frozenset("at in inside near outside across throughout into".split())
WEAK_PLACE_CUES = frozenset({"at", "on"})
# Words before "in" or "of" that make what follows a company: "shares in Rolls-Royce".
STAKES = frozenset("shares stake stakes stock investment investors investor holding holdings".split())
CREDIT = re.compile(r"^\(?\s*(?:(?:additional\s+)?reporting|writing|editing|compiled|photos?)\s+by\b|"
                    r"contributed to this report", re.IGNORECASE)
# Words of events' names, which are no person, organization or place: "World Cup", "Nobel Prize".
EVENT_WORDS = frozenset("""cup championship championships olympics olympiad prize prizes award awards festival
marathon derby tournament expo summit day cyclone hurricane typhoon storm""".split())
# Common nouns that start sentences and, alone, name nothing: "Church leaders said", "Rights group X said".
GENERIC_STARTERS = frozenset("""rights aid human tour opposition government state federal national international
regional local global world church union unions council airlines police army military court""".split())
# Possessors inside names: "People's Bank of China", "Children's Hospital", "Workers' Party".
POSSESSIVES_IN_NAMES = frozenset("people peoples children women men workers citizens farmers".split())
