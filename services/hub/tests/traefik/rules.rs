//! Traefik v3 router rules, parsed and evaluated as Traefik does: `Host`, `Path`, `PathPrefix`,
//! `PathRegexp`, `HeaderRegexp`, `&&`, `||`, `!`, and the matching router of highest priority wins. A matcher this
//! parser does not know fails the test instead of being ignored.

use serde_json::Value;

/// A parsed router rule.
#[derive(Debug)]
pub(crate) enum Rule {
    Host(String),
    Path(String),
    PathPrefix(String),
    PathRegexp(regex::Regex),
    /// `HeaderRegexp(name, regex)`: some value of the header matches (names case-insensitive).
    HeaderRegexp(String, regex::Regex),
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
    Not(Box<Rule>),
}

/// What a rule is evaluated against.
struct Request<'a> {
    host: &'a str,
    path: &'a str,
    headers: &'a [(&'a str, &'a str)],
}

impl Rule {
    pub(crate) fn parse(text: &str) -> Rule {
        let tokens = tokenize(text);
        let mut parser = Parser { tokens, at: 0 };
        let rule = parser.or();
        assert_eq!(
            parser.at,
            parser.tokens.len(),
            "trailing input in rule {text:?}"
        );
        rule
    }

    fn matches(&self, r: &Request) -> bool {
        match self {
            // Traefik compares hosts case-insensitively and without the port.
            Rule::Host(h) => {
                let host = r.host.split(':').next().unwrap_or_default();
                host.eq_ignore_ascii_case(h)
            }
            Rule::Path(p) => r.path == p,
            Rule::PathPrefix(p) => r.path.starts_with(p.as_str()),
            Rule::PathRegexp(re) => re.is_match(r.path),
            Rule::HeaderRegexp(name, re) => r
                .headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && re.is_match(v)),
            Rule::And(a, b) => a.matches(r) && b.matches(r),
            Rule::Or(a, b) => a.matches(r) || b.matches(r),
            Rule::Not(a) => !a.matches(r),
        }
    }

    /// The literal paths and prefixes the rule names (`Path`, `PathPrefix`).
    pub(crate) fn declared_paths(&self, out: &mut Vec<String>) {
        match self {
            Rule::Path(p) | Rule::PathPrefix(p) => out.push(p.clone()),
            Rule::And(a, b) | Rule::Or(a, b) => {
                a.declared_paths(out);
                b.declared_paths(out);
            }
            Rule::Not(a) => a.declared_paths(out),
            Rule::Host(_) | Rule::PathRegexp(_) | Rule::HeaderRegexp(..) => {}
        }
    }

    /// The path regexes the rule names (`PathRegexp`).
    pub(crate) fn declared_path_regexes<'a>(&'a self, out: &mut Vec<&'a regex::Regex>) {
        match self {
            Rule::PathRegexp(re) => out.push(re),
            Rule::And(a, b) | Rule::Or(a, b) => {
                a.declared_path_regexes(out);
                b.declared_path_regexes(out);
            }
            Rule::Not(a) => a.declared_path_regexes(out),
            Rule::Host(_) | Rule::Path(_) | Rule::PathPrefix(_) | Rule::HeaderRegexp(..) => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Comma,
    Word(String),
    Text(String),
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            ',' => tokens.push(Token::Comma),
            '!' => tokens.push(Token::Not),
            '&' | '|' => {
                assert_eq!(chars.next(), Some(c), "lone {c} in rule {text:?}");
                tokens.push(if c == '&' { Token::And } else { Token::Or });
            }
            '`' => {
                let literal: String = chars.by_ref().take_while(|&c| c != '`').collect();
                tokens.push(Token::Text(literal));
            }
            c if c.is_ascii_alphabetic() => {
                let mut word = c.to_string();
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphanumeric()) {
                    word.push(n);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
            other => panic!("unexpected {other:?} in rule {text:?}"),
        }
    }
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Rule {
        let mut rule = self.and();
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            rule = Rule::Or(Box::new(rule), Box::new(self.and()));
        }
        rule
    }

    fn and(&mut self) -> Rule {
        let mut rule = self.unary();
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            rule = Rule::And(Box::new(rule), Box::new(self.unary()));
        }
        rule
    }

    fn unary(&mut self) -> Rule {
        match self.next() {
            Some(Token::Not) => Rule::Not(Box::new(self.unary())),
            Some(Token::Open) => {
                let rule = self.or();
                assert_eq!(self.next(), Some(Token::Close), "unbalanced parentheses");
                rule
            }
            Some(Token::Word(matcher)) => self.matcher(&matcher),
            other => panic!("unexpected {other:?} in a rule"),
        }
    }

    fn matcher(&mut self, name: &str) -> Rule {
        assert_eq!(self.next(), Some(Token::Open), "{name} without arguments");
        let Some(Token::Text(arg)) = self.next() else {
            panic!("{name} takes a backquoted argument");
        };
        if name == "HeaderRegexp" {
            assert_eq!(
                self.next(),
                Some(Token::Comma),
                "{name} takes two arguments"
            );
            let Some(Token::Text(pattern)) = self.next() else {
                panic!("{name}'s second argument is a backquoted regex");
            };
            assert_eq!(
                self.next(),
                Some(Token::Close),
                "{name} takes two arguments"
            );
            return Rule::HeaderRegexp(arg, go_compatible_regex(&pattern));
        }
        assert_eq!(
            self.next(),
            Some(Token::Close),
            "{name} takes exactly one argument in Traefik v3"
        );
        match name {
            "Host" => Rule::Host(arg),
            "Path" => Rule::Path(arg),
            "PathPrefix" => Rule::PathPrefix(arg),
            "PathRegexp" => Rule::PathRegexp(go_compatible_regex(&arg)),
            other => panic!("matcher {other} is not evaluated by this test; extend it"),
        }
    }
}

