#!/usr/bin/env python3
"""Generate eval/phi/notes_blind.jsonl: a blind, synthetic, labeled PHI set.

Standard library only; deterministic (fixed seed).  Every record is
    {"text": ..., "spans": [{"start", "end", "label"}], "style": ...}
with start/end as Unicode code-point offsets into text (end exclusive).

Labels: PERSON, ADDRESS, LOCATION, CONDITION, MEDICATION, DATE, AGE.

Labelling conventions used here:
  * PERSON     - the name only (not "Dr.", "Mrs.", "DAUGHTER").
  * ADDRESS    - the street line incl. unit/flat/building ("Flat 3B, 12 Kings
                 Road", "220 Oak St Apt 4B"); a ZIP / postcode / PIN that is
                 part of the address line is its own ADDRESS span.
  * LOCATION   - city / town / neighbourhood / county ("Dayton",
                 "Koramangala", "Fairfax County", "Kent").  US states,
                 countries and named facilities ("Sunrise Manor") are NOT
                 labelled.
  * CONDITION  - the diagnosis itself, without a leading article
                 ("a broken ankle" -> "broken ankle"). Symptoms such as SOB,
                 fever or cough in the templates are NOT labelled.
  * MEDICATION - the drug name only, never the dose or frequency.
  * DATE       - specific calendar dates (incl. DOB); relative expressions
                 ("next week", "last year") are not labelled.
  * AGE        - only ages over 89; younger ages stay unlabelled.

Styles: nursing_caps, clinical_mixed, chat_lower, chat_normal,
chat_caps_or_shouting, and clean (no PII, empty spans).

All names, places, conditions and drugs below were written for this file.
"""

import json
import os
import re
import sys
from collections import Counter, defaultdict
import random

SEED = 61_803
RECORDS_PER_STYLE = 72
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes_blind.jsonl")

# ----------------------------------------------------------------------------
# Value pools
# ----------------------------------------------------------------------------

# origin -> (female first names, male first names, surnames)
# Surnames given as (male_form, female_form) are gendered (Polish).
ORIGINS = {
    "english": (
        ["Margaret", "Linda", "Susan", "Emily", "Charlotte", "Hannah", "Ruth", "Olivia"],
        ["George", "Thomas", "Harold", "William", "James", "Oliver", "Edward", "Peter"],
        ["Thompson", "Whitaker", "Hughes", "Baker", "Fletcher", "Harrington", "Cartwright", "Pemberton"],
    ),
    "hispanic": (
        ["Maria", "Guadalupe", "Sofia", "Lucia", "Carmen", "Rosa", "Valentina", "Ximena"],
        ["Jose", "Alejandro", "Miguel", "Luis", "Javier", "Diego", "Mateo", "Ramon"],
        ["Gonzalez", "Hernandez", "Ramirez", "Castillo", "Morales", "Ortega", "Delgado", "Fuentes"],
    ),
    "indian": (
        ["Priya", "Ananya", "Lakshmi", "Meera", "Kavita", "Sunita", "Deepika", "Asha"],
        ["Rahul", "Arjun", "Vikram", "Suresh", "Rajesh", "Sanjay", "Karthik", "Amit"],
        ["Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Chatterjee", "Deshpande", "Venkatesan"],
    ),
    "chinese": (
        ["Mei", "Xiuying", "Li Na", "Jing", "Yan", "Hui"],
        ["Wei", "Jun", "Hao", "Zhiwei", "Qiang", "Bo"],
        ["Chen", "Wang", "Zhang", "Liu", "Huang", "Zhou", "Xu"],
    ),
    "vietnamese": (
        ["Linh", "Thao", "Lan", "Huong", "Ngoc Anh"],
        ["Minh", "Duc", "Quang", "Tuan", "Bao"],
        ["Nguyen", "Tran", "Pham", "Le", "Vo", "Dang", "Huynh"],
    ),
    "nigerian": (
        ["Chiamaka", "Ngozi", "Funmilayo", "Adaeze", "Folake", "Yetunde"],
        ["Chinedu", "Emeka", "Oluwaseun", "Tunde", "Babatunde", "Ifeanyi", "Obinna"],
        ["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Adebayo", "Ogunleye"],
    ),
    "arabic": (
        ["Fatima", "Layla", "Noor", "Mariam", "Yasmin", "Huda"],
        ["Ahmed", "Omar", "Khalid", "Youssef", "Tariq", "Hassan"],
        ["Al-Sayed", "Haddad", "Mansour", "Khalil", "Nasser", "Farouk", "Abdullah"],
    ),
    "german": (
        ["Ingrid", "Greta", "Heike", "Ursula", "Katrin", "Anke"],
        ["Klaus", "Jürgen", "Dieter", "Lukas", "Matthias", "Stefan"],
        ["Schmidt", "Müller", "Becker", "Hoffmann", "Schröder", "Wagner", "Krause"],
    ),
    "polish": (
        ["Agnieszka", "Katarzyna", "Małgorzata", "Zofia", "Ewa", "Joanna"],
        ["Krzysztof", "Tomasz", "Piotr", "Wojciech", "Marek", "Paweł"],
        ["Nowak", "Wójcik", "Mazur", "Krawczyk", ("Kowalski", "Kowalska"),
         ("Wiśniewski", "Wiśniewska"), ("Lewandowski", "Lewandowska"), ("Kamiński", "Kamińska")],
    ),
    "irish": (
        ["Siobhan", "Aoife", "Niamh", "Maeve", "Bridget", "Roisin"],
        ["Declan", "Padraig", "Cormac", "Eoin", "Seamus", "Ciaran"],
        ["O'Sullivan", "Murphy", "Byrne", "O'Connor", "Gallagher", "McCarthy", "Doyle", "Fitzgerald"],
    ),
    "korean": (
        ["Ji-woo", "Seo-yeon", "Min-ji", "Eun-ji", "Hye-jin", "Soo-ah"],
        ["Min-jun", "Ji-hoon", "Seung-ho", "Dong-hyun", "Jae-won", "Hyun-woo"],
        ["Kim", "Park", "Choi", "Jung", "Kang", "Yoon", "Lim"],
    ),
    "filipino": (
        ["Maricel", "Rowena", "Jocelyn", "Analyn", "Maria Cristina", "Lorna"],
        ["Jomar", "Rodel", "Ramil", "Arnel", "Jericho", "Efren"],
        ["Santos", "Reyes", "Dela Cruz", "Bautista", "Villanueva", "Manalo", "Aquino", "Mendoza"],
    ),
}
SURNAME_FIRST = {"chinese", "korean", "vietnamese"}

