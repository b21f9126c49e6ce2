//! The three invoice layouts, drawn on a letter page at 150 dpi.

use image::RgbImage;

use super::Layout;
use super::printed::Printed;
use crate::draw::{Page, SHADE, Weight};
use crate::fonts::Faces;

const WIDTH: u32 = 1275;
const HEIGHT: u32 = 1650;
const LEFT: i32 = 90;
const RIGHT: i32 = 1185;
/// Body text size in pixels: capitals about 21 px high.
const BODY: f32 = 29.0;
const LINE: i32 = 42;
const NAME: f32 = 36.0;
const TITLE: f32 = 54.0;

/// `printed` drawn in `layout`.
pub(crate) fn render(printed: &Printed, layout: Layout, faces: &Faces) -> RgbImage {
    let mut page = Page::new(WIDTH, HEIGHT, faces);
    match layout {
        Layout::Classic => classic(&mut page, printed),
        Layout::Compact => compact(&mut page, printed),
        Layout::Table => table(&mut page, printed),
    }
    page.text_centred(
        WIDTH as i32 / 2,
        1560,
        BODY,
        Weight::Regular,
        printed.footer,
    );
    page.img
}

/// Lines of text from (`x`, `y`) down; returns the y below the last.
fn lines(page: &mut Page, x: i32, y: i32, texts: &[String]) -> i32 {
    let mut y = y;
    for text in texts {
        page.text(x, y, BODY, Weight::Regular, text);
        y += LINE;
    }
    y
}

fn classic(page: &mut Page, p: &Printed) {
    page.text(LEFT, 80, NAME, Weight::Bold, &p.supplier);
    let y = lines(page, LEFT, 140, &p.address);
    lines(page, LEFT, y + 8, &p.tax_numbers);
    page.text_right(RIGHT, 70, TITLE, Weight::Bold, p.title);

    let top = 470;
    page.text(LEFT, top, BODY, Weight::Bold, p.customer_heading);
    lines(page, LEFT, top + LINE, &p.customer);
    let mut y = top;
    for (label, value) in &p.details {
        page.text(700, y, BODY, Weight::Bold, &format!("{label} :"));
        page.text_right(RIGHT, y + LINE, BODY, Weight::Regular, value);
        y += 2 * LINE;
    }

    let mut y = 760;
    page.fill(LEFT - 10, y - 8, RIGHT - LEFT + 20, LINE as u32 + 8, SHADE);
    classic_row(page, y, p.columns, Weight::Bold);
    y += LINE + 8;
    for row in &p.rows {
        classic_row(
            page,
            y,
            [&row[0], &row[1], &row[2], &row[3]],
            Weight::Regular,
        );
        y += LINE;
        page.hline(LEFT - 10, RIGHT + 10, y - 4, 1);
    }
    y += 30;
    totals_right(page, p, y);
}

/// A row of the classic table: the description left-aligned, the numbers right-aligned.
fn classic_row(page: &mut Page, y: i32, cells: [&str; 4], weight: Weight) {
    page.text(LEFT, y, BODY, weight, cells[0]);
    for (right, cell) in [760, 960, RIGHT].into_iter().zip(&cells[1..]) {
        page.text_right(right, y, BODY, weight, cell);
    }
}

/// Totals as label / right-aligned value pairs at the bottom right, a rule above the total.
fn totals_right(page: &mut Page, p: &Printed, top: i32) {
    let mut y = top;
    let last = p.totals.len().saturating_sub(1);
    for (index, (label, value)) in p.totals.iter().enumerate() {
        let weight = if index == last {
            Weight::Bold
        } else {
            Weight::Regular
        };
        if index == last {
            page.hline(640, RIGHT + 10, y - 6, 2);
            y += 4;
        }
        page.text(640, y, BODY, weight, label);
        page.text_right(RIGHT, y, BODY, weight, value);
        y += LINE;
    }
}