/// Compiles a Go regex with Rust's RE2-like engine, refusing the constructs whose meaning differs.
pub(crate) fn go_compatible_regex(pattern: &str) -> regex::Regex {
    for construct in [
        r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", r"\b", r"\B", r"\p", r"\P", "(?<", "(?P<",
    ] {
        assert!(
            !pattern.contains(construct),
            "{pattern:?} uses {construct}, which Go and Rust read differently; spell the class out"
        );
    }
    regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern:?} does not compile: {e}"))
}

pub(crate) struct Router {
    pub(crate) name: String,
    pub(crate) rule: Rule,
    pub(crate) priority: i64,
    pub(crate) service: String,
    pub(crate) middlewares: Vec<String>,
}

pub(crate) fn routers(config: &Value) -> Vec<Router> {
    config["http"]["routers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, r)| {
            let rule = r["rule"].as_str().unwrap();
            Router {
                name: name.clone(),
                rule: Rule::parse(rule),
                // Traefik's default priority is the length of the rule.
                priority: r["priority"].as_i64().unwrap_or(rule.len() as i64),
                service: r["service"].as_str().unwrap_or_default().to_owned(),
                middlewares: r["middlewares"]
                    .as_array()
                    .map(|m| m.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The router Traefik picks for a request: the matching one with the highest priority. Two matching
/// routers of equal priority would leave the choice to Traefik's sort order, so that fails.
pub(crate) fn route<'a>(routers: &'a [Router], host: &str, path: &str) -> Option<&'a Router> {
    route_with_headers(routers, host, path, &[])
}

/// [`route`] for a request carrying `headers` (`(name, value)`).
pub(crate) fn route_with_headers<'a>(
    routers: &'a [Router],
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Option<&'a Router> {
    let request = Request {
        host,
        path,
        headers,
    };
    let mut matching: Vec<&Router> = routers
        .iter()
        .filter(|r| r.rule.matches(&request))
        .collect();
    matching.sort_by_key(|r| -r.priority);
    if let [first, second, ..] = matching.as_slice() {
        assert_ne!(
            first.priority, second.priority,
            "{host}{path}: routers {} and {} tie",
            first.name, second.name
        );
    }
    matching.first().copied()
}

pub(crate) fn middleware<'a>(config: &'a Value, name: &str) -> &'a Value {
    let m = &config["http"]["middlewares"][name];
    assert!(m.is_object(), "middleware {name} is not defined");
    m
}