# (city, state abbreviation, 3-digit ZIP prefix)
US_CITIES = [
    ("Dayton", "OH", "454"), ("Springfield", "IL", "627"), ("Boise", "ID", "837"),
    ("Tucson", "AZ", "857"), ("Albany", "NY", "122"), ("Tulsa", "OK", "741"),
    ("Fresno", "CA", "937"), ("Raleigh", "NC", "276"), ("Macon", "GA", "312"),
    ("Duluth", "MN", "558"), ("Bangor", "ME", "044"), ("Lubbock", "TX", "794"),
    ("Provo", "UT", "846"), ("Toledo", "OH", "436"), ("Flint", "MI", "485"),
    ("Erie", "PA", "165"), ("Pueblo", "CO", "810"), ("Ames", "IA", "500"),
    ("Billings", "MT", "591"), ("Asheville", "NC", "288"), ("Savannah", "GA", "314"),
    ("Chattanooga", "TN", "374"), ("Spokane", "WA", "992"), ("Reno", "NV", "895"),
    ("Burlington", "VT", "054"), ("Scranton", "PA", "185"), ("Yonkers", "NY", "107"),
    ("Cedar Rapids", "IA", "524"), ("Kalamazoo", "MI", "490"), ("Bakersfield", "CA", "933"),
    ("El Paso", "TX", "799"), ("Hialeah", "FL", "330"), ("Akron", "OH", "443"),
    ("Tacoma", "WA", "984"), ("Lansing", "MI", "489"), ("Sioux Falls", "SD", "571"),
    ("Paterson", "NJ", "075"), ("Worcester", "MA", "016"), ("Shreveport", "LA", "711"),
    ("Green Bay", "WI", "543"), ("Fort Wayne", "IN", "468"), ("Little Rock", "AR", "722"),
]
US_STREETS = [
    "Oak St", "Maple Avenue", "Elm Street", "N Main St", "Birch Lane", "Cedar Ct",
    "Lincoln Blvd", "Pine Ridge Rd", "Sycamore Dr", "W 34th St", "Hillcrest Dr",
    "Willow Way", "Lakeshore Dr", "Magnolia Blvd", "Jefferson Ave", "Chestnut St",
    "Riverside Dr", "Highland Ave", "Orchard Rd", "Walnut Street", "Cherry Hill Rd",
    "S 5th Ave", "Meadowlark Ln", "Franklin St", "Beacon St", "Summit Ave",
    "Poplar Ct", "Fairview Ave", "Old Mill Rd", "E Grand Blvd",
]
US_UNITS = ["", "", "", " Apt 12", " Apt 4B", " Unit 7", " #210", ", Apt 3", " Apt 1102", " Unit C"]

# (town, postcode outward code)
UK_TOWNS = [
    ("Reading", "RG1"), ("Leeds", "LS6"), ("Sheffield", "S10"), ("Norwich", "NR2"),
    ("Exeter", "EX4"), ("Bristol", "BS7"), ("Cardiff", "CF24"), ("Leicester", "LE2"),
    ("Coventry", "CV1"), ("Derby", "DE22"), ("Stoke-on-Trent", "ST4"), ("Wigan", "WN1"),
    ("Bolton", "BL1"), ("Swindon", "SN1"), ("Ipswich", "IP4"), ("Carlisle", "CA1"),
    ("Durham", "DH1"), ("Harrogate", "HG1"), ("Cheltenham", "GL50"), ("Bath", "BA2"),
    ("Luton", "LU1"), ("Croydon", "CR0"), ("Slough", "SL1"), ("Wolverhampton", "WV1"),
    ("Sunderland", "SR2"), ("Blackpool", "FY1"), ("Aberdeen", "AB10"), ("Dundee", "DD1"),
    ("Kettering", "NN16"), ("Hull", "HU5"), ("Bradford", "BD7"), ("Margate", "CT9"),
]
UK_STREETS = [
    "Kings Road", "Station Road", "Mill Lane", "Church Street", "Albert Terrace",
    "Park Crescent", "Beech Grove", "Hawthorn Close", "Meadow Way", "High Street",
    "Queen's Drive", "Chapel Row", "Elmfield Gardens", "Rosebery Avenue", "Holly Bank",
    "Ashby Road", "Westgate", "Marlborough Road", "Nelson Street", "The Paddocks",
    "Linden Close", "Windsor Terrace",
]
UK_UNITS = ["", "", "Flat 3B, ", "Flat 2, ", "Flat 14, ", "Apartment 6, "]

# city -> [(neighbourhood, PIN)]
INDIA = {
    "Mumbai": [("Andheri East", "400069"), ("Bandra West", "400050"), ("Dadar", "400014"),
               ("Powai", "400076"), ("Borivali West", "400092"), ("Chembur", "400071")],
    "Bengaluru": [("Koramangala", "560034"), ("Indiranagar", "560038"), ("Jayanagar", "560041"),
                  ("Whitefield", "560066"), ("HSR Layout", "560102"), ("Malleswaram", "560003")],
    "New Delhi": [("Lajpat Nagar", "110024"), ("Dwarka", "110075"), ("Karol Bagh", "110005"),
                  ("Saket", "110017"), ("Rohini", "110085")],
    "Chennai": [("T. Nagar", "600017"), ("Adyar", "600020"), ("Velachery", "600042"),
                ("Anna Nagar", "600040"), ("Mylapore", "600004")],
    "Hyderabad": [("Banjara Hills", "500034"), ("Gachibowli", "500032"), ("Kukatpally", "500072"),
                  ("Madhapur", "500081")],
    "Kolkata": [("Salt Lake", "700091"), ("Ballygunge", "700019"), ("Behala", "700034")],
    "Pune": [("Kothrud", "411038"), ("Hadapsar", "411028"), ("Aundh", "411007"), ("Viman Nagar", "411014")],
    "Ahmedabad": [("Navrangpura", "380009"), ("Maninagar", "380008"), ("Bopal", "380058")],
    "Kochi": [("Kakkanad", "682030"), ("Edappally", "682024")],
    "Jaipur": [("Malviya Nagar", "302017"), ("Vaishali Nagar", "302021")],
    "Lucknow": [("Gomti Nagar", "226010"), ("Hazratganj", "226001")],
}
INDIA_OTHER_CITIES = ["Nagpur", "Indore", "Coimbatore", "Mysuru", "Thiruvananthapuram",
                      "Chandigarh", "Bhopal", "Patna", "Surat", "Vadodara", "Visakhapatnam", "Guwahati"]
IN_BUILDINGS = ["Sai Krupa Apartments", "Shanti Niwas", "Prestige Towers", "Green Park Residency",
                "Lotus Heights", "Ganga Apartments", "Sunshine CHS", "Shree Ganesh Society",
                "Palm Grove", "Kaveri Enclave", "Silver Oak Residency", "Anand Bhavan"]
IN_ROADS = ["4th Cross Road", "80 Feet Road", "Linking Road", "SV Road", "100 Feet Road",
            "Ring Road", "MG Road", "Station Road", "12th Main", "Temple Street", "Nehru Road"]

COUNTIES = ["Fairfax County", "Maricopa County", "Cuyahoga County", "Washtenaw County",
            "Cook County", "Travis County", "Orange County", "Kent", "Devon", "Lancashire",
            "North Yorkshire", "Cornwall"]

# unlabelled context
FACILITIES = ["Sunrise Manor", "Oakwood Rehab", "Lakeview Skilled Nursing", "Riverside Hospice",
              "Green Valley Care Home", "Brookside Assisted Living", "Meadowbrook SNF",
              "Harbor View Rehab", "Pinecrest Nursing Center", "Silver Birch Lodge",
              "Hillside Care Home", "Maple Grove Senior Living", "Evergreen Rehabilitation"]
STATES_COUNTRIES = ["Ohio", "Texas", "Florida", "Michigan", "Arizona", "New Jersey", "Oregon",
                    "Kerala", "Punjab", "Nigeria", "Vietnam", "the Philippines", "Poland",
                    "Ireland", "Germany", "Korea", "Mexico", "Scotland"]
RELATIONS = ["daughter", "son", "wife", "husband", "niece", "brother", "sister", "nephew",
             "friend", "grandson", "granddaughter", "neighbour"]