fn compact(page: &mut Page, p: &Printed) {
    let centre = WIDTH as i32 / 2;
    page.text_centred(centre, 60, NAME, Weight::Bold, &p.supplier);
    let address = p.address[..2].join(", ");
    page.text_centred(centre, 110, BODY, Weight::Regular, &address);
    page.text_centred(centre, 110 + LINE, BODY, Weight::Regular, &p.address[2]);
    for (index, number) in p.tax_numbers.iter().enumerate() {
        page.text_centred(
            centre,
            110 + LINE * (2 + index as i32),
            BODY,
            Weight::Regular,
            number,
        );
    }
    page.hline(LEFT, RIGHT, 300, 3);

    page.text(LEFT, 330, 44.0, Weight::Bold, p.title);
    let mut y = 400;
    for (label, value) in &p.details {
        page.text(
            LEFT,
            y,
            BODY,
            Weight::Regular,
            &format!("{label} : {value}"),
        );
        y += LINE;
    }
    page.text(
        720,
        400,
        BODY,
        Weight::Bold,
        &format!("{} :", p.customer_heading),
    );
    lines(page, 720, 400 + LINE, &p.customer);

    let columns = [LEFT, 700, 820, 1010];
    let headings = [p.columns[0], p.columns[1], p.price_short, p.columns[3]];
    let mut y = 620;
    for (heading, x) in headings.iter().zip(columns) {
        page.text(x, y, BODY, Weight::Bold, heading);
    }
    y += LINE;
    page.hline(LEFT, RIGHT, y, 2);
    y += 12;
    for row in &p.rows {
        for (column, x) in columns.iter().enumerate() {
            page.text(*x, y, BODY, Weight::Regular, &row[column]);
        }
        y += LINE;
    }
    page.hline(LEFT, RIGHT, y + 4, 2);
    y += 24;
    let last = p.totals.len().saturating_sub(1);
    for (index, (label, value)) in p.totals.iter().enumerate() {
        let weight = if index == last {
            Weight::Bold
        } else {
            Weight::Regular
        };
        page.text(560, y, BODY, weight, &format!("{label} :"));
        page.text(columns[3], y, BODY, weight, value);
        y += LINE;
    }
}

fn table(page: &mut Page, p: &Printed) {
    let boxed = 4 + p.tax_numbers.len() as i32;
    let box_bottom = 60 + LINE * boxed + 30;
    page.frame(LEFT - 20, 60, 820, (box_bottom - 60) as u32);
    page.text(LEFT, 75, NAME, Weight::Bold, &p.supplier);
    let y = lines(page, LEFT, 75 + 50, &p.address);
    lines(page, LEFT, y, &p.tax_numbers);
    page.text_right(RIGHT, 60, TITLE, Weight::Bold, p.title);

    let grid_bottom = details_grid(page, p, box_bottom + 30);
    let top = grid_bottom + 30;
    page.frame(LEFT - 20, top, 640, (LINE * 4 + 20) as u32);
    page.text(LEFT, top + 10, BODY, Weight::Bold, p.customer_heading);
    lines(page, LEFT, top + 10 + LINE, &p.customer);

    items_grid(page, p, top + LINE * 4 + 50);
}

/// The invoice details as a grid across the page: a shaded row of labels over a row of values.
/// Returns the y below it.
fn details_grid(page: &mut Page, p: &Printed, top: i32) -> i32 {
    let (left, right) = (LEFT - 20, RIGHT + 10);
    let row = LINE + 12;
    let cells = p.details.len().max(1) as i32;
    let width = (right - left) / cells;
    page.fill(left, top, right - left, row as u32, SHADE);
    page.frame(left, top, (right - left) as u32, (2 * row) as u32);
    page.hline(left, right, top + row, 2);
    for (index, (label, value)) in p.details.iter().enumerate() {
        let x = left + index as i32 * width;
        if index > 0 {
            page.vline(x, top, top + 2 * row, 2);
        }
        page.text(x + 12, top + 12, 26.0, Weight::Bold, label);
        page.text(x + 12, top + row + 10, BODY, Weight::Regular, value);
    }
    top + 2 * row
}

/// The items as a full grid, quantity first, then the totals in cells below the amounts.
fn items_grid(page: &mut Page, p: &Printed, top: i32) {
    let edges = [LEFT - 20, 180, 740, 960, RIGHT + 10];
    let row = LINE + 12;
    let mut y = top;
    page.fill(edges[0], y, edges[4] - edges[0], row as u32, SHADE);
    let order = [1, 0, 2, 3];
    for (cell, &column) in order.iter().enumerate() {
        page.text(
            edges[cell] + 12,
            y + 10,
            BODY,
            Weight::Bold,
            p.columns[column],
        );
    }
    for cells in &p.rows {
        y += row;
        page.hline(edges[0], edges[4], y, 2);
        page.text_right(edges[1] - 14, y + 10, BODY, Weight::Regular, &cells[1]);
        page.text(edges[1] + 12, y + 10, BODY, Weight::Regular, &cells[0]);
        page.text_right(edges[3] - 14, y + 10, BODY, Weight::Regular, &cells[2]);
        page.text_right(edges[4] - 14, y + 10, BODY, Weight::Regular, &cells[3]);
    }
    y += row;
    page.frame(
        edges[0],
        top,
        (edges[4] - edges[0]) as u32,
        (y - top) as u32,
    );
    for x in &edges[1..4] {
        page.vline(*x, top, y, 2);
    }
    let last = p.totals.len().saturating_sub(1);
    let totals_left = 520;
    for (index, (label, value)) in p.totals.iter().enumerate() {
        let weight = if index == last {
            Weight::Bold
        } else {
            Weight::Regular
        };
        page.frame(
            totals_left,
            y - 2,
            (edges[4] - totals_left) as u32,
            (row + 2) as u32,
        );
        page.text(totals_left + 12, y + 10, BODY, weight, label);
        page.text_right(edges[4] - 14, y + 10, BODY, weight, value);
        y += row;
    }
}
