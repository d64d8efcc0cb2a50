// States are made on one thread and dropped on another: an allocator built
// for that (glibc's arenas spend most of a parallel search consolidating).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Like other Unix filters: a closed pipe (`taskcheck ... | head`) ends
    // the process quietly instead of a panic in println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    taskcheck::cli::main()
}