RELATIONS_CHAT = ["mom", "dad", "grandpa", "grandma", "wife", "aunt", "brother", "uncle", "mother in law"]
FREQ = {
    "caps": ["BID", "TID", "QD", "DAILY", "QHS", "Q12H", "Q8H", "QAM"],
    "clin": ["twice daily", "once daily", "at bedtime", "every 8 hours", "BID", "daily"],
    "chat": ["twice a day", "once a day", "at night", "every morning", "2x a day"],
}

# register category text ; registers: abbr (clinical abbreviations), clin, lay
# categories: cardiac resp chronic psych onc inj inf preg
CONDITIONS_RAW = """
abbr cardiac CHF
abbr cardiac AFIB
abbr cardiac CAD
abbr cardiac NSTEMI
abbr cardiac STEMI
abbr cardiac HTN
abbr cardiac MI
abbr cardiac HFrEF
abbr cardiac DVT
abbr resp COPD
abbr resp PNA
abbr resp OSA
abbr resp PE
abbr resp ARDS
abbr chronic CKD
abbr chronic AKI
abbr chronic ESRD
abbr chronic DM2
abbr chronic T2DM
abbr chronic HLD
abbr chronic GERD
abbr chronic BPH
abbr chronic RA
abbr chronic OA
abbr chronic CVA
abbr chronic TIA
abbr inf UTI
abbr inf MRSA
abbr inf C DIFF
abbr inf CAP
abbr inf HIV
abbr inj HIP FX
abbr inj SDH
abbr inj TBI
abbr psych MDD
abbr psych GAD
abbr psych PTSD
abbr psych ADHD
abbr psych OCD
abbr onc NSCLC
abbr onc AML
abbr onc CLL
abbr onc DLBCL
abbr onc HCC
abbr preg GDM
abbr preg PIH
abbr preg PPROM
abbr preg PPH
clin cardiac congestive heart failure
clin cardiac atrial fibrillation
clin cardiac coronary artery disease
clin cardiac unstable angina
clin cardiac aortic stenosis
clin cardiac hypertension
clin cardiac deep vein thrombosis
clin cardiac cardiomyopathy
clin cardiac supraventricular tachycardia
clin resp chronic obstructive pulmonary disease
clin resp pulmonary embolism
clin resp asthma exacerbation
clin resp obstructive sleep apnea
clin resp pulmonary fibrosis
clin resp cystic fibrosis
clin chronic type 2 diabetes
clin chronic type 1 diabetes
clin chronic chronic kidney disease stage 3
clin chronic end-stage renal disease
clin chronic acute kidney injury
clin chronic hypothyroidism
clin chronic Graves' disease
clin chronic Hashimoto's thyroiditis
clin chronic rheumatoid arthritis
clin chronic osteoarthritis
clin chronic osteoporosis
clin chronic Parkinson's disease
clin chronic Alzheimer's dementia
clin chronic multiple sclerosis
clin chronic epilepsy
clin chronic ischemic stroke
clin chronic cirrhosis
clin chronic Crohn's disease
clin chronic ulcerative colitis
clin chronic celiac disease
clin chronic pancreatitis
clin chronic gout
clin chronic systemic lupus erythematosus
clin chronic psoriasis
clin chronic sickle cell disease
clin chronic iron deficiency anemia
clin chronic hyperlipidemia
clin chronic macular degeneration
clin chronic glaucoma
clin psych major depressive disorder
clin psych generalized anxiety disorder
clin psych bipolar disorder
clin psych schizophrenia
clin psych post-traumatic stress disorder
clin psych alcohol use disorder
clin psych opioid use disorder
clin psych anorexia nervosa
clin psych panic disorder
clin onc breast cancer
clin onc non-small cell lung cancer
clin onc prostate cancer
clin onc colon cancer
clin onc pancreatic cancer
clin onc acute myeloid leukemia
clin onc non-Hodgkin lymphoma
clin onc multiple myeloma
clin onc melanoma
clin onc ovarian cancer
clin onc glioblastoma
clin inj hip fracture
clin inj distal radius fracture
clin inj concussion
clin inj rotator cuff tear
clin inj ACL tear
clin inj ankle fracture
clin inj subdural hematoma
clin inj rib fractures
clin inj lumbar disc herniation
clin inf community-acquired pneumonia
clin inf sepsis
clin inf cellulitis
clin inf pyelonephritis
clin inf urinary tract infection
clin inf hepatitis C
clin inf tuberculosis
clin inf Clostridioides difficile infection
clin inf MRSA bacteremia
clin inf influenza A
clin inf COVID-19
clin inf Lyme disease
clin inf herpes zoster
clin inf osteomyelitis
clin preg gestational diabetes
clin preg preeclampsia
clin preg placenta previa
clin preg hyperemesis gravidarum
clin preg postpartum depression
clin preg ectopic pregnancy
clin preg gestational hypertension
clin preg cervical insufficiency
lay chronic diabetes
lay cardiac high blood pressure
lay cardiac a heart attack
lay cardiac heart failure
lay cardiac an irregular heartbeat
lay cardiac a blood clot
lay cardiac a blocked artery
lay resp asthma
lay resp COPD
lay resp sleep apnea
lay resp bronchitis
lay resp emphysema
lay inj a broken ankle
lay inj a broken wrist
lay inj a broken hip
lay inj a torn ACL
lay inj a sprained ankle
lay inj a concussion
lay inj a herniated disc
lay inj whiplash
lay inj a fractured collarbone
lay inf a bladder infection
lay inf a kidney infection
lay inf a UTI
lay inf strep throat
lay inf an ear infection
lay inf pneumonia
lay inf the flu
lay inf covid
lay inf shingles
lay inf pink eye
lay inf a yeast infection
lay inf hepatitis B
lay inf HIV
lay psych depression
lay psych anxiety
lay psych panic attacks
lay psych bipolar
lay psych ADHD
lay psych an eating disorder
lay psych PTSD
lay psych OCD
lay psych insomnia
lay onc breast cancer
lay onc lung cancer
lay onc skin cancer
lay onc leukemia
lay onc a brain tumor
lay onc lymphoma
lay onc throat cancer
lay chronic kidney stones
lay chronic gallstones
lay chronic acid reflux
lay chronic IBS
lay chronic migraines
lay chronic arthritis
lay chronic gout
lay chronic an underactive thyroid
lay chronic an overactive thyroid
lay chronic high cholesterol
lay chronic a stroke
lay chronic a mini stroke
lay chronic epilepsy
lay chronic seizures
lay chronic dementia
lay chronic eczema
lay chronic stage 3 kidney disease
lay chronic fatty liver
lay chronic endometriosis
lay chronic PCOS
lay chronic lupus
lay chronic celiac
lay chronic anemia
lay chronic fibromyalgia
lay chronic chronic back pain
lay preg morning sickness
lay preg pregnancy diabetes
lay preg a miscarriage
lay preg a low-lying placenta
lay preg high blood pressure in pregnancy
"""

