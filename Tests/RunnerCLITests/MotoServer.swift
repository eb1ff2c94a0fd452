import Foundation
import XCTest

/// moto_server (the AWS stand-in from PyPI) on a loopback port for one test, with the
/// environment the AWS CLI and runner need to reach it; stopped when released.
final class MotoServer {
    let port: Int
    let bin: URL
    private let process: Process
    let log: URL

    /// `environment` for moto itself (e.g. INITIAL_NO_AUTH_ACTION_COUNT).
    init(environment: [String: String] = [:]) throws {
        let python = try ReferencePython.interpreter(importing: ["moto"])
        bin = URL(fileURLWithPath: python).deletingLastPathComponent()
        port = try MotoServer.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = bin.appendingPathComponent("moto_server")
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Ready when it answers (an event, not a delay).
        let probe = try RunnerProcess.run(["probe", "--wait", "120", "http://127.0.0.1:\(port)/"])
        guard probe.status == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw HarnessFailure("moto_server did not start: \(probe.stderr) \(output)")
        }
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// What runner and the AWS CLI read to reach moto, with no profile files of the machine.
    var environment: [String: String] {
        ["AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1",
         "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    /// Runs the AWS CLI against moto.
    @discardableResult
    func aws(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = bin.appendingPathComponent("aws")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(extra) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0 else { throw HarnessFailure("cannot bind a port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A loopback TCP proxy in front of a server that forwards everything until the client sends
/// `marker`; from then on it forwards nothing more, holding the connection open, and
/// `held` is signalled: a transfer stopped in the middle at a known point (here, before an
/// upload's second part), so a test can kill the client there, deterministically.
final class HoldingProxy: @unchecked Sendable {
    let port: Int
    let held = DispatchSemaphore(value: 0)
    private let listener: Int32
    private let target: Int
    private let marker: [UInt8]
    private let lock = NSLock()
    private var holding = false
    private var sockets: [Int32] = []

    init(target: Int, marker: String) throws {
        self.target = target
        self.marker = Array(marker.utf8)
        port = try MotoServer.freePort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 16) == 0 else { throw HarnessFailure("proxy cannot listen") }
        Thread { [self] in accepting() }.start()
    }

    deinit {
        lock.withLock { for socket in sockets { close(socket) } }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    private func accepting() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(target)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { close(client); close(server); continue }
            lock.withLock { sockets += [client, server] }
            Thread { [self] in pump(from: client, to: server, watch: true) }.start()
            Thread { [self] in pump(from: server, to: client, watch: false) }.start()
        }
    }

    private func pump(from source: Int32, to destination: Int32, watch: Bool) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var tail: [UInt8] = []
        while true {
            if lock.withLock({ holding }) { return }
            let count = read(source, &buffer, buffer.count)
            if count <= 0 { return }
            if watch {
                let seen = tail + buffer[0..<count]
                if Self.contains(seen, marker) {
                    let first = lock.withLock { () -> Bool in
                        defer { holding = true }
                        return !holding
                    }
                    if first { held.signal() }
                    return
                }
                tail = Array(seen.suffix(marker.count))
            }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(destination, $0.baseAddress, count - offset) }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
