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
    taskcheck::explore::set_memory_release(collect_freed);
    taskcheck::cli::main()
}

// mimalloc's own call (`mi_collect`, mimalloc.h): return the pages freed so
// far to the system at once instead of after its purge delay.
extern "C" {
    fn mi_collect(force: bool);
}

fn collect_freed() {
    // SAFETY: mi_collect takes no pointer and may be called from any thread at any time.
    unsafe { mi_collect(true) }
}