MEDS_RAW = """
lisinopril|10mg,20mg,40mg
Lipitor|20mg,40mg,80mg
atorvastatin|10mg,40mg
metformin|500mg,850mg,1000mg
Eliquis|2.5mg,5mg
apixaban|5mg
warfarin|2mg,5mg
Coumadin|3mg
Xarelto|15mg,20mg
amlodipine|5mg,10mg
Norvasc|5mg
metoprolol|25mg,50mg
Lopressor|25mg
carvedilol|6.25mg,12.5mg
furosemide|20mg,40mg
Lasix|40mg
spironolactone|25mg
hydrochlorothiazide|12.5mg,25mg
losartan|50mg,100mg
Entresto|49/51mg
levothyroxine|50mcg,75mcg,100mcg
Synthroid|88mcg,112mcg
Lantus|20 units,30 units
insulin glargine|18 units
Ozempic|0.5mg,1mg
Mounjaro|5mg
Jardiance|10mg,25mg
Januvia|100mg
glipizide|5mg
albuterol|2 puffs,90mcg
Symbicort|2 puffs
Advair|250/50
Spiriva|18mcg
montelukast|10mg
Singulair|10mg
prednisone|10mg,20mg,40mg
sertraline|50mg,100mg
Zoloft|25mg,50mg
fluoxetine|20mg
Prozac|20mg,40mg
escitalopram|10mg
Lexapro|10mg,20mg
bupropion|150mg
Wellbutrin|300mg
quetiapine|25mg,100mg
Seroquel|50mg
lithium|300mg
lamotrigine|100mg
aripiprazole|5mg
Abilify|10mg
olanzapine|5mg
buspirone|10mg
trazodone|50mg
Xanax|0.25mg,0.5mg
lorazepam|0.5mg,1mg
Ativan|1mg
clonazepam|0.5mg
gabapentin|300mg,600mg
Lyrica|75mg
oxycodone|5mg,10mg
Percocet|5/325mg
hydrocodone|5mg
tramadol|50mg
morphine|2mg,4mg
Dilaudid|0.5mg,1mg
ibuprofen|400mg,600mg
Advil|200mg
acetaminophen|650mg,1g
Tylenol|500mg
naproxen|500mg
amoxicillin|500mg,875mg
Augmentin|875mg
azithromycin|250mg,500mg
ciprofloxacin|500mg
doxycycline|100mg
nitrofurantoin|100mg
Macrobid|100mg
cephalexin|500mg
Keflex|500mg
vancomycin|1g,1.25g
Zosyn|3.375g,4.5g
ceftriaxone|1g,2g
Paxlovid|300mg/100mg
Tamiflu|75mg
valacyclovir|1g
Biktarvy|1 tab
omeprazole|20mg,40mg
Prilosec|20mg
pantoprazole|40mg
famotidine|20mg
ondansetron|4mg,8mg
Zofran|4mg
methotrexate|15mg
Humira|40mg
tamoxifen|20mg
letrozole|2.5mg
Keytruda|200mg
Herceptin|6mg/kg
carboplatin|AUC 5
allopurinol|100mg,300mg
colchicine|0.6mg
alendronate|70mg
donepezil|5mg,10mg
Aricept|10mg
levetiracetam|500mg
Keppra|750mg
sumatriptan|50mg
Imitrex|100mg
tamsulosin|0.4mg
Flomax|0.4mg
finasteride|5mg
Adderall|20mg
methylphenidate|18mg
Suboxone|8mg/2mg
naltrexone|50mg
enoxaparin|40mg
Lovenox|40mg,80mg
heparin|5000 units
clopidogrel|75mg
Plavix|75mg
aspirin|81mg,325mg
labetalol|200mg
nifedipine|30mg
hydroxychloroquine|200mg
Plaquenil|200mg
mesalamine|1.2g
Dupixent|300mg
digoxin|0.125mg
amiodarone|200mg
nitroglycerin|0.4mg
Depakote|500mg
haloperidol|2mg,5mg
Haldol|1mg
Humalog|6 units
Nexium|40mg
Crestor|10mg
rosuvastatin|20mg
simvastatin|20mg
Cymbalta|60mg
duloxetine|30mg
Effexor|75mg
Concerta|36mg
"""

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def parse_conditions():
    out = []
    for line in CONDITIONS_RAW.strip().splitlines():
        reg, cat, text = line.split(" ", 2)
        art = ""
        if reg == "lay":
            for a in ("a ", "an ", "the "):
                if text.startswith(a):
                    art, text = a, text[len(a):]
                    break
        out.append({"reg": reg, "cat": cat, "art": art, "name": text})
    return out


def parse_meds():
    out = []
    for line in MEDS_RAW.strip().splitlines():
        name, doses = line.split("|")
        out.append((name, doses.split(",")))
    return out


CONDITIONS = parse_conditions()
MEDS = parse_meds()

# ----------------------------------------------------------------------------
# Sampling helpers
# ----------------------------------------------------------------------------

rng = random.Random(SEED)


class Deck:
    """Draw without replacement; reshuffle when exhausted (max variety)."""

    def __init__(self, items):
        self.items = list(items)
        self.pool = []

    def draw(self, avoid=()):
        for _ in range(200):
            if not self.pool:
                self.pool = self.items[:]
                rng.shuffle(self.pool)
            x = self.pool.pop()
            if x not in avoid:
                return x
        raise RuntimeError("could not draw distinct value")


FIRST_DECKS = {
    g: Deck([(fn, origin) for origin, v in ORIGINS.items() for fn in v[0 if g == "f" else 1]])
    for g in ("f", "m")
}
LAST_DECKS = {origin: Deck(v[2]) for origin, v in ORIGINS.items()}
ALL_LAST_DECK = Deck([s for v in ORIGINS.values() for s in v[2]])
ORIGIN_LIST = list(ORIGINS)
US_DECK = Deck(US_CITIES)
US_STREET_DECK = Deck(US_STREETS)
UK_DECK = Deck(UK_TOWNS)
UK_STREET_DECK = Deck(UK_STREETS)
IN_DECK = Deck([(city, hood, pin) for city, hoods in INDIA.items() for hood, pin in hoods])
TOWN_DECK = Deck([c for c, _, _ in US_CITIES] + [t for t, _ in UK_TOWNS]
                 + list(INDIA) + INDIA_OTHER_CITIES
                 + [h for hoods in INDIA.values() for h, _ in hoods])
COUNTY_DECK = Deck(COUNTIES)
FAC_DECK = Deck(FACILITIES)
ORIGIN_PLACE_DECK = Deck(STATES_COUNTRIES)
MED_DECK = Deck(MEDS)
COND_DECKS = {}

STYLE_REGS = {
    "nursing_caps": ("abbr", "clin"),
    "clinical_mixed": ("abbr", "clin", "clin"),  # weight towards spelled-out terms
    "chat_lower": ("lay", "lay", "clin"),
    "chat_normal": ("lay", "clin"),
    "chat_caps_or_shouting": ("lay", "lay", "clin"),
}


LONG_TERM = ("chronic", "cardiac", "resp", "psych")


def cat_ok(have, want):
    """No category -> anything but pregnancy; 'long' -> long-term illness."""
    if want is None:
        return have != "preg"
    if want == "long":
        return have in LONG_TERM
    return have == want


def cond_deck(style, cat):
    key = (style, cat)
    if key not in COND_DECKS:
        regs = STYLE_REGS[style]
        items = []
        for reg in regs:  # duplicates in regs act as weights
            items += [i for i, c in enumerate(CONDITIONS)
                      if c["reg"] == reg and cat_ok(c["cat"], cat)]
        COND_DECKS[key] = Deck(items)
    return COND_DECKS[key]


def surname_form(s, gender):
    if isinstance(s, tuple):
        return s[1] if gender == "f" else s[0]
    return s


