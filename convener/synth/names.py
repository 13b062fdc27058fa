"""Word lists for the synthetic collaboration. Every name is made up by combining them."""

GIVEN = """Aisha Akira Alejandro Alice Amara Ana Andrei Anika Antonio Arjun Ayesha Beatriz Bilal
Camila Carlos Chen Chiara Daniel David Deepa Diego Dmitri Elena Emeka Emma Fatima Felipe Freya
Gabriel Giulia Hana Hassan Helena Hiroshi Ines Ivan Jamal Javier Ji-woo Johan Jonas Julia Kaito
Kamala Karim Katarzyna Kwame Lars Laura Layla Leila Li Lucas Luis Maria Marta Mateo Mei Miguel
Min-jun Nadia Naveen Nia Nikolai Noah Olga Omar Oscar Paolo Pedro Priya Rafael Ravi Rosa Sakura
Samuel Sara Sebastian Sofia Sun Tariq Thomas Tomasz Valentina Victor Wei Yara Yusuf Zainab Zoe
Amadou Beatrix Chidi Dalia Eitan Farah Goran Hyun Ilse Joaquin Kofi Lina Marek Nour Orla""".split()

FAMILY = """Abadi Adeyemi Alvarez Andersen Bauer Becker Bianchi Bose Cardoso Castillo Chen Costa
Dahl Das Dimitrov Dubois Eriksen Fernandez Fischer Garcia Gomez Gupta Haddad Hansen Hoffmann
Horvat Ibrahim Ito Ivanova Jensen Kang Kato Khan Kim Kowalski Kumar Larsen Laurent Lee Lopez
Mahmoud Martin Meyer Moreau Muller Murphy Nakamura Nguyen Novak Nowak Okafor Olsen Ortiz Park
Patel Pereira Petrov Popescu Quinn Rahman Ramirez Rao Reyes Ricci Rossi Russo Santos Sato Schmidt
Schneider Silva Singh Smirnov Sokolova Suzuki Takahashi Tanaka Torres Tran Vargas Wagner Wang
Weber Williams Wong Wu Yamamoto Yang Yilmaz Young Zhang Zhou Zielinski Mensah Osei Banerjee
Lindqvist Aalto Virtanen Marquez Farouk Nasser Keller Brandt Varga Szabo""".split()

SYLLABLES = """al an ar ber bor dal den dor el en fal gar hal ka kel lin lor mar mer mon nor
ol or pal ran ril ros sal sen tal tor val ven vik wen zar""".split()

INSTITUTION_FORMS = [
    "University of {city}",
    "{city} Institute of Technology",
    "{city} State University",
    "{city} National Laboratory",
    "Institute for Particle Physics {city}",
    "{city} University",
    "Polytechnic of {city}",
    "{city} Centre for Nuclear Research",
]

# ISO 3166 codes; the first ones get the most institutions, like a collaboration led from the US.
COUNTRIES = """US US US US US DE IT FR CH GB ES IN CN KR JP BR PL RU PT BE AT FI GR HU TR PK IR
EG MX CO NZ AU IE NL SE NO DK CZ SK HR SI RS BG LT EE LV UA GE AM BY CY LK MY TH TW""".split()

L1_AREAS = [
    ("Detector Operations", "resources"),
    ("Software and Computing", "resources"),
    ("Tracker Upgrade", "resources"),
    ("Calorimeter Upgrade", "resources"),
    ("Trigger and Data Acquisition", "resources"),
    ("Physics Coordination", "resources"),
    ("Muon Systems", "resources"),
    ("Education and Outreach", "community"),
]

AREA_WORDS = """Pixel Strip Timing Readout Firmware Calibration Alignment Simulation Reconstruction
Tracking Vertexing Clustering Cooling Mechanics Electronics Power Sensors Modules Integration
Testing Commissioning Monitoring Databases Workflows Storage Networking Analysis Luminosity
Beamline Radiation Safety Controls Services Production Assembly Quality Validation Releases
Training Metrics Operations Upgrades Performance Triggers Jets Muons Electrons Photons Taus
Heavy-Ions Top Higgs Exotica Dark-Sector B-Physics Standard-Model Forward Detectors""".split()

BOARDS = [
    ("Collaboration Board", "board", "resources", 12),
    ("Management Board", "board", "resources", 8),
    ("Finance Board", "board", "resources", 6),
    ("Diversity, Equity and Inclusion Committee", "committee", "community", 8),
    ("Nominations Advisory Committee", "committee", "advisory", 6),
    ("Early Career Committee", "committee", "community", 8),
    ("Publications Committee", "committee", "advisory", 6),
    ("Code of Conduct Committee", "committee", "advisory", 5),
]

MANDATE = """The {title} leads {unit} within {parent}.

- Sets the priorities and the schedule of the work, and reports on them to {parent}.
- Allocates the people and the money assigned to {unit}.
- Runs the regular meetings of {unit} so that every voice is heard.
- Mentors the deputies and the early-career members of the group.
"""

DEPUTY_MANDATE = """The {title} shares the running of {unit} with the {lead}.

- Leads the part of the work agreed with the {lead} and stands in when they are away.
- Takes part in the regular meetings of {unit} and in its reports to {parent}.
- Learns the role of the {lead}, as the first person ready to take it over.
"""

REQUIREMENTS = """- Experience in {topic} work of the collaboration.
- Ability to coordinate people across institutions and time zones.
- Completion of the leadership training required for {level} roles within six months.
"""
