//! `server`: runs Atrium. Configuration comes from the environment (see README).

use server::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let json = std::env::var("ATRIUM_LOG_FORMAT").is_ok_and(|f| f == "json");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    if json {
        tracing_subscriber::fmt().with_env_filter(filter).json().init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if let Err(message) = run().await {
        eprintln!("atrium: {message}");
        std::process::exit(1);
    }
}

/// What stops a command: the message printed before exiting with status 1.
type CliError = Box<dyn std::error::Error>;

async fn run() -> Result<(), CliError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = Config::from_env()?;
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("create-organizer") => create_organizer(config, &args[1..]).await,
        Some("check-microsoft") => check_microsoft(config).await,
        Some("connect-microsoft") => connect_microsoft(config, &args[1..]).await,
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}").into()),
    }
}

const USAGE: &str = "usage:
  server                      run Atrium (configuration from the environment; see README)
  server create-organizer --email E --organization O [--password P]
                              create an organizer (and the organization if new); prints a
                              generated password when none is given
  server check-microsoft      check the Microsoft Graph settings and say what is missing
  server connect-microsoft --email E
                              connect the service account of organizer E's organization
                              from a server without a browser (device-code sign-in: open
                              the address shown on any device and enter the code)";

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// The database, with its schema brought up to date, for the one-off commands.
async fn open_database(config: &Config) -> Result<server::store::Db, CliError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| format!("could not create {}: {e}", config.data_dir.display()))?;
    let db = server::store::Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("could not open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("could not update the database schema: {e}"))?;
    Ok(db)
}

async fn create_organizer(config: Config, args: &[String]) -> Result<(), CliError> {
    let email = flag(args, "--email").ok_or(format!("--email is required\n\n{USAGE}"))?;
    let organization = flag(args, "--organization").ok_or(format!("--organization is required\n\n{USAGE}"))?;
    let password = flag(args, "--password");
    let db = open_database(&config).await?;
    let (organizer, password_used) = server::accounts::auth::create_organizer(&db, &email, &organization, password.as_deref()).await?;
    println!("Created organizer {} in {}.", organizer.email, organizer.organization_name);
    if password.is_none() {
        println!("Password (shown only now): {password_used}");
    }
    Ok(())
}

async fn serve(config: Config) -> Result<(), CliError> {
    let addr = config.addr;
    let state = server::prepare(config).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("could not listen on {addr}: {e}"))?;
    tracing::info!(%addr, "Atrium is listening");
    server::serve_until(listener, state, server::lifecycle::signal())
        .await
        .map_err(Into::into)
}

async fn check_microsoft(config: Config) -> Result<(), CliError> {
    let Some(graph) = config.graph.clone() else {
        return Err("Microsoft mode is off: set ATRIUM_GRAPH_TENANT_ID, ATRIUM_GRAPH_CLIENT_ID and ATRIUM_GRAPH_CLIENT_SECRET.".into());
    };
    let mut report = server::microsoft::check::run(graph).await;
    server::microsoft::check::local(&config, &mut report);
    for line in &report.lines {
        println!("{line}");
    }
    if report.ok {
        Ok(())
    } else {
        Err("Microsoft mode is not ready; see above.".into())
    }
}

async fn connect_microsoft(config: Config, args: &[String]) -> Result<(), CliError> {
    let email = flag(args, "--email").ok_or(format!("--email is required\n\n{USAGE}"))?;
    let (Some(graph), Some(sealer)) = (config.graph.clone(), config.sealer.clone()) else {
        return Err(
            "Microsoft mode is off: set ATRIUM_GRAPH_TENANT_ID, ATRIUM_GRAPH_CLIENT_ID, ATRIUM_GRAPH_CLIENT_SECRET and ATRIUM_SECRET_KEY."
                .into(),
        );
    };
    let db = open_database(&config).await?;
    let organizer = server::accounts::auth::organizer_by_email(&db, &email).await?.ok_or(format!(
        "no organizer with the email {email}; create one first with create-organizer"
    ))?;
    let delegated = server::microsoft::delegated::Delegated::new(db, graph, sealer, &config.public_url);
    let code = delegated.device_start().await?;
    if code.extra_fields().message.is_empty() {
        println!(
            "To sign in, open {} and enter the code {}",
            code.verification_uri().as_str(),
            code.user_code().secret()
        );
    } else {
        println!("{}", code.extra_fields().message);
    }
    println!(
        "Waiting for the sign-in (up to {} minutes)…",
        code.expires_in().as_secs().div_ceil(60)
    );
    let upn = delegated.device_finish(&code, &organizer).await?;
    println!(
        "Connected {upn} as the service account of {}: webinars and meetings are created in Teams with it.",
        organizer.organization_name
    );
    Ok(())
}
