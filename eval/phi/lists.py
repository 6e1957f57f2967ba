#!/usr/bin/env python3
"""Writes labeled sets of common diagnoses and medications as patients and notes name them,
each in chat sentences and in an ALL-CAPS note, for `chatveil eval`:
diagnoses_tuned.jsonl, diagnoses_heldout.jsonl, diagnoses_blind.jsonl,
medications_tuned.jsonl and medications_heldout.jsonl. The TUNED lists were read while the lists and rules of
patterns/dict/ were extended (their misses were added); the HELDOUT lists were written
before the last of those changes and never used to change them: they estimate coverage of
names nobody looked at. DIAGNOSES_HELDOUT's misses were seen before the last change (body
parts joined to kinds, state words such as "enlarged"); DIAGNOSES_BLIND was written after
all changes of 2026-11-28 and has changed nothing.

Run from this folder: python3 lists.py
"""
import json

DIAGNOSES_TUNED = [
    "atrial fibrillation", "atrial flutter", "colon cancer", "colorectal cancer",
    "cervical cancer", "bladder cancer", "liver cancer", "thyroid cancer", "stomach cancer",
    "throat cancer", "bone cancer", "blood cancer", "kidney cancer", "uterine cancer",
    "testicular cancer", "esophageal cancer", "brain cancer", "skin cancer", "ovarian cancer",
    "pancreatic cancer", "brain tumor", "brain tumour", "renal failure", "kidney failure",
    "influenza", "flu", "sepsis", "coronary artery disease", "heart disease", "cataracts",
    "cataract", "macular degeneration", "appendicitis", "gestational diabetes",
    "preeclampsia", "pre-eclampsia", "peripheral neuropathy", "diverticulitis",
    "aortic stenosis", "mrsa", "kidney infection", "bladder infection", "chickenpox",
    "chicken pox", "measles", "mumps", "whooping cough", "sickle cell anemia",
    "sickle cell disease", "high blood sugar", "low blood pressure", "kidney disease",
    "liver disease", "fatty liver", "fatty liver disease", "blood clot", "blood clots",
    "heart palpitations", "irregular heartbeat", "enlarged prostate", "erectile dysfunction",
    "hot flashes", "postpartum depression", "seasonal affective disorder", "social anxiety",
    "borderline personality disorder", "long covid", "restless leg syndrome",
    "restless legs syndrome", "tennis elbow", "frozen shoulder", "rotator cuff tear",
    "torn acl", "herniated disc", "slipped disc", "pinched nerve", "bell's palsy",
    "trigeminal neuralgia", "cluster headaches", "tension headaches", "kidney stone",
    "gallbladder disease", "hernia", "hiatal hernia", "stomach ulcer", "peptic ulcer",
    "heartburn", "lactose intolerance", "food allergy", "peanut allergy", "hay fever",
    "emphysema", "pulmonary fibrosis", "sarcoidosis", "hepatitis a", "hep c", "hpv",
    "genital herpes", "cold sores", "yeast infection", "bacterial vaginosis", "ringworm",
    "athlete's foot", "scabies", "head lice", "impetigo", "rsv", "rubella", "malaria",
    "dengue", "dengue fever", "typhoid", "tonsillitis", "laryngitis", "pneumonia",
    "heart failure", "chf", "copd", "hypertension", "hyperlipidemia", "anxiety disorder",
    "panic attacks", "mini stroke", "tia", "aneurysm", "brain aneurysm",
    "heart valve disease", "mitral valve prolapse", "pericarditis", "myocarditis",
    "endocarditis", "varicose veins", "raynaud's", "anaphylaxis", "hives", "rosacea", "acne",
    "alopecia", "vitiligo", "hidradenitis suppurativa", "glaucoma", "pink eye",
    "conjunctivitis", "dry eye", "ear infection", "hearing loss", "vertigo", "sleep apnea",
    "narcolepsy", "bipolar", "manic depression", "schizoaffective disorder",
    "dissociative identity disorder", "tourette syndrome", "tourette's", "dyslexia",
    "asperger's", "autism spectrum disorder", "intellectual disability", "dementia",
    "lewy body dementia", "huntington's disease", "motor neurone disease",
    "motor neuron disease", "myasthenia gravis", "guillain-barre syndrome", "spinal stenosis",
    "degenerative disc disease", "ankylosing spondylitis", "osteopenia", "bursitis",
    "tendonitis", "sjogren's syndrome", "hashimoto's", "graves' disease", "addison's disease",
    "cushing's syndrome", "pcos", "polycystic ovary syndrome", "uterine fibroids", "fibroids",
    "ovarian cysts", "infertility", "miscarriage", "ectopic pregnancy",
    "hyperemesis gravidarum", "placenta previa", "chronic bronchitis", "pleurisy",
    "staph infection", "food poisoning", "stomach flu", "gastroenteritis", "norovirus",
    "scarlet fever", "rheumatic fever", "croup", "bronchiolitis", "sinus infection",
    "mastitis", "jaundice", "gallstones", "hepatitis", "liver cirrhosis", "gastric ulcer",
    "duodenal ulcer", "celiac", "gluten intolerance", "colitis", "hemorrhoids",
    "anal fissure", "incontinence", "overactive bladder", "interstitial cystitis",
    "prostatitis", "polycystic kidney disease", "nephrotic syndrome", "goiter",
    "thyroid nodules", "carpal tunnel", "trigger finger", "achilles tendonitis",
    "shin splints", "stress fracture", "broken wrist", "torn meniscus", "dislocated shoulder",
    "whiplash", "migraine with aura", "seizure disorder", "traumatic brain injury",
    "spinal cord injury", "paralysis", "cold sore", "warts", "psoriatic arthritis",
    "scleroderma", "vasculitis", "iron deficiency", "vitamin d deficiency", "b12 deficiency",
    "hemophilia", "thalassemia", "leukaemia", "colon polyps", "endometrial cancer",
    "mesothelioma", "sarcoma", "multiple myeloma", "hodgkin's lymphoma",
    "non-hodgkin lymphoma", "dysthymia", "persistent depressive disorder", "claustrophobia",
    "hoarding disorder", "body dysmorphic disorder", "binge eating disorder", "night terrors",
    "sleepwalking", "bedwetting", "stuttering", "conduct disorder",
    "oppositional defiant disorder", "substance use disorder", "drug addiction",
    "gambling addiction", "alcohol use disorder", "lung infection", "chest infection",
    "throat infection", "tooth abscess", "gum infection", "bladder stones",
    "bone marrow cancer", "blood disorder", "bleeding disorder", "clotting disorder",
    "autoimmune disease", "thyroid disease", "heart condition", "skin condition",
    "eye infection", "nail fungus", "toenail fungus", "jock itch", "diaper rash", "heat rash",
    "sunburn", "frostbite", "heat stroke", "hypothermia", "altitude sickness",
    "motion sickness", "morning sickness", "kidney damage", "nerve damage", "liver damage",
    "brain damage", "hearing impairment", "vision loss", "blurred vision", "double vision",
    "color blindness", "lazy eye", "dry mouth", "tooth decay", "cavities", "gingivitis",
    "periodontitis", "tmj", "jaw pain", "neck pain", "knee pain", "hip pain", "shoulder pain",
    "heel pain", "sore throat", "runny nose", "earache", "swollen glands",
    "swollen lymph nodes", "night sweats", "hair loss", "memory loss", "chronic fatigue",
    "muscle weakness", "muscle spasms", "leg cramps", "numbness", "painful urination",
    "low libido", "low testosterone", "hormone imbalance", "adrenal insufficiency",
    "insulin resistance", "metabolic syndrome", "high triglycerides", "enlarged heart",
    "blocked arteries", "peripheral artery disease", "pulmonary hypertension", "lung nodule",
    "collapsed lung", "compression fracture", "torn ligament", "sprained wrist",
    "golfer's elbow", "tendinitis", "bone spurs", "flat feet", "ingrown toenail", "skin tags",
]

