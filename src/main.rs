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