def ordinal(n):
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def gen_date(style, dob=False):
    y = rng.randint(1928, 2004) if dob else rng.randint(2019, 2025)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    mon = MONTHS[m - 1]
    fmts = {
        "nursing_caps": ["md", "md", "mdyy", "mdyyyy", "mon d"],
        "clinical_mixed": ["mdyyyy", "mon d, yyyy", "d month yyyy", "iso", "dmyyyy", "month d"],
    }.get(style, ["month d", "month dth", "md", "dth of month", "mon d", "dmyyyy", "mdyyyy", "d month"])
    if dob:
        fmts = ["mdyyyy", "dmyyyy", "month d, yyyy", "d month yyyy", "iso"]
    f = rng.choice(fmts)
    return {
        "md": f"{m}/{d}",
        "mdyy": f"{m}/{d}/{y % 100:02d}",
        "mdyyyy": f"{m:02d}/{d:02d}/{y}",
        "dmyyyy": f"{d:02d}/{m:02d}/{y}",
        "iso": f"{y}-{m:02d}-{d:02d}",
        "mon d": f"{mon[:3]} {d}",
        "mon d, yyyy": f"{mon[:3]} {d}, {y}",
        "month d": f"{mon} {d}",
        "month d, yyyy": f"{mon} {d}, {y}",
        "month dth": f"{mon} {ordinal(d)}",
        "d month": f"{d} {mon}",
        "d month yyyy": f"{d} {mon} {y}",
        "dth of month": f"{ordinal(d)} of {mon}",
    }[f]


def typo(word):
    """Swap two adjacent inner letters (chat_lower only, occasionally)."""
    letters = [i for i in range(1, len(word) - 2) if word[i].isalpha() and word[i + 1].isalpha()]
    if len(word) < 6 or not letters:
        return word
    i = rng.choice(letters)
    w = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return w if w != word else word


# ----------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([a-z]+)(\d*)(?:@([a-z]+))?(?:\.([a-z]+))?\}")


class Ctx:
    """Per-record entity cache so repeated placeholders stay consistent."""

    def __init__(self, style):
        self.style = style
        self.ents = {}
        self.firsts, self.lasts, self.conds, self.meds, self.towns = [], [], [], [], []

    def person(self, g):
        if g == "p":
            g = rng.choice("fm")
        first, origin = FIRST_DECKS[g].draw(avoid=self.firsts)
        self.firsts.append((first, origin))
        if rng.random() < 0.85:
            last = surname_form(LAST_DECKS[origin].draw(), g)
        else:
            last = surname_form(LAST_DECKS[rng.choice(ORIGIN_LIST)].draw(), g)
        self.lasts.append(last)
        if origin in SURNAME_FIRST and rng.random() < 0.4:
            full = f"{last} {first}"
        else:
            full = f"{first} {last}"
        return {"first": first, "last": last, "full": full}

    def make(self, typ, cat):
        s = self.style
        if typ in ("f", "m", "p"):
            return self.person(typ)
        if typ == "doc":
            for _ in range(50):
                last = surname_form(ALL_LAST_DECK.draw(), "m")
                if last not in self.lasts:
                    break
            self.lasts.append(last)
            return {"last": last}
        if typ == "c":
            idx = cond_deck(s, cat).draw(avoid=self.conds)
            self.conds.append(idx)
            return CONDITIONS[idx]
        if typ == "d":
            med = MED_DECK.draw(avoid=self.meds)
            self.meds.append(med)
            name, doses = med
            if s == "chat_lower" and rng.random() < 0.07:
                name = typo(name)
            return {"name": name, "dose": rng.choice(doses)}
        if typ == "dt":
            return {"v": gen_date(s)}
        if typ == "dob":
            return {"v": gen_date(s, dob=True)}
        if typ == "us":
            city, st, z3 = US_DECK.draw()
            street = f"{rng.randint(3, 9899)} {US_STREET_DECK.draw()}{rng.choice(US_UNITS)}"
            return {"street": street, "city": city, "st": st, "zip": f"{z3}{rng.randint(0, 99):02d}",
                    "fmt": rng.choice(["a", "a", "b", "c"])}
        if typ == "uk":
            town, out = UK_DECK.draw()
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            pc = f"{out} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            street = f"{rng.choice(UK_UNITS)}{rng.randint(1, 180)} {UK_STREET_DECK.draw()}"
            return {"street": street, "town": town, "pc": pc, "fmt": rng.choice(["a", "b", "c"])}
        if typ == "in":
            city, hood, pin = IN_DECK.draw()
            k = rng.randint(1, 12)
            street = rng.choice([
                f"Flat {rng.randint(1, 12)}{rng.choice('ABCD')}, {rng.choice(IN_BUILDINGS)}, {rng.choice(IN_ROADS)}",
                f"No. {rng.randint(2, 250)}, {ordinal(k)} Main, {ordinal(rng.randint(1, 9))} Cross",
                f"{rng.choice('ABCDE')}-{rng.randint(101, 1204)}, {rng.choice(IN_BUILDINGS)}",
                f"House No. {rng.randint(1, 400)}, Sector {rng.randint(2, 28)}",
                f"{rng.randint(1, 60)}/{rng.randint(1, 20)}, {rng.choice(IN_ROADS)}",
            ])
            return {"street": street, "hood": hood, "city": city, "pin": pin,
                    "fmt": rng.choice(["a", "b", "c"])}
        if typ == "town":
            t = TOWN_DECK.draw(avoid=self.towns)
            self.towns.append(t)
            return {"v": t}
        if typ == "county":
            return {"v": COUNTY_DECK.draw()}
        if typ == "fac":
            return {"v": FAC_DECK.draw()}
        if typ == "origin":
            return {"v": ORIGIN_PLACE_DECK.draw()}
        if typ == "rel":
            return {"v": rng.choice(RELATIONS)}
        if typ == "relm":
            return {"v": rng.choice(RELATIONS_CHAT)}
        if typ == "fq":
            reg = "caps" if s == "nursing_caps" else "clin" if s == "clinical_mixed" else "chat"
            return {"v": rng.choice(FREQ[reg])}
        if typ == "age":
            return {"v": rng.randint(90, 104) if rng.random() < 0.35 else rng.randint(21, 89)}
        if typ == "agex":
            return {"v": rng.randint(90, 106)}
        if typ == "agey":
            return {"v": rng.randint(18, 74)}
        if typ == "ageob":
            return {"v": rng.randint(19, 43)}
        raise KeyError(typ)

    def resolve(self, typ, num, cat, attr):
        key = typ + num
        if key not in self.ents:
            self.ents[key] = self.make(typ, cat)
        e = self.ents[key]
        if typ in ("f", "m", "p"):
            return [(e[attr or "full"], "PERSON")]
        if typ == "doc":
            return [(e["last"], "PERSON")]
        if typ == "c":
            if attr == "bare" or not e["art"]:
                return [(e["name"], "CONDITION")]
            return [(e["art"], None), (e["name"], "CONDITION")]
        if typ == "d":
            if attr == "dose":
                return [(e["dose"], None)]
            return [(e["name"], "MEDICATION")]
        if typ in ("dt", "dob"):
            return [(e["v"], "DATE")]
        if typ == "us":
            if attr == "street":
                return [(e["street"], "ADDRESS")]
            if attr == "city":
                return [(e["city"], "LOCATION")]
            if attr == "st":
                return [(e["st"], None)]
            if attr == "zip":
                return [(e["zip"], "ADDRESS")]
            segs = [(e["street"], "ADDRESS"), (", ", None), (e["city"], "LOCATION")]
            if e["fmt"] == "a":
                segs += [(f", {e['st']} ", None), (e["zip"], "ADDRESS")]
            elif e["fmt"] == "b":
                segs += [(f" {e['st']} ", None), (e["zip"], "ADDRESS")]
            return segs
        if typ == "uk":
            if attr == "street":
                return [(e["street"], "ADDRESS")]
            if attr == "town":
                return [(e["town"], "LOCATION")]
            if attr == "pc":
                return [(e["pc"], "ADDRESS")]
            segs = [(e["street"], "ADDRESS"), (", ", None), (e["town"], "LOCATION")]
            if e["fmt"] == "a":
                segs += [(" ", None), (e["pc"], "ADDRESS")]
            elif e["fmt"] == "b":
                segs += [(", ", None), (e["pc"], "ADDRESS")]
            return segs
        if typ == "in":
            if attr == "street":
                return [(e["street"], "ADDRESS")]
            if attr == "hood":
                return [(e["hood"], "LOCATION")]
            if attr == "city":
                return [(e["city"], "LOCATION")]
            if attr == "pin":
                return [(e["pin"], "ADDRESS")]
            segs = [(e["street"], "ADDRESS"), (", ", None), (e["hood"], "LOCATION"), (", ", None),
                    (e["city"], "LOCATION")]
            if e["fmt"] == "a":
                segs += [(" - ", None), (e["pin"], "ADDRESS")]
            elif e["fmt"] == "b":
                segs += [(" ", None), (e["pin"], "ADDRESS")]
            return segs
        if typ in ("town", "county"):
            return [(e["v"], "LOCATION")]
        if typ in ("fac", "origin", "rel", "relm", "fq"):
            return [(e["v"], None)]
        if typ.startswith("age"):
            v = e["v"]
            return [(str(v), "AGE" if v > 89 else None)]
        raise KeyError(typ)


