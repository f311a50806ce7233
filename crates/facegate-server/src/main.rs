fn main() -> std::process::ExitCode {
    facegate_server::cli::main()
}
