//! Command-line arguments of the benchmark tools: `--name value` pairs.

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
