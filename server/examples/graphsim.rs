//! The Microsoft simulator as its own process, for Atrium's browser tests: the identity
//! platform and the slice of Graph Atrium calls, in memory. Test support only — never part of
//! the product. `cargo run -p server --example graphsim -- 127.0.0.1:3901`

#[allow(dead_code)]
#[path = "../tests/common/graphsim.rs"]
mod graphsim;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3901".into());
    let sim = graphsim::Sim::start_on(&addr).await;
    println!("Microsoft simulator at {}", sim.base);
    tokio::signal::ctrl_c().await.ok();
}
