//! Virtual time: microseconds since boot, shown as printk shows it.

use crate::kernel::consts::HZ;

/// Microseconds since boot.
pub type Micros = u64;

pub const SEC: Micros = 1_000_000;

/// What one step of a task costs on the virtual clock: a task that keeps
/// running uses its time slice, a sleeping one costs nothing.
pub const STEP: Micros = 1_000;

pub fn jiffies_to_us(j: i64) -> Micros {
    (j.max(0) as u64).saturating_mul(SEC) / HZ as u64
}

pub fn us_to_jiffies(us: Micros) -> i64 {
    (us * HZ as u64 / SEC) as i64
}

/// printk's timestamp prefix: `[  147.123456]`.
pub fn stamp(us: Micros) -> String {
    format!("[{:>5}.{:06}]", us / SEC, us % SEC)
}

/// A duration for people: `2m20s`, `140s`, `0.25s`.
pub fn human(us: Micros) -> String {
    if us.is_multiple_of(SEC) {
        format!("{}s", us / SEC)
    } else {
        format!("{:.3}s", us as f64 / SEC as f64)
    }
}

/// `--until 30m`, `90s`, `2h`, `500ms`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Micros, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num.parse().map_err(|_| format!("`{s}`: write a duration such as 90s, 30m or 2h"))?;
    let scale = match unit {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" | "min" => 60e6,
        "h" => 3600e6,
        _ => return Err(format!("`{s}`: unknown unit `{}`: write a duration such as 90s, 30m or 2h", unit.trim())),
    };
    if !(n * scale).is_finite() || n * scale > 1e15 {
        return Err(format!("`{s}`: too long"));
    }
    Ok((n * scale) as Micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_and_durations() {
        assert_eq!(stamp(147_123_456), "[  147.123456]");
        assert_eq!(parse_duration("30m").unwrap(), 1800 * SEC);
        assert_eq!(parse_duration("140").unwrap(), 140 * SEC);
        assert_eq!(parse_duration("250ms").unwrap(), 250_000);
        assert!(parse_duration("3 days").is_err());
        assert_eq!(jiffies_to_us(HZ), SEC);
    }
}
