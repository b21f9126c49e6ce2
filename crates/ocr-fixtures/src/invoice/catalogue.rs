//! The fictional suppliers, the customer and the equipment the invoices are made of.

/// The province a supplier charges taxes for: Quebec (GST + QST) or Ontario (HST).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Province {
    Quebec,
    Ontario,
}

/// A fictional supplier of network equipment.
pub(crate) struct Supplier {
    pub name: &'static str,
    pub street: &'static str,
    pub city: &'static str,
    pub phone: &'static str,
    pub province: Province,
}

pub(crate) const SUPPLIERS: [Supplier; 8] = [
    Supplier {
        name: "Câblage Laurentides inc.",
        street: "1450, boul. du Curé-Labelle",
        city: "Saint-Jérôme (Québec) J7Z 5T4",
        phone: "450 555-0142",
        province: Province::Quebec,
    },
    Supplier {
        name: "Fibres Optiques Boréal ltée",
        street: "88, rue des Forges",
        city: "Trois-Rivières (Québec) G9A 2G7",
        phone: "819 555-0187",
        province: Province::Quebec,
    },
    Supplier {
        name: "Distribution Télécom Outaouais",
        street: "275, boul. Saint-Joseph",
        city: "Gatineau (Québec) J8Y 3X5",
        phone: "819 555-0110",
        province: Province::Quebec,
    },
    Supplier {
        name: "Équipements Réseau Mauricie inc.",
        street: "3200, rue Bellefeuille",
        city: "Shawinigan (Québec) G9N 6V8",
        phone: "819 555-0163",
        province: Province::Quebec,
    },
    Supplier {
        name: "Connectique Saguenay inc.",
        street: "940, boul. Talbot",
        city: "Chicoutimi (Québec) G7H 4B7",
        phone: "418 555-0129",
        province: Province::Quebec,
    },
    Supplier {
        name: "Northern Network Supply Ltd.",
        street: "412 Lakeshore Rd",
        city: "Sudbury, ON P3E 2L9",
        phone: "705 555-0176",
        province: Province::Ontario,
    },
    Supplier {
        name: "Ottawa Valley Fibre Ltd.",
        street: "1180 Carling Ave",
        city: "Ottawa, ON K1Z 7K5",
        phone: "613 555-0134",
        province: Province::Ontario,
    },
    Supplier {
        name: "Great Lakes Telecom Inc.",
        street: "55 Industrial Pkwy",
        city: "Kingston, ON K7M 3X1",
        phone: "613 555-0198",
        province: Province::Ontario,
    },
];

/// The customer every invoice is addressed to.
pub(crate) const CUSTOMER: [&str; 3] = [
    "Gigafibre inc.",
    "2200, rue de la Fibre",
    "Sherbrooke (Québec) J1H 1A1",
];

/// An item sold: French and English descriptions, unit price range in cents, largest quantity.
pub(crate) struct Item {
    pub fr: &'static str,
    pub en: &'static str,
    pub min_cents: i64,
    pub max_cents: i64,
    pub max_quantity: u32,
}

const fn item(fr: &'static str, en: &'static str, min: i64, max: i64, qty: u32) -> Item {
    Item {
        fr,
        en,
        min_cents: min,
        max_cents: max,
        max_quantity: qty,
    }
}

pub(crate) const ITEMS: [Item; 13] = [
    item(
        "Câble de descente fibre 500 m",
        "Fibre drop cable 500 m",
        18_000,
        42_000,
        12,
    ),
    item("ONT GPON HG8245Q2", "GPON ONT HG8245Q2", 6_500, 14_000, 40),
    item(
        "Module SFP 1310 nm 10 km",
        "SFP module 1310 nm 10 km",
        1_800,
        9_500,
        48,
    ),
    item(
        "Cassette d'épissure 12 fibres",
        "Splice tray 12 fibres",
        900,
        3_500,
        60,
    ),
    item(
        "Connecteurs SC/APC (paquet de 10)",
        "SC/APC connectors (pack of 10)",
        1_200,
        4_500,
        30,
    ),
    item(
        "Boîtier de terminaison 8 ports",
        "8-port termination box",
        4_500,
        16_000,
        20,
    ),
    item(
        "Cordon de raccordement LC-SC 3 m",
        "LC-SC patch cord 3 m",
        450,
        1_800,
        100,
    ),
    item(
        "Répartiteur optique PLC 1x8",
        "PLC splitter 1x8",
        2_500,
        8_900,
        25,
    ),
    item(
        "Manchons thermorétractables (100)",
        "Heat-shrink sleeves (100)",
        1_500,
        4_000,
        20,
    ),
    item(
        "Routeur Wi-Fi 6 XS-010X-Q",
        "Wi-Fi 6 router XS-010X-Q",
        9_000,
        21_000,
        30,
    ),
    item(
        "Câble fibre 24 brins (au mètre)",
        "24-strand fibre cable (per m)",
        95,
        310,
        900,
    ),
    item(
        "Attaches de câble (sac de 100)",
        "Cable ties (bag of 100)",
        500,
        1_500,
        50,
    ),
    item("Frais de livraison", "Shipping", 2_500, 9_500, 1),
];
