//! Solomon's text format: a name, `VEHICLE` with `NUMBER CAPACITY`, then `CUSTOMER` with one row per
//! node (number, x, y, demand, ready time, due date, service time); node 0 is the depot. Times and
//! distances are in the instance's units; the matrix multiplies them by 1000.

/// One node: the depot (number 0) or a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Its number in the file.
    pub id: usize,
    /// Coordinates.
    pub x: i64,
    /// Coordinates.
    pub y: i64,
    /// Load taken.
    pub demand: i64,
    /// Earliest start of service.
    pub ready: i64,
    /// Latest start of service (the depot's: the latest return).
    pub due: i64,
    /// Time spent there.
    pub service: i64,
}

/// A VRPTW instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// `C101`…
    pub name: String,
    /// Vehicles available.
    pub vehicles: usize,
    /// Load each can carry.
    pub capacity: i64,
    /// Node 0 first, then the customers in file order.
    pub nodes: Vec<Node>,
}

impl Instance {
    /// The customers (every node but the depot).
    pub fn customers(&self) -> &[Node] {
        &self.nodes[1..]
    }

    /// The node numbered `id`.
    pub fn node(&self, id: usize) -> Option<&Node> {
        self.nodes.get(id).filter(|n| n.id == id)
    }
}

/// Why a file is not an instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A section or a row is missing or malformed.
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
    /// The nodes are not numbered 0, 1, 2… in order.
    #[error("node {found} where node {expected} was expected")]
    Numbering { expected: usize, found: usize },
}

fn at(line: usize, problem: impl Into<String>) -> ParseError {
    ParseError::Line {
        line,
        problem: problem.into(),
    }
}

/// Reads an instance from Solomon's text.
pub fn parse(text: &str) -> Result<Instance, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let (_, name) = lines.next().ok_or_else(|| at(1, "empty file"))?;
    section(&mut lines, "VEHICLE")?;
    let (line, fleet) = lines.next().ok_or_else(|| at(0, "no vehicle row"))?;
    let fleet = integers(line, fleet, 2)?;
    section(&mut lines, "CUSTOMER")?;
    let mut nodes = Vec::new();
    for (line, row) in lines {
        let v = integers(line, row, 7)?;
        let id = usize::try_from(v[0]).map_err(|_| at(line, "a negative node number"))?;
        if id != nodes.len() {
            return Err(ParseError::Numbering {
                expected: nodes.len(),
                found: id,
            });
        }
        nodes.push(Node {
            id,
            x: v[1],
            y: v[2],
            demand: v[3],
            ready: v[4],
            due: v[5],
            service: v[6],
        });
    }
    if nodes.len() < 2 {
        return Err(at(0, "a depot and at least one customer are needed"));
    }
    Ok(Instance {
        name: name.to_owned(),
        vehicles: usize::try_from(fleet[0]).map_err(|_| at(0, "a negative fleet"))?,
        capacity: fleet[1],
        nodes,
    })
}

/// Steps over `heading` and the column titles under it.
fn section<'a>(
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
    heading: &str,
) -> Result<(), ParseError> {
    let (line, found) = lines.next().ok_or_else(|| at(0, format!("no {heading}")))?;
    if !found.eq_ignore_ascii_case(heading) {
        return Err(at(line, format!("{heading} expected, found {found:?}")));
    }
    lines.next();
    Ok(())
}

/// Exactly `count` whole numbers (Solomon's files write them as integers, sometimes `45.00`).
fn integers(line: usize, row: &str, count: usize) -> Result<Vec<i64>, ParseError> {
    let values: Vec<i64> = row
        .split_whitespace()
        .map(|t| {
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.fract() == 0.0)
                .map(|v| v as i64)
                .ok_or_else(|| at(line, format!("{t:?} is not a whole number")))
        })
        .collect::<Result<_, _>>()?;
    match values.len() == count {
        true => Ok(values),
        false => Err(at(
            line,
            format!("{count} numbers expected, found {}", values.len()),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TINY: &str = "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  2         10\n\nCUSTOMER\n\
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n\
    0        0         0          0         0        100         0\n\
    1        3         4          5         0         20         2\n\
    2        6         8          5        10         30         2\n\
    3        0         5          6         0         50         1\n";

    #[test]
    fn a_small_instance_is_read() {
        let i = parse(TINY).unwrap();
        assert_eq!((i.name.as_str(), i.vehicles, i.capacity), ("TINY", 2, 10));
        assert_eq!(i.customers().len(), 3);
        assert_eq!(i.node(2).unwrap().ready, 10);
    }

    #[test]
    fn malformed_files_are_refused_with_their_line() {
        assert!(parse("").is_err());
        let bad_row = TINY.replace("2        6  ", "2        six  ");
        assert!(matches!(parse(&bad_row), Err(ParseError::Line { .. })));
        let short_row = TINY.replace("0         50         1", "0");
        assert!(matches!(parse(&short_row), Err(ParseError::Line { .. })));
        let skipped = TINY.replace("2        6  ", "7        6  ");
        assert_eq!(
            parse(&skipped).unwrap_err(),
            ParseError::Numbering {
                expected: 2,
                found: 7
            }
        );
        let no_fleet = TINY.replace("VEHICLE", "VEHICLES");
        assert!(parse(&no_fleet).is_err());
    }
}
