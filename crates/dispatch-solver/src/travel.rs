//! Travel times when no routing service is configured: the straight line between two points times
//! a road factor, at a speed, plus a per-stop allowance (parking, stairs, finding the door).

use crate::day::{Seconds, Travel};

/// A point on the map.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// Degrees north.
    pub lat: f64,
    /// Degrees east (Montréal's are negative).
    pub lon: f64,
}

/// How straight lines become driving times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speeds {
    /// Road distance / straight-line distance (about 1.3 in a city).
    pub road_factor: f64,
    /// Average driving speed, km/h.
    pub kmh: f64,
    /// Added to every leg between two different places.
    pub allowance: Seconds,
}

impl Default for Speeds {
    fn default() -> Self {
        Self {
            road_factor: 1.3,
            kmh: 35.0,
            allowance: 300,
        }
    }
}

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn metres(a: Point, b: Point) -> f64 {
    const R: f64 = 6_371_000.0;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let (dla, dlo) = (la2 - la1, (b.lon - a.lon).to_radians());
    let h = (dla / 2.).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.).sin().powi(2);
    2. * R * h.sqrt().min(1.).asin()
}

/// The matrix between `points` at `speeds`.
pub fn estimate(points: &[Point], speeds: Speeds) -> Travel {
    let metres_per_second = speeds.kmh * 1000. / 3600.;
    let seconds = points
        .iter()
        .flat_map(|&a| points.iter().map(move |&b| (a, b)))
        .map(|(a, b)| {
            let metres = metres(a, b);
            Some(if metres < 1.0 {
                0
            } else {
                (metres * speeds.road_factor / metres_per_second).round() as Seconds
                    + speeds.allowance
            })
        })
        .collect();
    Travel::new(points.len(), seconds).expect("a square matrix of non-negative times")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn downtown_to_laval_is_about_fifteen_km_and_half_an_hour() {
        let downtown = Point {
            lat: 45.5017,
            lon: -73.5673,
        };
        let laval = Point {
            lat: 45.6066,
            lon: -73.7124,
        };
        let km = metres(downtown, laval) / 1000.;
        assert!((15.0..17.0).contains(&km), "{km}");
        let travel = estimate(&[downtown, laval], Speeds::default());
        let minutes = travel.get(0, 1).unwrap() as f64 / 60.;
        assert!((38.0..42.0).contains(&minutes), "{minutes}");
        assert_eq!(travel.get(1, 1), Some(0));
    }
}
