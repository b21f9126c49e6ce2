//! The parsers on text as Tesseract gives it (columns as wide gaps), French and English.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::*;
use crate::invoice::{Money, TaxName};

const FRENCH: &str = "\
Câblage Laurentides inc.                          FACTURE
1450, boul. du Curé-Labelle
Saint-Jérôme (Québec) J7Z 5T4
Tél. : 450 555-0142
TPS/GST : 123456789 RT0001
N° d'inscription TVQ : 1234567890 TQ0001
Facturé à                    Facture n° :
Gigafibre inc.                        F-2026-004127
1500, rue Sherbrooke         Date de facturation :
Montréal (Québec) H2X 1Y4             3 novembre 2026
                             Date d'échéance :
                                      3 décembre 2026
Description                     Qté   Prix unitaire   Montant
Câble de branchement 500 m       2      1 250,00 $    2 500,00 $
ONT XS-010X-Q                    3        123,45 $      370,35 $
Sous-total                                            2 870,35 $
TPS (5 %)                                               143,52 $
TVQ (9,975 %)                                           286,32 $
Total à payer (CAD)                                   3 300,19 $
Payable sur réception. Merci!
";

const ENGLISH: &str = "\
Northern Network Supply Ltd.                      INVOICE
412 Lakeshore Rd
Sudbury, ON P3E 2L9
Tel: 705-555-0176
GST/HST Reg. No.: 987654321RT0001
Invoice # : INV-88213          Bill to :
Invoice date : Nov 3, 2026     Gigafibre inc.
Due date : Dec 3, 2026
Qty   Description                  Unit price      Amount
 4    Fibre patch cord SC/APC 3 m      $12.50      $50.00
 1    Splice enclosure 24-port      $1,204.99   $1,204.99
Subtotal                                        $1,254.99
HST (13%)                                         $163.15
Amount due (CAD)                                $1,418.14
Terms: net 30 days
";

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[test]
fn a_french_invoice_is_read_whole() {
    let inv = invoice(FRENCH);
    assert_eq!(inv.supplier.as_deref(), Some("Câblage Laurentides inc."));
    assert_eq!(inv.gst_number.as_deref(), Some("123456789 RT0001"));
    assert_eq!(inv.qst_number.as_deref(), Some("1234567890 TQ0001"));
    assert_eq!(inv.invoice_number.as_deref(), Some("F-2026-004127"));
    assert_eq!(inv.date, day(2026, 11, 3));
    assert_eq!(inv.due_date, day(2026, 12, 3));
    assert_eq!(inv.currency.as_deref(), Some("CAD"));
    assert_eq!(inv.subtotal, Some(Money(287035)));
    assert_eq!(inv.total, Some(Money(330019)));
    let taxes: Vec<_> = inv
        .taxes
        .iter()
        .map(|t| (t.name, t.rate, t.amount))
        .collect();
    assert_eq!(
        taxes,
        [
            (TaxName::Tps, Some(5.0), Money(14352)),
            (TaxName::Tvq, Some(9.975), Money(28632))
        ]
    );
    assert_eq!(inv.lines.len(), 2);
    assert_eq!(inv.lines[0].description, "Câble de branchement 500 m");
    assert_eq!(inv.lines[0].quantity, Some(2.0));
    assert_eq!(inv.lines[0].unit_price, Some(Money(125000)));
    assert_eq!(inv.lines[0].amount, Some(Money(250000)));
    assert_eq!(inv.lines[1].description, "ONT XS-010X-Q");
}

#[test]
fn an_english_invoice_is_read_whole() {
    let inv = invoice(ENGLISH);
    assert_eq!(
        inv.supplier.as_deref(),
        Some("Northern Network Supply Ltd.")
    );
    assert_eq!(inv.gst_number.as_deref(), Some("987654321 RT0001"));
    assert_eq!(inv.qst_number, None);
    assert_eq!(inv.invoice_number.as_deref(), Some("INV-88213"));
    assert_eq!(inv.date, day(2026, 11, 3));
    assert_eq!(inv.due_date, day(2026, 12, 3));
    assert_eq!(inv.subtotal, Some(Money(125499)));
    assert_eq!(inv.total, Some(Money(141814)));
    assert_eq!(inv.taxes.len(), 1);
    assert_eq!(inv.taxes[0].name, TaxName::Hst);
    assert_eq!(inv.taxes[0].rate, Some(13.0));
    assert_eq!(inv.lines.len(), 2);
    assert_eq!(inv.lines[0].description, "Fibre patch cord SC/APC 3 m");
    assert_eq!(inv.lines[0].quantity, Some(4.0));
    assert_eq!(inv.lines[1].amount, Some(Money(120499)));
}

#[test]
fn inline_labels_and_every_number_label() {
    for (text, number) in [
        ("No de facture : FAC-00412", "FAC-00412"),
        ("N° facture: A10294", "A10294"),
        ("Invoice No. INV-55555", "INV-55555"),
        ("Invoice number   F-2026-000017", "F-2026-000017"),
        ("Facture nº : F-2026-000001", "F-2026-000001"),
    ] {
        assert_eq!(
            invoice(text).invoice_number.as_deref(),
            Some(number),
            "{text}"
        );
    }
}

#[test]
fn slashed_dates_follow_the_language() {
    let fr = invoice("FACTURE\nDate : 03/11/2026\nÉchéance : 03/12/2026\nSous-total 1,00 $");
    assert_eq!((fr.date, fr.due_date), (day(2026, 11, 3), day(2026, 12, 3)));
    let en = invoice("INVOICE\nInvoice date: 11/03/2026\nPayment due: 12/03/2026\nSubtotal $1.00");
    assert_eq!((en.date, en.due_date), (day(2026, 11, 3), day(2026, 12, 3)));
    let iso = invoice("Invoice\nDate: 2026-11-03");
    assert_eq!(iso.date, day(2026, 11, 3));
}

