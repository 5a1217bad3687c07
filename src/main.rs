fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    placement_registry::cli::main()
}

/// glibc gives each thread that allocates while others do its own arena (up to 8 per core) and
/// keeps what is freed there; with database work spread over a pool of blocking threads that
/// more than doubled resident memory under load. Two arenas measured no slower (bench/README.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "mallopt is a C call; it only sets an allocator parameter, before any thread exists")]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; it runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