DIAGNOSES_HELDOUT = [
    "stomach bug", "stomach ache", "stomach pain", "chest cold", "head cold", "common cold",
    "sinus headache", "tension headache", "eye strain", "stye", "swollen ankles",
    "swollen feet", "foot ulcer", "diabetic foot ulcer", "bed sores", "pressure sores",
    "hip fracture", "broken hip", "fractured ankle", "torn rotator cuff", "pulled hamstring",
    "groin strain", "back spasms", "neck stiffness", "joint stiffness", "joint swelling",
    "muscle pain", "nerve pain", "bone pain", "breast lump", "lump in breast", "breast cyst",
    "cervical dysplasia", "abnormal pap smear", "uterine bleeding", "heavy periods",
    "irregular periods", "painful periods", "missed period", "yeast infections",
    "urine infection", "kidney stone pain", "liver problems", "kidney problems",
    "heart problems", "lung problems", "bowel problems", "thyroid issues", "hormone problems",
    "skin rash", "skin infection", "bone loss", "hearing problems", "vision problems",
    "eye problems", "dental problems", "gum disease", "tooth pain", "tooth infection",
    "mouth ulcers", "mouth sores", "canker sores", "acid indigestion", "stomach ulcers",
    "blood pressure problems", "blood sugar problems", "high blood sugar levels",
    "low blood count", "low platelets", "high white blood cell count", "enlarged liver",
    "enlarged spleen", "enlarged lymph nodes",
]

