//! `/metrics` as a test reads it: the Prometheus text format parsed into samples, so a test says
//! "this counter moved by one" rather than matching text.

/// One sample: a metric name, its labels, its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series name (`http_requests_total`, `…_bucket`, …).
    pub name: String,
    /// Label names and values, as served.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

/// Every sample of one scrape.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    /// The samples, in the order served.
    pub samples: Vec<Sample>,
}

impl Scrape {
    /// Parses the text format (comments skipped; label values unescaped).
    ///
    /// # Panics
    /// On a line that is not a sample: the service served something Prometheus would refuse.
    pub fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| parse_sample(l).unwrap_or_else(|| panic!("not a Prometheus sample: {l}")))
            .collect();
        Self { samples }
    }

    /// The sum of the samples named `name` whose labels include every pair of `labels` (0 when
    /// there is none).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// Whether a sample named `name` with `labels` is served.
    pub fn has(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.matching(name, labels).next().is_some()
    }

    /// The names of the metric families served (histogram series folded into their family).
    pub fn families(&self) -> std::collections::BTreeSet<String> {
        let histogram = |base: &str| {
            let bucket = format!("{base}_bucket");
            self.samples.iter().any(|o| o.name == bucket)
        };
        self.samples
            .iter()
            .map(|s| {
                ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|suffix| s.name.strip_suffix(suffix))
                    .filter(|base| histogram(base))
                    .unwrap_or(&s.name)
                    .to_owned()
            })
            .collect()
    }

    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&str, &str)],
    ) -> impl Iterator<Item = &'a Sample> {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
    }
}

/// GETs `{base}/metrics` and parses it.
///
/// # Panics
/// When the service does not answer 200.
pub async fn scrape(client: &reqwest::Client, base: &str) -> Scrape {
    #[allow(
        clippy::expect_used,
        reason = "a test cannot go on without its metrics"
    )]
    let response = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(response.status(), 200, "GET /metrics");
    #[allow(
        clippy::expect_used,
        reason = "a test cannot go on without its metrics"
    )]
    let text = response.text().await.expect("reading /metrics");
    Scrape::parse(&text)
}

fn parse_sample(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    let (name, labels) = match series.split_once('{') {
        Some((name, rest)) => (name, parse_labels(rest.strip_suffix('}')?)?),
        None => (series, Vec::new()),
    };
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// `a="x",b="y\"z"` into pairs.
fn parse_labels(mut rest: &str) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    c => value.push(c),
                },
                (_, c) => value.push(c),
            }
        };
        labels.push((name.trim_start_matches(',').to_owned(), value));
        rest = after[end + 1..].trim_start_matches(',');
    }
    Some(labels)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn samples_labels_and_escapes_are_read() {
        let text = "# HELP x y\n# TYPE a counter\na_total{k=\"v\",q=\"say \\\"hi\\\"\"} 3\nb 1.5\nc_bucket{le=\"+Inf\"} 2\n";
        let scrape = Scrape::parse(text);
        assert_eq!(scrape.value("a_total", &[("k", "v")]), 3.0);
        assert_eq!(scrape.samples[0].labels[1].1, "say \"hi\"");
        assert_eq!(scrape.value("b", &[]), 1.5);
        assert_eq!(scrape.value("missing", &[]), 0.0);
        assert!(scrape.has("c_bucket", &[("le", "+Inf")]));
    }
}