def transform(t, style):
    if style in ("nursing_caps", "chat_caps_or_shouting"):
        return t.upper()
    if style == "chat_lower":
        return t.lower()
    return t


def render(template, style):
    ctx = Ctx(style)
    segs = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        segs.append((template[pos:m.start()], None))
        segs.extend(ctx.resolve(m.group(1), m.group(2), m.group(3), m.group(4)))
        pos = m.end()
    segs.append((template[pos:], None))
    text, spans, expected = "", [], []
    for t, label in segs:
        t2 = transform(t, style)  # per piece, so offsets stay exact
        if label:
            spans.append({"start": len(text), "end": len(text) + len(t2), "label": label})
            expected.append(t2)
        text += t2
    # verification: each span covers exactly the intended value
    for sp, exp in zip(spans, expected):
        assert text[sp["start"]:sp["end"]] == exp, (text, sp, exp)
        assert exp and exp == exp.strip(), (text, exp)
    return text, spans


# ----------------------------------------------------------------------------
# Templates (one style each)
# ----------------------------------------------------------------------------

TEMPLATES = {
    "nursing_caps": [
        "{age} YO F ADM {dt1} C/O SOB. HX {c1@long}, {c2@long} ON {d1} {d1.dose} {fq}. DAUGHTER {f2} AT BEDSIDE. D/C TO {fac}, {us.street}, {us.city}.",
        "PT {m1} IS A {age} YO M S/P FALL AT HOME ON {dt1}. DX {c1@inj}. PAIN CONTROLLED W/ {d1} {d1.dose} Q4H PRN. WIFE {f2.first} CALLED, UPDATED BY RN.",
        "0700 PT RESTING, A&O X3. BP 138/82, PAIN 2/10. {d1} {d1.dose} GIVEN AS ORDERED. HX {c1.bare}. DR {doc} NOTIFIED OF K+ 5.4. WILL CONT TO MONITOR.",
        "ADM NOTE: {age} YO PT FROM {town}, DX {c1.bare} W/ {c2.bare}. HOME MEDS: {d1} {d1.dose} DAILY, {d2} {d2.dose} {fq}, {d3}. PCP DR {doc}.",
        "SON {m2} CALLED FROM {town} ASKING ABOUT MOTHER {f1.last}. PT CONFUSED OVERNIGHT, HX {c1.bare}. {d1} HELD PER DR {doc}.",
        "D/C SUMMARY: PT D/C HOME TO {us} W/ HOME HEALTH. F/U W/ DR {doc} IN 1 WK. CONT {d1} {d1.dose} {fq}, STOP {d2}.",
        "HOME VISIT {uk}. PT {f1}, {agex} YO, DX {c1.bare}. COMFORT CARE. {d1} {d1.dose} SL Q2H PRN. GRANDSON {m2.first} PRESENT.",
        "TRANSFER FROM {fac} FOR {c1@inf}. PT IS {age} YO, LIVES ALONE AT {us.street}, {us.city}. NEIGHBOR {p2} HAS KEY. ALLERGIC TO {d1}.",
        "POD 2 S/P ORIF FOR {c1@inj}. AMBULATING W/ WALKER. {d1} {d1.dose} Q6H PRN. DR {doc} TO SEE PT IN AM. HUSBAND {m2} AT BEDSIDE.",
        "OB TRIAGE: {ageob} YO G2P1 AT 34 WKS W/ {c1@preg}. BP 162/104. {d1} {d1.dose} STARTED. FOB {m2} AT BEDSIDE. DR {doc} AWARE.",
        "PSYCH NOTE: PT {p1.first} CALM AND COOPERATIVE. DX {c1@psych}. TOOK {d1} {d1.dose} QHS. DENIES SI/HI. MOTHER {f2} VISITED, LIVES IN {town}.",
        "ONC: PT {p1} {age} YO W/ {c1@onc}, C3D1 {d1}. TOLERATED WELL. NAUSEA CONTROLLED W/ {d2} {d2.dose} PRN. NEXT CYCLE {dt1}.",
        "ED NOTE {dt1}: {age} YO M BIB EMS FROM {us.street}, {us.city}, {us.st} {us.zip}. DX {c1@inf}. STARTED {d1} IV. SISTER {f2} CONTACTED.",
        "SHIFT REPORT: RM 412 {m1.last}, {age}, {c1@long} + {c2@long}. ON {d1} GTT, {d2} {d2.dose} BID. FAMILY ({rel} {p2.first}) UPDATED.",
        "INTAKE {dt1}: PT RESIDES AT {in}. HX {c1.bare}. CURRENT MEDS {d1}, {d2}. EMERGENCY CONTACT {rel} {p2}.",
        "PT {f1.last} REFUSED AM {d1}. STATES IT MAKES HER DIZZY. DR {doc} PAGED. HX {c1.bare}, {c2.bare}. WILL REASSESS AT 1400.",
        "{agex} YO F FROM {fac} IN {county}. FALL W/ {c1@inj}. ON {d1} {d1.dose} QD AT BASELINE. POA IS NIECE {f2}.",
    ],
    "clinical_mixed": [
        "Mrs. {f1.last}, a {age}-year-old woman with a history of {c1.bare} and {c2.bare}, presented on {dt1} with worsening dyspnea. She was started on {d1} {d1.dose} daily and discharged home to {us.city}.",
        "Discharge summary: {m1} ({age} y/o M) admitted for {c1@cardiac}. Echo showed EF 35%. Discharged on {d1} {d1.dose} twice daily and {d2} {d2.dose} daily. Follow up with Dr. {doc} in two weeks.",
        "Patient is a {age}-year-old man from {in.hood}, {in.city}, referred by Dr. {doc} for evaluation of {c1}. He currently takes {d1} and {d2}.",
        "Ms. {f1.last} reports good adherence to {d1}. Her {c1@long} is well controlled. She lives with her partner {p2.first} at {uk}.",
        "Assessment: {c1@inf}. Plan: start {d1} {d1.dose} every 12 hours for 7 days; recheck in clinic on {dt1}. Patient's daughter, {f2}, will drive her in from {town}.",
        "Mr. {m1.last} is a pleasant {agex}-year-old gentleman with {c1.bare}, {c2.bare}, and remote {c3.bare}. He resides at {fac} in {town}. Home medications include {d1}, {d2}, and {d3}.",
        "Obstetric note: {f1}, {ageob}, G1P0 at 29 weeks, diagnosed with {c1@preg} on {dt1}. Started on {d1} {d1.dose}. Partner {m2.first} present for the visit.",
        "Psychiatry follow-up. {p1} continues on {d1} {d1.dose} for {c1@psych}. Sleep improved. Denies suicidal ideation. Next appointment {dt1} with Dr. {doc}.",
        "Oncology consult: {age}-year-old with newly diagnosed {c1@onc}. Plan for {d1} every three weeks. Husband {m2} asked about clinical trials at the center in {town}.",
        "Dr. {doc} saw {p1} in the ED after a bicycle accident resulting in {c1@inj}. X-ray confirmed. Given {d1} {d1.dose} and discharged home to {us.street}, {us.city}, {us.st}.",
        "HPI: {m1.first} is a {age}yo with {c1.bare} (on {d1}) and {c2.bare} who presents with fever and productive cough. CXR consistent with {c3@inf}.",
        "Telephone encounter {dt1}: {rel} {p2} called regarding a refill of {d1} {d1.dose}. Patient recently moved to {uk.street}, {uk.town} {uk.pc}.",
        "Problem list: 1. {c1.bare} 2. {c2.bare} 3. {c3.bare}. Medications: {d1} {d1.dose}, {d2} {d2.dose}, {d3} as needed. Patient: {p1}, DOB {dob}.",
        "The patient, a {agex}-year-old retired teacher from {county}, was admitted on {dt1} with {c1}. Her son {m2} is the health care proxy.",
        "{f1} was seen at home ({in}) for follow-up of {c1}. Continues {d1} {d1.dose} {fq}. Next visit {dt1}.",
        "Ms. {f1.last}'s {c1@onc} has progressed; we discussed switching from {d1} to {d2}. She prefers to continue care closer to her home in {town}.",
    ],
    "chat_lower": [
        "hi im {p1}, my {relm} has {c1} and takes {d1}, we live in {in.hood} {in.city}",
        "hey so my dr {doc} put me on {d1} {d1.dose} for my {c1.bare} but it makes me soo tired is that normal",
        "my grandma is {agex} and she fell last nite, they think its {c1@inj}. shes at the hospital in {town} now",
        "can u send the refill for {d1} to the pharmacy on {us.street} in {us.city}? thx. name is {p1}",
        "i was diagnosed w {c1} on {dt1} and i honestly dont know what to do. im {agey} and scared",
        "this is {f1.first}, {f1.last} was my maiden name. i need my records sent to {uk} pls",
        "my son {m2.first} has {c1} and the {d1} isnt helping, should we go to urgent care",
        "do i take {d1} and {d2} together?? i have {c1} and {c2}",
        "hi, {p1} here. moved from {town} to {town2} last month, need a new doc for my {c1.bare}",
        "my husband {m2} had {c1@cardiac} on {dt1}, hes on {d1} {d1.dose} and {d2} now. can he fly",
        "ok so im pregnant and they said i have {c1@preg}. can i still take {d1}",
        "address is {in}. patient name {f1}. she needs a wheelchair for the appointment",
        "wat are the side effects of {d1}? my mom {f2.first} just started it for her {c1.bare}",
        "i think i have {c1@inf} again, last time dr {doc} gave me {d1}. im at {us.street} {us.city} if u need it",
        "my dad is {age} and has {c1@long} and {c2@long}, he keeps forgetting his {d1}",
    ],
    "chat_normal": [
        "My name is {p1} and I was diagnosed with {c1} last year; I'm on {d1}.",
        "Hi, I'm writing on behalf of my mother, {f2}. She's {agex} and has {c1}. Can someone visit her at {us}?",
        "Could you update my address? The new one is {uk}. Thanks, {p1.first}",
        "I've been taking {d1} {d1.dose} for my {c1.bare}, but Dr. {doc} wants me to switch to {d2}. Is that covered?",
        "Hello, this is {m1}. I had {c1@inj} on {dt1} and I still can't put weight on it.",
        "Is it safe to take {d1} with {d2}? I have {c1}.",
        "My daughter {f2.first} was just diagnosed with {c1}. We live in {in.hood}, {in.city}. Which hospitals nearby are good?",
        "I'm {p1}, {agey}, and I've had {c1@long} since my teens. I recently started {d1}.",
        "Appointment request: patient {p1}, date of birth {dob}, reason: follow-up for {c1.bare}.",
        "We just moved to {town} from {origin}. My husband {m2.first} needs a cardiologist for his {c1@cardiac}.",
        "My grandfather {m2} turned {agex} on {dt1}. He takes {d1}, {d2} and {d3} - can you check for interactions?",
        "Please cancel the {dt1} appointment for Mrs. {f1.last}. She's in hospital with {c1@inf}.",
        "I was prescribed {d1} after my {c1.bare} diagnosis and I'm getting headaches. Should I call Dr. {doc}?",
        "Hi! {p1.first} here from {county}. Does the clinic treat {c1}?",
        "My wife {f2} is 30 weeks pregnant and was told she has {c1@preg}. Her OB is Dr. {doc} at {fac}.",
    ],
    "chat_caps_or_shouting": [
        "WHY HAS NOBODY CALLED ME BACK ABOUT MY {d1} REFILL?? I HAVE {c1} AND I'VE BEEN OUT FOR 3 DAYS!!! - {p1}",
        "MY MOTHER {f2} IS {agex} YEARS OLD AND YOU SENT HER HOME WITH {c1}. UNACCEPTABLE.",
        "THIS IS THE THIRD TIME I'M ASKING. SEND MY RECORDS TO {us} NOW. {p1}",
        "DR {doc} PRESCRIBED {d1} AND NOW I HAVE A RASH ALL OVER. I WANT A DIFFERENT DOCTOR",
        "I WAITED 6 HOURS IN THE ER IN {town} WITH {c1@inj} AND NOBODY SAW ME",
        "STOP BILLING ME FOR {c1.bare} TREATMENT I NEVER HAD. MY NAME IS {p1} AND I LIVE AT {uk}",
        "MY SON {m2.first} HAS {c1} AND THE PHARMACY IN {in.hood} SAYS {d1} IS OUT OF STOCK. WHAT AM I SUPPOSED TO DO",
        "HELLO??? IS ANYONE THERE. {p1} HERE. I NEED MY {d1} AND {d2} TODAY",
        "YOU CANCELLED MY {dt1} APPOINTMENT WITHOUT TELLING ME. I HAVE {c1}, I CAN'T WAIT MONTHS",
        "MY HUSBAND {m2} HAD {c1@cardiac} AND YOUR HOTLINE HUNG UP ON ME. WE'RE IN {town}!!!",
        "I AM {agex} AND I DON'T USE COMPUTERS. MAIL MY {d1} TO {us.street}, {us.city}",
        "WHO IS DR {doc}?? I NEVER SAW HIM. REMOVE {c1.bare} FROM MY CHART. {f1}, {in}",
        "THE {d1} YOU GAVE MY DAD {m2.first} MADE HIS {c1.bare} WORSE. HE IS {age}!!",
        "I'VE HAD {c1} FOR 10 YEARS AND NOBODY LISTENS. MOVING TO {town} AND NEVER COMING BACK",
    ],
}

