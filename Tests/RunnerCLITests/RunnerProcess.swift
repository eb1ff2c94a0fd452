import Foundation
import XCTest

/// Starts the built `runner` executable as a user would.
enum RunnerProcess {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs to completion and collects the output.
    static func run(_ arguments: [String], in directory: URL = repository, environment: [String: String] = [:]) throws -> Outcome {
        let process = try make(arguments, in: directory, environment: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes at once so a full stderr cannot block the child while we wait on stdout.
        let errorData = LockedData()
        let reader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: errorData.value, as: UTF8.self))
    }

    /// A configured process, not started (output goes nowhere unless redirected).
    static func make(_ arguments: [String], in directory: URL = repository, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var variables = ProcessInfo.processInfo.environment
        variables["RUNNER_STORE"] = nil
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// A new folder holding `data/penguins.csv` and `exp.yaml` with `spec`.
    static func experimentFolder(spec: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repository.appendingPathComponent("experiments/data/penguins.csv"), to: folder.appendingPathComponent("data/penguins.csv"))
        try spec.write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// The `runner` binary next to the test bundle (RUNNER_BIN overrides).
    static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["RUNNER_BIN"] { return URL(fileURLWithPath: path) }
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("runner")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        for bundle in Bundle.allBundles {
            let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("runner")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("runner executable not found next to the tests; set RUNNER_BIN")
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
