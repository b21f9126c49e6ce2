//! Where the demo day happens and who lives there: parts of the island, Laval and the South Shore
//! with a few of their real streets, first and last names as common in Quebec, and the small
//! generator that draws from them.

/// A part of the region: its centre, city, postal area and a few of its real streets.
pub(super) struct Area {
    pub(super) city: &'static str,
    pub(super) centre: (f64, f64),
    pub(super) fsa: &'static str,
    pub(super) streets: &'static [&'static str],
}

#[rustfmt::skip]
pub(super) const AREAS: &[Area] = &[
    Area { city: "Montréal", centre: (45.5225, -73.5810), fsa: "H2J", streets: &["rue Saint-Denis", "avenue du Mont-Royal Est", "rue Rachel Est", "rue Fabre"] },
    Area { city: "Montréal", centre: (45.5450, -73.5800), fsa: "H1Y", streets: &["rue Masson", "boulevard Rosemont", "1re Avenue", "rue Beaubien Est"] },
    Area { city: "Montréal", centre: (45.5440, -73.6200), fsa: "H2R", streets: &["rue Jarry Est", "rue De Castelnau Est", "rue Villeray", "rue Saint-Hubert"] },
    Area { city: "Montréal", centre: (45.5780, -73.5380), fsa: "H1L", streets: &["rue Hochelaga", "rue Sherbrooke Est", "avenue Pierre-De Coubertin", "rue Des Ormeaux"] },
    Area { city: "Montréal", centre: (45.4580, -73.5700), fsa: "H4G", streets: &["rue Wellington", "boulevard LaSalle", "rue de l'Église", "avenue Verdun"] },
    Area { city: "Montréal", centre: (45.4740, -73.6150), fsa: "H4A", streets: &["avenue de Monkland", "rue Sherbrooke Ouest", "avenue Girouard", "boulevard Décarie"] },
    Area { city: "Montréal", centre: (45.5070, -73.6800), fsa: "H4L", streets: &["boulevard Décarie", "rue Grenet", "boulevard Thimens", "rue du Collège"] },
    Area { city: "Montréal", centre: (45.5560, -73.6600), fsa: "H3L", streets: &["boulevard Gouin Ouest", "rue Fleury Ouest", "avenue Christophe-Colomb", "rue Lajeunesse"] },
    Area { city: "Montréal", centre: (45.5840, -73.5950), fsa: "H1S", streets: &["boulevard Lacordaire", "rue Jean-Talon Est", "boulevard des Galeries-d'Anjou", "rue Jarry Est"] },
    Area { city: "Montréal", centre: (45.5970, -73.6350), fsa: "H1H", streets: &["boulevard Henri-Bourassa Est", "rue Pascal", "boulevard Léger", "avenue Racette"] },
    Area { city: "Montréal", centre: (45.4300, -73.6300), fsa: "H8N", streets: &["boulevard Newman", "rue Lapierre", "avenue Dollard", "boulevard Champlain"] },
    Area { city: "Montréal", centre: (45.4400, -73.6900), fsa: "H8S", streets: &["rue Notre-Dame", "32e Avenue", "rue Provost", "boulevard Saint-Joseph"] },
    Area { city: "Pointe-Claire", centre: (45.4550, -73.8150), fsa: "H9R", streets: &["boulevard Saint-Jean", "avenue Cartier", "chemin du Bord-du-Lac", "avenue Donegani"] },
    Area { city: "Dollard-des-Ormeaux", centre: (45.4900, -73.8200), fsa: "H9B", streets: &["boulevard des Sources", "rue Brunswick", "boulevard de Salaberry", "rue Roger-Pilon"] },
    Area { city: "Montréal", centre: (45.4950, -73.8600), fsa: "H9H", streets: &["boulevard de Pierrefonds", "rue Sunnybrooke", "boulevard Gouin Ouest", "rue Paiement"] },
    Area { city: "Laval", centre: (45.5450, -73.7500), fsa: "H7W", streets: &["boulevard Curé-Labelle", "boulevard Notre-Dame", "boulevard Chomedey", "rue Lévesque Ouest"] },
    Area { city: "Laval", centre: (45.5570, -73.6950), fsa: "H7N", streets: &["boulevard Cartier Ouest", "boulevard de la Concorde Ouest", "rue Meunier", "avenue Ampère"] },
    Area { city: "Laval", centre: (45.6050, -73.7200), fsa: "H7M", streets: &["boulevard des Laurentides", "boulevard Saint-Elzéar Est", "rue de Bergerac", "montée Saint-François"] },
    Area { city: "Laval", centre: (45.5900, -73.6700), fsa: "H7G", streets: &["boulevard de la Concorde Est", "avenue des Bois", "boulevard Lévesque Est", "rue Vanier"] },
    Area { city: "Laval", centre: (45.6120, -73.7870), fsa: "H7L", streets: &["boulevard Sainte-Rose", "rue des Patriotes", "boulevard Curé-Labelle", "rue Hotte"] },
    Area { city: "Laval", centre: (45.5750, -73.8200), fsa: "H7P", streets: &["boulevard Dagenais Ouest", "rue Principale", "boulevard Sainte-Rose", "rue des Ormes"] },
    Area { city: "Longueuil", centre: (45.5370, -73.5100), fsa: "J4H", streets: &["rue Saint-Charles Ouest", "chemin de Chambly", "rue Saint-Laurent Ouest", "boulevard La Fayette"] },
    Area { city: "Longueuil", centre: (45.4950, -73.4450), fsa: "J3Y", streets: &["boulevard Cousineau", "chemin de Chambly", "Grande Allée", "rue Davis"] },
    Area { city: "Brossard", centre: (45.4580, -73.4650), fsa: "J4W", streets: &["boulevard Taschereau", "boulevard Rome", "avenue Auteuil", "boulevard Milan"] },
    Area { city: "Saint-Lambert", centre: (45.5000, -73.5050), fsa: "J4P", streets: &["avenue Victoria", "rue Riverside", "avenue Notre-Dame", "rue Desaulniers"] },
    Area { city: "Boucherville", centre: (45.5900, -73.4400), fsa: "J4B", streets: &["boulevard de Mortagne", "boulevard Marie-Victorin", "rue Samuel-De Champlain", "boulevard du Fort-Saint-Louis"] },
    Area { city: "La Prairie", centre: (45.4180, -73.5000), fsa: "J5R", streets: &["boulevard Taschereau", "chemin de Saint-Jean", "rue Saint-Ignace", "avenue du Golf"] },
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Mathieu",
    "Julie",
    "Alexandre",
    "Catherine",
    "Maxime",
    "Isabelle",
    "Samuel",
    "Émilie",
    "Olivier",
    "Geneviève",
    "Gabriel",
    "Mélanie",
    "Nicolas",
    "Stéphanie",
    "David",
    "Valérie",
    "Kevin",
    "Annie",
    "Jonathan",
    "Marie-Ève",
    "Philippe",
    "Caroline",
    "Vincent",
    "Karine",
    "Jérôme",
    "Sarah",
    "François",
    "Nadia",
    "Antoine",
    "Josée",
    "Simon",
    "Audrey",
    "Michael",
    "Véronique",
    "Éric",
    "Amélie",
    "Patrick",
    "Chloé",
    "Sébastien",
    "Laurence",
    "Karim",
    "Fatima",
    "Daniel",
    "Jessica",
    "Hugo",
    "Mélissa",
    "Ahmed",
    "Linh",
    "Carlos",
    "Priya",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Bergeron",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Hébert",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Lapointe",
    "Leclerc",
    "Lefebvre",
    "Poulin",
    "Thibault",
    "St-Pierre",
    "Nadeau",
    "Martin",
    "Landry",
    "Martel",
    "Bédard",
    "Grenier",
    "Lessard",
    "Benali",
    "Nguyen",
    "Rodriguez",
    "Patel",
    "O'Connor",
    "Haddad",
    "Chen",
    "Desjardins",
];

