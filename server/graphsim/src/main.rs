//! The Microsoft simulator as its own process, for Atrium's browser tests and benchmark.
//! `cargo run -p graphsim -- 127.0.0.1:3901`

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3901".into());
    let sim = graphsim::Sim::start_on(&addr).await;
    println!("Microsoft simulator at {}", sim.base);
    tokio::signal::ctrl_c().await.ok();
}