#[test]
fn noisy_ocr_text_is_still_read() {
    let text = "\
Fibres Optiques Boréal ltée
No TPS : 12345 6789RT0001
No TVQ : 1234567890TQ 0001
No de facture :  F-2026-O04127
Date : 2O26-O3-15
Description    Qté    Prix unitaire    Montant
Connecteur SC   1O    1,5O $    15,OO $
Sous-total     15,OO $
TPS (5 %)     O,75 $
TVQ (9,975 %)   1,5O $
Montant total (CAD)    17,25 $
";
    let inv = invoice(text);
    assert_eq!(inv.gst_number.as_deref(), Some("123456789 RT0001"));
    assert_eq!(inv.qst_number.as_deref(), Some("1234567890 TQ0001"));
    assert_eq!(inv.date, day(2026, 3, 15));
    assert_eq!(inv.total, Some(Money(1725)));
    assert_eq!(inv.subtotal, Some(Money(1500)));
    assert_eq!(inv.taxes[0].amount, Money(75));
    assert_eq!(inv.lines.len(), 1);
    assert_eq!(inv.lines[0].quantity, Some(10.0));
    assert_eq!(inv.lines[0].unit_price, Some(Money(150)));
}

#[test]
fn us_dollars_and_euros_are_noticed() {
    assert_eq!(invoice("Total USD 12.00").currency.as_deref(), Some("USD"));
    assert_eq!(invoice("Total 12,00 €").currency.as_deref(), Some("EUR"));
    assert_eq!(invoice("Total EUR 12,00").currency.as_deref(), Some("EUR"));
    let router = invoice("Routeur Wi-Fi   12,00 $\nFOURNISSEUR\nTotal 12,00 $");
    assert_eq!(router.currency.as_deref(), Some("CAD"));
}

#[test]
fn labels_in_every_spelling() {
    let l = label(
        "HUAWEI\nModel: HG8245Q2\nS/N: 2102351KXB10M8000123\nMAC WAN: 00:E0:FC:12:34:56\n\
         MAC LAN: 00-E0-FC-12-34-57\nGPON SN: HWTC1A2B3C4D\n12V DC 1.5A",
    );
    assert_eq!(l.model.as_deref(), Some("HG8245Q2"));
    assert_eq!(l.serial.as_deref(), Some("2102351KXB10M8000123"));
    assert_eq!(l.macs, ["00:E0:FC:12:34:56", "00:E0:FC:12:34:57"]);
    assert_eq!(l.gpon_serial.as_deref(), Some("HWTC1A2B3C4D"));

    for (text, mac) in [
        ("MAC: 001a.2b3c.4d5e", "00:1A:2B:3C:4D:5E"),
        ("MAC Address: 001A2B3C4D5E", "00:1A:2B:3C:4D:5E"),
        ("Adresse MAC : 00:1a:2b:3c:4d:5e", "00:1A:2B:3C:4D:5E"),
        ("MAC ID 0O:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E"),
    ] {
        assert_eq!(label(text).macs, [mac], "{text}");
    }
}

#[test]
fn french_label_wording() {
    let l = label(
        "NOKIA\nModèle : XS-010X-Q\nN/S : FH1234A5678\nMAC: D0:54:2D:01:02:03\nSN GPON : ALCL1A2B3C4D",
    );
    assert_eq!(l.model.as_deref(), Some("XS-010X-Q"));
    assert_eq!(l.serial.as_deref(), Some("FH1234A5678"));
    assert_eq!(l.gpon_serial.as_deref(), Some("ALCL1A2B3C4D"));
    let l = label("Model/Modèle: Archer AX55\nN° de série : 22B1234567890\nPON SN: ZTEG1A2B3C4D");
    assert_eq!(l.model.as_deref(), Some("Archer AX55"));
    assert_eq!(l.serial.as_deref(), Some("22B1234567890"));
    assert_eq!(l.gpon_serial.as_deref(), Some("ZTEG1A2B3C4D"));
    let l = label("Model No.: F670L\nSerial No.: ZTEAB1234567\nGPON S/N: ZTEG 1A2B3C4D");
    assert_eq!(l.model.as_deref(), Some("F670L"));
    assert_eq!(l.serial.as_deref(), Some("ZTEAB1234567"));
    assert_eq!(l.gpon_serial.as_deref(), Some("ZTEG1A2B3C4D"));
}

#[test]
fn a_grid_of_labels_over_values_is_read_by_column() {
    let text = "Facture n°   Date   Date d'échéance\nF-2026-047925   14/12/2026   29/12/2026\n";
    let inv = invoice(text);
    assert_eq!(inv.invoice_number.as_deref(), Some("F-2026-047925"));
    assert_eq!(inv.date, day(2026, 12, 14));
    assert_eq!(inv.due_date, day(2026, 12, 29));
    let text = "Invoice No.   Date   Payment due\nA25883   Mar 31, 2026   Apr 30, 2026\n";
    let inv = invoice(text);
    assert_eq!(inv.invoice_number.as_deref(), Some("A25883"));
    assert_eq!(
        (inv.date, inv.due_date),
        (day(2026, 3, 31), day(2026, 4, 30))
    );
}

#[test]
fn legal_forms_misread_with_an_i_are_put_back() {
    let inv = invoice("Fibres Optiques Boréal Itée\n88, rue des Forges");
    assert_eq!(inv.supplier.as_deref(), Some("Fibres Optiques Boréal ltée"));
    let inv = invoice("Northern Network Supply itd.   INVOICE");
    assert_eq!(
        inv.supplier.as_deref(),
        Some("Northern Network Supply Ltd.")
    );
}
