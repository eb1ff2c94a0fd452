import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion under a time limit and an address-space limit, with its
/// output in files (a pipe read through Foundation can lose the last lines of a process that
/// exits right after writing them).
public struct ChildProcess: Sendable {
    public struct Outcome: Sendable {
        public var status: Int32
        /// The signal that ended the process (a crash or a trap), if one did.
        public var signal: Int32?
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String

        public init(status: Int32, signal: Int32?, timedOut: Bool, stdout: String, stderr: String) {
            self.status = status
            self.signal = signal
            self.timedOut = timedOut
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public var executable: String
    public var timeLimit: Double
    /// Bytes of address space the child may map; an unbounded allocation then fails in the
    /// child instead of exhausting the machine.
    public var memoryLimit: Int

    public init(executable: String, timeLimit: Double, memoryLimit: Int = 8 << 30) {
        self.executable = executable
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
    }

    public func run(_ arguments: [String], in folder: String, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        // The shell applies the limit, then becomes the program (exec), so its status is the program's.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(memoryLimit / 1024) && exec \"$0\" \"$@\"", executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var variables = ProcessInfo.processInfo.environment
        variables["RUNNER_STORE"] = nil
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        let outPath = folder + "/.stdout-\(UUID().uuidString)", errPath = folder + "/.stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeLimit) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        try? out.close()
        try? err.close()
        let signal = process.terminationReason == .uncaughtSignal && !timedOut ? process.terminationStatus : nil
        return Outcome(
            status: process.terminationReason == .exit ? process.terminationStatus : -1, signal: signal, timedOut: timedOut,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}
