import Foundation
import XCTest

/// A `runner serve` process for tests that need a real socket: its JSON log lines as they
/// come, the port it bound, and waits on what it logs (never on time).
final class ServeProcess: @unchecked Sendable {
    let process: Process
    private let lock = NSLock()
    private var lines: [[String: Any]] = []
    private var arrived = DispatchSemaphore(value: 0)
    private(set) var port = 0
    private var stderrText = Data()

    init(_ arguments: [String], environment: [String: String] = [:], in directory: URL = RunnerProcess.repository) throws {
        process = try RunnerProcess.make(["serve", "--port", "0"] + arguments, in: directory, environment: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        Thread { [self] in
            var buffer = Data()
            let handle = out.fileHandleForReading
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer = Data(buffer[buffer.index(after: newline)...])
                    if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] {
                        lock.withLock { lines.append(object) }
                        arrived.signal()
                    }
                }
            }
            arrived.signal()
        }.start()
        Thread { [self] in
            let data = err.fileHandleForReading.readDataToEndOfFile()
            lock.withLock { stderrText = data }
        }.start()
        let listening = try waitFor { $0["msg"] as? String == "listening" }
        port = listening["port"] as? Int ?? 0
    }

    var log: [[String: Any]] { lock.withLock { lines } }
    var stderr: String { lock.withLock { String(decoding: stderrText, as: UTF8.self) } }
    var url: String { "http://127.0.0.1:\(port)" }

    /// The first log line (from the start) matching `predicate`; fails if the process exits
    /// first. The limit only stops a hung test.
    @discardableResult
    func waitFor(_ predicate: ([String: Any]) -> Bool, limit: TimeInterval = 300) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            if let found = log.first(where: predicate) { return found }
            if !process.isRunning, log.first(where: predicate) == nil {
                throw ServeTestFailure("runner serve exited (\(process.terminationStatus)) before logging what the test waits for; stderr: \(stderr)")
            }
            if Date() > deadline { throw ServeTestFailure("runner serve did not log what the test waits for within \(Int(limit)) s") }
            _ = arrived.wait(timeout: .now() + 1)
        }
    }

    /// Waits until every bundle is loaded (one "model loaded" line each).
    func waitUntilLoaded(_ count: Int) throws {
        try waitFor { _ in log.filter { $0["msg"] as? String == "model loaded" }.count >= count }
    }

    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A failure raised from a helper (not a skip): the test fails with the message.
struct ServeTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The reference Python interpreter with the packages a test needs, or a skip (a failure when
/// RUNNER_REQUIRE_PYTHON=1, as in CI).
enum ReferencePython {
    static func interpreter(importing modules: [String]) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let python = environment["RUNNER_PYTHON"] ?? "python3"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [python, "-c", modules.map { "import \($0)" }.joined(separator: "; ")]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            let message = "\(python) cannot import \(modules.joined(separator: ", ")); install scripts/requirements-ci.txt and set RUNNER_PYTHON"
            if environment["RUNNER_REQUIRE_PYTHON"] == "1" { throw ServeTestFailure(message) }
            throw XCTSkip(message)
        }
        return python
    }

    /// Runs a script of `folder` (Tests/Fixtures/serve unless told) with arguments; returns status and output.
    static func run(_ python: String, script: String, in folder: String = "Tests/Fixtures/serve", _ arguments: [String], input: String? = nil) throws -> RunnerProcess.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, RunnerProcess.repository.appendingPathComponent("\(folder)/\(script)").path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = ThreadedRead(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunnerProcess.Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: errors.text())
    }
}

/// Reads a pipe to its end on a thread of its own, so two pipes never block each other.
final class ThreadedRead: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
