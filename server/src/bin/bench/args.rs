//! What the benchmark tools share: command-line arguments (`--name value` pairs) and
//! percentiles of measured latencies.

/// The value after `name`, if given.
pub fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// The value after `name`; exits with a message when it is missing.
pub fn required(args: &[String], name: &str) -> String {
    arg(args, name).unwrap_or_else(|| {
        eprintln!("{}: missing {name}", std::env::args().next().unwrap_or_default());
        std::process::exit(2)
    })
}

/// The `p` percentile (0–1) of `sorted` latencies, in milliseconds; 0 for none.
pub fn pct(sorted: &[std::time::Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}