DIAGNOSES_BLIND = [
    "bronchial asthma", "allergic rhinitis", "ear infections", "middle ear infection",
    "swimmer's ear", "sinus pressure", "nasal polyps", "deviated septum", "tonsil stones",
    "strep", "mono", "glandular fever", "fever blisters", "hand foot and mouth disease",
    "fifth disease", "bed bugs", "poison ivy", "contact dermatitis", "hives outbreak",
    "skin allergy", "dog bite", "bee sting allergy", "wrist fracture", "ankle sprain",
    "knee injury", "stillborn baby", "premature birth", "preterm labor",
    "gestational hypertension", "postpartum hemorrhage", "breech baby", "heart rate problems",
    "slow heart rate", "fast heart rate", "chest tightness", "shortness of breath",
    "trouble breathing", "coughing up blood", "blood in stool", "rectal bleeding",
    "black stool", "loss of appetite", "unexplained weight loss",
]

MEDICATIONS_TUNED = [
    "tylenol", "advil", "motrin", "aleve", "ibuprofen", "acetaminophen", "paracetamol",
    "aspirin", "naproxen", "lipitor", "atorvastatin", "simvastatin", "crestor", "metformin",
    "januvia", "ozempic", "wegovy", "mounjaro", "trulicity", "insulin", "lantus", "humalog",
    "lisinopril", "amlodipine", "losartan", "hydrochlorothiazide", "metoprolol", "atenolol",
    "carvedilol", "furosemide", "lasix", "warfarin", "coumadin", "eliquis", "xarelto",
    "plavix", "clopidogrel", "synthroid", "levothyroxine", "prednisone", "albuterol",
    "ventolin", "advair", "symbicort", "singulair", "montelukast", "zyrtec", "claritin",
    "allegra", "benadryl", "omeprazole", "prilosec", "nexium", "pantoprazole", "zantac",
    "pepcid", "famotidine", "amoxicillin", "augmentin", "azithromycin", "z-pack", "cipro",
    "ciprofloxacin", "doxycycline", "keflex", "bactrim", "zoloft", "sertraline", "prozac",
    "fluoxetine", "lexapro", "escitalopram", "celexa", "citalopram", "wellbutrin",
    "bupropion", "cymbalta", "duloxetine", "effexor", "venlafaxine", "paxil", "trazodone",
    "xanax", "alprazolam", "ativan", "lorazepam", "klonopin", "clonazepam", "valium",
    "diazepam", "ambien", "zolpidem", "adderall", "ritalin", "vyvanse", "concerta", "abilify",
    "seroquel", "quetiapine", "risperdal", "lamictal", "lamotrigine", "lithium", "depakote",
    "gabapentin", "neurontin", "lyrica", "pregabalin", "tramadol", "oxycodone", "percocet",
    "vicodin", "hydrocodone", "morphine", "fentanyl", "suboxone", "methadone", "naloxone",
    "narcan", "viagra", "cialis", "flomax", "finasteride", "birth control pill", "the pill",
    "plan b", "humira", "enbrel", "methotrexate", "keytruda", "tamoxifen", "chemo", "botox",
    "epipen",
]

