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

async fn run() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let addr = config.addr;
    let state = server::prepare(config).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("could not listen on {addr}: {e}"))?;
    tracing::info!(%addr, "Atrium is listening");
    server::serve(listener, state).await.map_err(|e| e.to_string())
}
