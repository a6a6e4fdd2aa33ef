//! glibc's allocator tuned for `serve`: at most two malloc arenas.
//!
//! glibc gives threads their own arenas (up to eight per core) and keeps memory freed in
//! one arena for that arena's later use. `serve` runs the async workers, tokio's blocking
//! pool (where search answers and index syncs run) and tantivy's indexing thread, so with
//! the search index at 100,000 co-ops resident memory under search load was 235 MB with
//! the default and 167 MB with two arenas, the same work and no measurable loss of
//! throughput (`docs/benchmarks.md`, Footprint). The limit is read by glibc only from the
//! environment at start-up, and setting it from inside (`mallopt`) needs `unsafe`, which
//! this workspace forbids: so `serve` starts itself again, in place (`exec`, same process
//! id), with `MALLOC_ARENA_MAX=2` set. A value already set is respected, which also ends
//! the loop; a failed `exec` is reported and `serve` goes on with glibc's defaults.

/// The variable glibc reads.
const VAR: &str = "MALLOC_ARENA_MAX";

/// Replaces this process with itself under `MALLOC_ARENA_MAX=2`, unless already set.
/// Returns only when it did not (set already, or `exec` failed).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(VAR, "2")
        .exec();
    eprintln!("coopnet: could not restart with {VAR}=2 ({error}); going on without");
}

/// Other platforms: nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas() {}