MEDICATIONS_HELDOUT = [
    "norvasc", "zocor", "pravastatin", "rosuvastatin", "glipizide", "glyburide", "jardiance",
    "farxiga", "victoza", "levemir", "novolog", "tresiba", "toprol", "lopressor", "coreg",
    "tenormin", "diovan", "valsartan", "benicar", "spironolactone", "aldactone", "hctz",
    "digoxin", "amiodarone", "pradaxa", "brilinta", "nitroglycerin", "entresto", "levoxyl",
    "armour thyroid", "medrol", "methylprednisolone", "flonase", "nasonex", "proair",
    "spiriva", "breo", "dulera", "xyzal", "sudafed", "mucinex", "robitussin", "dayquil",
    "nyquil", "tums", "imodium", "pepto bismol", "miralax", "dulcolax", "protonix", "zofran",
    "ondansetron", "reglan", "cephalexin", "clindamycin", "metronidazole", "flagyl",
    "nitrofurantoin", "macrobid", "valtrex", "valacyclovir", "acyclovir", "tamiflu",
    "paxlovid", "fluconazole", "diflucan", "pristiq", "remeron", "mirtazapine", "buspirone",
    "buspar", "hydroxyzine", "atarax", "vistaril", "latuda", "zyprexa", "olanzapine",
    "haldol", "geodon", "strattera", "guanfacine", "intuniv", "clonidine", "topamax",
    "topiramate", "keppra", "levetiracetam", "tegretol", "carbamazepine", "dilantin",
    "imitrex", "sumatriptan", "nurtec", "ubrelvy", "aimovig", "flexeril", "cyclobenzaprine",
    "baclofen", "tizanidine", "meloxicam", "mobic", "celebrex", "diclofenac", "voltaren",
    "dilaudid", "norco", "codeine", "tylenol 3", "buprenorphine", "vivitrol", "chantix",
    "nicorette",
]

# Sentences with a {} for the name; a name in an ALL-CAPS sentence is written in capitals.
DIAGNOSIS_TEMPLATES = ["i was diagnosed with {} last year", "PT WITH HX OF {}, STABLE."]
MEDICATION_TEMPLATES = [
    "i have been taking {} for a month",
    "PT STARTED ON {} YESTERDAY.",
    "my doctor put me on {} last week",
]


def write(path, names, templates, label):
    with open(path, "w") as out:
        for name in names:
            for template in templates:
                value = name.upper() if template.isupper() else name
                text = template.format(value)
                start = text.index(value)
                span = {"start": start, "end": start + len(value), "label": label}
                out.write(json.dumps({"text": text, "spans": [span]}) + "\n")


write("diagnoses_tuned.jsonl", DIAGNOSES_TUNED, DIAGNOSIS_TEMPLATES, "CONDITION")
write("diagnoses_heldout.jsonl", DIAGNOSES_HELDOUT, DIAGNOSIS_TEMPLATES, "CONDITION")
write("diagnoses_blind.jsonl", DIAGNOSES_BLIND, DIAGNOSIS_TEMPLATES, "CONDITION")
write("medications_tuned.jsonl", MEDICATIONS_TUNED, MEDICATION_TEMPLATES, "MEDICATION")
write("medications_heldout.jsonl", MEDICATIONS_HELDOUT, MEDICATION_TEMPLATES, "MEDICATION")