/// SplitMix64: a small generator, the same everywhere, so the day is the same everywhere.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `-1.0..1.0`.
    pub(super) fn signed_unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// An index drawn with the given weights.
    pub(super) fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut draw = self.below(weights.iter().sum());
        for (index, weight) in weights.iter().enumerate() {
            if draw < *weight {
                return index;
            }
            draw -= weight;
        }
        0
    }
}

/// Degrees to six decimals (about 10 cm), as Frappe's Float shows them.
fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// An address in `area`: number, street, city and a postal code of its area.
pub(super) fn address(rng: &mut Rng, area: &Area) -> (String, String, (f64, f64)) {
    const LETTERS: &[u8] = b"ABCEGHJKLMNPRSTVWXYZ";
    let street = area.streets[rng.below(area.streets.len())];
    let number = 100 + rng.below(9800);
    let postal = format!(
        "{} {}{}{}",
        area.fsa,
        rng.below(10),
        char::from(LETTERS[rng.below(LETTERS.len())]),
        rng.below(10)
    );
    let lat = round6(area.centre.0 + rng.signed_unit() * 0.008);
    let lon = round6(area.centre.1 + rng.signed_unit() * 0.012);
    (format!("{number} {street}"), postal, (lat, lon))
}

pub(super) fn ascii_lower(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ê' | 'É' => Some('e'),
            'ô' | 'Ô' => Some('o'),
            'ç' => Some('c'),
            'à' | 'â' => Some('a'),
            ' ' | '\'' => None,
            other => Some(other.to_ascii_lowercase()),
        })
        .collect()
}