CLEAN = [
    "BP STABLE, AMBULATING IN HALL W/ STANDBY ASSIST.",
    "PT RESTING COMFORTABLY. NO ACUTE DISTRESS. CALL LIGHT IN REACH.",
    "VS WNL. TOLERATING REGULAR DIET. VOIDING QS.",
    "0300 ROUNDS: PT ASLEEP, RESP EVEN AND UNLABORED.",
    "IV SITE CLEAN, DRY AND INTACT. DRESSING CHANGED PER PROTOCOL.",
    "PAIN 3/10, REPOSITIONED Q2H. SKIN INTACT.",
    "BP 128/76, HR 72, RR 16, SPO2 97% ON RA.",
    "BED ALARM ON. FALL PRECAUTIONS MAINTAINED.",
    "I&O RECORDED. FOLEY DRAINING CLEAR YELLOW URINE.",
    "PT EDUCATED ON INCENTIVE SPIROMETER, VERBALIZED UNDERSTANDING.",
    "Patient seen and examined. No new complaints today.",
    "Vital signs within normal limits. Continue current plan of care.",
    "Follow-up in clinic in four to six weeks, sooner if needed.",
    "Labs reviewed with the patient; all values within reference range.",
    "Discussed diet and exercise goals. Patient agreeable to plan.",
    "please reschedule my appointment to next week",
    "hi can i get a copy of my lab results",
    "what time does the clinic open on weekends?",
    "Do you accept walk-ins or do I need to book ahead?",
    "Thanks for the quick reply, that helps a lot.",
    "How do I reset my password for the patient portal?",
    "is parking free at the main entrance",
    "I need to update my insurance information.",
    "Can I bring someone with me to the appointment?",
    "my appointment got moved and i didnt get a text",
    "How long does it usually take to get test results back?",
    "ok thank you, have a good day",
    "Is there a fee for missed appointments?",
    "can i do the follow up by video instead",
    "WHY IS THE PHONE LINE ALWAYS BUSY",
    "I HAVE BEEN ON HOLD FOR AN HOUR. CALL ME BACK.",
    "Do I need to fast before my blood test?",
    "what should i bring to my first visit",
    "Can the nurse call me after 5pm?",
    "is the pharmacy open late tonight",
    "I'd like to switch to an evening slot if one is available.",
    "Where do I send the signed consent form?",
    "the portal keeps logging me out, pls fix",
    "Got it, I'll wait for the confirmation email.",
    "Please note I prefer phone calls over emails.",
]

