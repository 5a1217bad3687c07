fn main() -> std::process::ExitCode {
    placement_registry::cli::main()
}
