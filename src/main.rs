fn main() -> std::process::ExitCode {
    taskcheck::cli::main()
}