# ----------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------


def word_occurrences(text, value):
    out = []
    start = 0
    while True:
        i = text.find(value, start)
        if i < 0:
            return out
        j = i + len(value)
        if (i == 0 or not text[i - 1].isalnum()) and (j == len(text) or not text[j].isalnum()):
            out.append((i, j))
        start = i + 1


def all_pool_values():
    vals = []
    for f, m, l in ORIGINS.values():
        vals += f + m + [x for s in l for x in (s if isinstance(s, tuple) else (s,))]
    vals += [c for c, _, _ in US_CITIES] + [t for t, _ in UK_TOWNS] + list(INDIA) + INDIA_OTHER_CITIES
    vals += [h for hoods in INDIA.values() for h, _ in hoods] + COUNTIES
    vals += [c["name"] for c in CONDITIONS] + [n for n, _ in MEDS]
    return vals


def check_record(rec):
    text, spans = rec["text"], rec["spans"]
    assert "{" not in text and "}" not in text, text
    assert "  " not in text, text
    prev_end = -1
    for sp in sorted(spans, key=lambda s: s["start"]):
        assert 0 <= sp["start"] < sp["end"] <= len(text), (text, sp)
        assert sp["start"] >= prev_end, ("overlap", text, spans)
        prev_end = sp["end"]
        val = text[sp["start"]:sp["end"]]
        assert val == val.strip() and val, (text, sp)
        if sp["label"] == "AGE":
            assert val.isdigit() and int(val) > 89, (text, val)
    # every occurrence of a labelled value must itself be inside some span
    for sp in spans:
        val = text[sp["start"]:sp["end"]]
        if sp["label"] == "AGE" or val.isdigit():
            continue
        for i, j in word_occurrences(text, val):
            assert any(s["start"] <= i and j <= s["end"] for s in spans), ("unlabelled repeat", text, val)


def main():
    records = []
    for style, templates in TEMPLATES.items():
        order = templates[:]
        rng.shuffle(order)
        for i in range(RECORDS_PER_STYLE):
            tpl = order[i % len(order)]
            for _attempt in range(20):
                text, spans = render(tpl, style)
                if all(text != r["text"] for r in records):
                    break
            records.append({"text": text, "spans": spans, "style": style})
    for t in CLEAN:
        records.append({"text": t, "spans": [], "style": "clean"})
    rng.shuffle(records)

    n_templates = sum(len(t) for t in TEMPLATES.values())
    assert n_templates >= 60, n_templates
    texts = [r["text"] for r in records]
    assert len(set(texts)) == len(texts), "duplicate texts"
    for r in records:
        check_record(r)

    # clean records must not mention any pooled name/place/condition/drug;
    # other records: warn if a pooled value appears outside every span.
    pool = sorted({v for v in all_pool_values() if len(v) >= 4}, key=len, reverse=True)
    warnings = 0
    for r in records:
        low = r["text"].lower()
        for v in pool:
            for i, j in word_occurrences(low, v.lower()):
                covered = any(s["start"] <= i and j <= s["end"] for s in r["spans"])
                if r["style"] == "clean":
                    raise AssertionError(("PII-like value in clean record", r["text"], v))
                if not covered:
                    warnings += 1
                    print(f"WARN unlabelled pool value {v!r} in: {r['text']}", file=sys.stderr)

    with open(OUT, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    # summary
    by_style = Counter(r["style"] for r in records)
    by_label = Counter(s["label"] for r in records for s in r["spans"])
    distinct = defaultdict(set)
    for r in records:
        for s in r["spans"]:
            distinct[s["label"]].add(r["text"][s["start"]:s["end"]].lower())
    print(f"wrote {len(records)} records to {OUT}")
    print(f"templates: {n_templates}  (seed {SEED})  unlabelled-pool warnings: {warnings}")
    print("records per style:")
    for k, v in sorted(by_style.items()):
        print(f"  {k:24s} {v}")
    print("spans per label (distinct values):")
    for k, v in sorted(by_label.items()):
        print(f"  {k:12s} {v:5d}  ({len(distinct[k])})")
    print(f"  {'TOTAL':12s} {sum(by_label.values()):5d}")


if __name__ == "__main__":
    main()
