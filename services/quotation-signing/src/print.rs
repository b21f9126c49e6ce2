//! The printable quote: one self-contained HTML page (inline CSS, no script, no external asset)
//! that prints on A4 or Letter. French first, the English words small beneath, as bilingual Quebec
//! documents are; English only for an English quote. Every value from the quote is escaped; the QR
//! code's SVG is ours and goes in as is.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use shared::erpnext::BillingFrequency as Frequency;

use crate::quote::{Line, QuoteView, money};

/// Fits A4 and Letter alike: the printer's paper, 15 mm margins, content 180 mm wide at most.
const STYLE: &str = r#"
@page { size: auto; margin: 15mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #111;
       font: 10.5pt/1.4 system-ui, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 180mm; margin: 0 auto; }
header { display: flex; justify-content: space-between; align-items: baseline;
         border-bottom: 3px solid #0b6e4f; padding-bottom: 3mm; }
.brand { font-size: 20pt; font-weight: 700; color: #0b6e4f; }
h1 { font-size: 15pt; margin: 6mm 0 3mm; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 1px solid #bbb; }
small { display: block; font-size: .75em; font-weight: 400; color: #555; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 6mm; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 1.5mm 2mm;
         border-bottom: 1px solid #e3e3e3; }
.num { text-align: right; white-space: nowrap; }
tfoot th, tfoot td, .grand th, .grand td { font-weight: 700; border-top: 2px solid #111; }
.totals table { width: 60%; margin-left: auto; }
.qr { display: flex; gap: 6mm; align-items: center; margin-top: 8mm; }
.qr svg { width: 35mm; height: 35mm; flex: none; }
.link { word-break: break-all; font-size: 9pt; }
section, tr, .qr { break-inside: avoid; }
@media screen {
  body { background: #eee; }
  main { background: #fff; margin: 8mm auto; padding: 15mm; box-shadow: 0 1px 4px #0003; }
}
@media print { a { color: inherit; text-decoration: none; } }
"#;

/// The quote as a printable HTML page, with the QR code of `link` (`qr_svg`) when given.
pub fn page(view: &QuoteView, qr_svg: Option<&str>, link: Option<&str>) -> String {
    let lang = Lang::of(view);
    let body = [
        heading(view, lang),
        section(
            lang,
            ("Services mensuels récurrents", "Recurring services"),
            &view.recurring,
            (("Total mensuel", "Monthly total"), view.monthly_cents()),
        ),
        section(
            lang,
            ("Frais uniques", "One-time charges"),
            &view.one_time,
            (
                ("Total des frais uniques", "One-time total"),
                view.one_time_cents(),
            ),
        ),
        totals(view, lang),
        qr_svg.map_or_else(String::new, |svg| qr(svg, link, lang)),
    ]
    .concat();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} {quotation} — Gigafibre</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        code = lang.code(),
        title = lang.pick("Soumission", "Quote"),
        quotation = text(&view.quotation),
    )
}

/// The quote's language: French unless it says English.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lang {
    Fr,
    En,
}

impl Lang {
    fn of(view: &QuoteView) -> Self {
        if view.lang == "en" {
            Self::En
        } else {
            Self::Fr
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Fr => fr,
            Self::En => en,
        }
    }

    /// A label: French with the English small beneath (unless the same word), or English alone.
    fn label(self, (fr, en): (&str, &str)) -> String {
        match self {
            Self::Fr if fr != en => format!("{fr}<small lang=\"en\">{en}</small>"),
            Self::Fr => fr.to_owned(),
            Self::En => en.to_owned(),
        }
    }

    fn money(self, cents: i64) -> String {
        money(cents, self.code())
    }

    /// `9,975` in French, `9.975` in English.
    fn decimal(self, value: f64) -> String {
        let written = value.to_string();
        match self {
            Self::Fr => written.replace('.', ","),
            Self::En => written,
        }
    }

    fn frequency(self, frequency: Frequency) -> &'static str {
        match frequency {
            Frequency::OneTime => self.pick("unique", "one-time"),
            Frequency::Monthly => self.pick("mensuel", "monthly"),
            Frequency::Quarterly => self.pick("trimestriel", "quarterly"),
            Frequency::Yearly => self.pick("annuel", "yearly"),
        }
    }
}

fn heading(view: &QuoteView, lang: Lang) -> String {
    let quotation = text(&view.quotation);
    format!(
        "<header><div class=\"brand\">Gigafibre</div><div>{tagline}</div></header>\n\
         <h1>{title}</h1>\n<dl>\n\
         <dt>{customer}</dt><dd>{customer_name}</dd>\n\
         <dt>{date}</dt><dd>{transaction_date}</dd>\n\
         <dt>{valid}</dt><dd>{valid_till}</dd>\n</dl>\n",
        tagline = lang.pick("Internet par fibre optique", "Fibre-optic Internet"),
        title = lang.label((
            &format!("Soumission {quotation}"),
            &format!("Quote {quotation}")
        )),
        customer = lang.label(("Client", "Customer")),
        customer_name = text(&view.customer_name),
        date = lang.label(("Date", "Date")),
        transaction_date = text(&view.transaction_date),
        valid = lang.label(("Valide jusqu'au", "Valid until")),
        valid_till = text(&view.valid_till),
    )
}

/// A section of lines with its total; nothing when it has no line.
fn section(
    lang: Lang,
    title: (&str, &str),
    lines: &[Line],
    (total_label, total_cents): ((&str, &str), i64),
) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let columns = [
        (("Article", "Item"), ""),
        (("Code", "Code"), ""),
        (("Qté", "Qty"), " class=\"num\""),
        (("Prix unitaire", "Unit price"), " class=\"num\""),
        (("Montant", "Amount"), " class=\"num\""),
        (("Fréquence", "Frequency"), ""),
    ];
    let head: String = columns
        .into_iter()
        .map(|(label, class)| format!("<th{class}>{}</th>", lang.label(label)))
        .collect();
    let rows: String = lines.iter().map(|line| row(line, lang)).collect();
    format!(
        "<section>\n<h2>{title}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n\
         <tbody>\n{rows}</tbody>\n<tfoot><tr><th colspan=\"4\">{total}</th>\
         <td class=\"num\">{amount}</td><td></td></tr></tfoot>\n</table>\n</section>\n",
        title = lang.label(title),
        total = lang.label(total_label),
        amount = lang.money(total_cents),
    )
}

fn row(line: &Line, lang: Lang) -> String {
    format!(
        "<tr><td>{name}</td><td>{code}</td><td class=\"num\">{qty}</td>\
         <td class=\"num\">{rate}</td><td class=\"num\">{amount}</td><td>{frequency}</td></tr>\n",
        name = text(&line.item_name),
        code = text(&line.item_code),
        qty = lang.decimal(line.qty),
        rate = lang.money(line.rate_cents),
        amount = lang.money(line.amount_cents),
        frequency = lang.frequency(line.frequency),
    )
}

/// Net total, each tax with its rate, the taxes' total and the grand total.
fn totals(view: &QuoteView, lang: Lang) -> String {
    let percent = lang.pick("\u{a0}%", "%");
    let taxes: String = view
        .taxes
        .iter()
        .map(|tax| {
            format!(
                "<tr><th>{label} {rate}{percent}</th><td class=\"num\">{amount}</td></tr>\n",
                label = text(&tax.label),
                rate = lang.decimal(tax.rate),
                amount = lang.money(tax.amount_cents),
            )
        })
        .collect();
    format!(
        "<section class=\"totals\">\n<h2>{title}</h2>\n<p>{currency_note} {currency}</p>\n<table>\n\
         <tr><th>{net}</th><td class=\"num\">{net_amount}</td></tr>\n{taxes}\
         <tr><th>{taxes_label}</th><td class=\"num\">{taxes_amount}</td></tr>\n\
         <tr class=\"grand\"><th>{grand}</th><td class=\"num\">{grand_amount}</td></tr>\n\
         </table>\n</section>\n",
        title = lang.label(("Totaux", "Totals")),
        currency_note = lang.pick("Montants en", "Amounts in"),
        currency = text(&view.currency),
        net = lang.label(("Total avant taxes", "Net total")),
        net_amount = lang.money(view.net_total_cents),
        taxes_label = lang.label(("Total des taxes", "Total taxes")),
        taxes_amount = lang.money(view.total_taxes_cents),
        grand = lang.label(("Total avec taxes", "Grand total")),
        grand_amount = lang.money(view.grand_total_cents),
    )
}

fn qr(svg: &str, link: Option<&str>, lang: Lang) -> String {
    let link = link.map_or_else(String::new, |link| {
        format!(
            "<p class=\"link\"><a href=\"{}\">{}</a></p>",
            attr(link),
            text(link)
        )
    });
    format!(
        "<section class=\"qr\">\n{svg}\n\
         <div><p><strong>{caption}</strong></p>{link}</div>\n</section>\n",
        caption = lang.label(("Balayez pour signer", "Scan to sign")),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quote::Tax;

    fn line(code: &str, name: &str, qty: f64, rate_cents: i64, frequency: Frequency) -> Line {
        Line {
            row: format!("row-{code}"),
            item_code: code.into(),
            item_name: name.into(),
            qty,
            rate_cents,
            amount_cents: (qty * rate_cents as f64).round() as i64,
            frequency,
        }
    }

    fn quote(lang: &str) -> QuoteView {
        QuoteView {
            quotation: "SAL-QTN-2026-00001".into(),
            customer: "CUST-0001".into(),
            customer_name: "Marie Tremblay".into(),
            lang: lang.into(),
            transaction_date: "2026-12-07".into(),
            valid_till: "2027-01-06".into(),
            currency: "CAD".into(),
            recurring: vec![
                line(
                    "FIBRE-500",
                    "Internet Fibre 500 Mbit/s",
                    1.0,
                    7_500,
                    Frequency::Monthly,
                ),
                line(
                    "IPTV-BASE",
                    "Télé de base",
                    1.0,
                    6_000,
                    Frequency::Quarterly,
                ),
            ],
            one_time: vec![line(
                "INSTALL",
                "Installation",
                1.0,
                9_900,
                Frequency::OneTime,
            )],
            taxes: vec![
                Tax {
                    label: "TPS".into(),
                    rate: 5.0,
                    amount_cents: 1_170,
                },
                Tax {
                    label: "TVQ".into(),
                    rate: 9.975,
                    amount_cents: 2_334,
                },
            ],
            net_total_cents: 23_400,
            total_taxes_cents: 3_504,
            grand_total_cents: 26_904,
        }
    }

    #[test]
    fn a_french_quote_is_french_first_with_the_english_beneath() {
        let html = page(&quote("fr"), None, None);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
        assert!(html.contains(
            "Soumission SAL-QTN-2026-00001<small lang=\"en\">Quote SAL-QTN-2026-00001</small>"
        ));
        assert!(
            html.contains(
                "Valide jusqu'au<small lang=\"en\">Valid until</small></dt><dd>2027-01-06"
            )
        );
        assert!(
            html.contains(
                "Services mensuels récurrents<small lang=\"en\">Recurring services</small>"
            )
        );
        assert!(html.contains("Frais uniques<small lang=\"en\">One-time charges</small>"));
        // 75 $ a month and 60 $ a quarter: 95 $ a month
        assert!(html.contains("<td class=\"num\">95,00\u{a0}$</td>"));
        assert!(html.contains("<td>trimestriel</td>") && html.contains("<td>mensuel</td>"));
        assert!(html.contains("<td class=\"num\">99,00\u{a0}$</td>"));
        assert!(html.contains("TPS 5\u{a0}%") && html.contains("TVQ 9,975\u{a0}%"));
        assert!(html.contains("23,34\u{a0}$") && html.contains("35,04\u{a0}$"));
        assert!(html.contains("<td class=\"num\">269,04\u{a0}$</td>"));
    }

    #[test]
    fn an_english_quote_is_english_only() {
        let html = page(&quote("en"), None, None);
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<h1>Quote SAL-QTN-2026-00001</h1>"));
        assert!(
            html.contains("<h2>Recurring services</h2>")
                && html.contains("<h2>One-time charges</h2>")
        );
        assert!(html.contains("Valid until</dt>") && html.contains("Monthly total</th>"));
        assert!(html.contains("<td>quarterly</td>") && html.contains("TVQ 9.975%"));
        assert!(html.contains("$95.00") && html.contains("$99.00") && html.contains("$269.04"));
        assert!(!html.contains("Soumission") && !html.contains("<small"));
    }

    #[test]
    fn an_empty_section_is_left_out() {
        let mut view = quote("fr");
        view.one_time.clear();
        let html = page(&view, None, None);
        assert!(!html.contains("Frais uniques") && html.contains("Services mensuels"));
        view.recurring.clear();
        view.one_time = quote("fr").one_time;
        let html = page(&view, None, None);
        assert!(html.contains("Frais uniques") && !html.contains("Services mensuels"));
    }

    #[test]
    fn every_value_from_the_quote_is_escaped() {
        let mut view = quote("fr");
        view.customer_name = "<script>alert(1)</script> & Fils".into();
        view.recurring[0].item_name = "Fibre <b>500</b>".into();
        let html = page(&view, None, Some("https://sign.test/s/x?a=1&b=\"2\""));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Fils"));
        assert!(html.contains("Fibre &lt;b&gt;500&lt;/b&gt;"));
        assert!(!html.contains("<script") && !html.contains("<b>"));
        assert!(
            !html.contains("class=\"link\""),
            "no link without a QR code"
        );
    }

    #[test]
    fn the_qr_code_is_inlined_with_its_caption_and_link_when_given() {
        let svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 8\"><title>qr</title></svg>";
        let html = page(
            &quote("fr"),
            Some(svg),
            Some("https://sign.test/s/x?a=1&b=2"),
        );
        assert!(html.contains(svg));
        assert!(html.contains("Balayez pour signer<small lang=\"en\">Scan to sign</small>"));
        assert!(html.contains(
            "<a href=\"https://sign.test/s/x?a=1&amp;b=2\">https://sign.test/s/x?a=1&amp;b=2</a>"
        ));
        let html = page(&quote("fr"), None, None);
        assert!(!html.contains("<svg") && !html.contains("Balayez"));
    }

    #[test]
    fn the_page_is_self_contained() {
        let html = page(
            &quote("fr"),
            Some(&crate::qr::svg("https://sign.test/s/x").unwrap()),
            None,
        );
        assert!(html.contains("@media print") && html.contains("<style>"));
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
        assert!(html.trim_end().ends_with("</html>"));
    }
}
