import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs one external program: found on PATH, its standard error (and its standard output
/// unless captured) passed through as it comes, so a long `podman build` or `aws` wait shows
/// progress.
public struct ProgramRunner: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The program's absolute path, or nil when it is not on PATH.
    public func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs `arguments`; returns the exit status and, when `capture`, standard output.
    /// Output not captured goes to runner's standard error.
    ///
    /// Spawned with posix_spawn and reaped with waitpid rather than Foundation's Process,
    /// which on Linux learns of the exit through a descriptor the child inherits: a child
    /// that leaves a daemon behind (podman run leaves conmon) would never be seen to exit.
    public func run(_ arguments: [String], capture: Bool) throws(DeployError) -> (status: Int32, output: String) {
        guard let program = arguments.first else { throw .internalError("a step has no command") }
        guard let path = locate(program) else { throw .toolMissing(tool: program, package: program) }
        var captureFile: String?
        var outputDescriptor: Int32 = 2
        if capture {
            let file = NSTemporaryDirectory() + "runner-capture-\(UUID().uuidString)"
            outputDescriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard outputDescriptor >= 0 else { throw .file("cannot create a temporary file in \(NSTemporaryDirectory())") }
            captureFile = file
        }
        defer {
            if let captureFile {
                close(outputDescriptor)
                unlink(captureFile)
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, 2, 2)
        // Only the three standard descriptors reach the program (not the store's files).
        _ = spawnCloseFrom(&actions, 3)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw .commandFailed(command: ShellScript.commandLine(arguments), status: 127) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw .internalError("waitpid failed: errno \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS; a signal is reported as 128 + its number, as shells do.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = captureFile.flatMap { FileManager.default.contents(atPath: $0) } ?? Data()
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }
}

/// glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not
/// import: every descriptor from the given one up is closed in the child.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32
