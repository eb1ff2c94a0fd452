import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A started `runner run --log-format json` whose progress events are read from stderr as
/// the run emits them, so a test can act at a point of the run (after the Nth stage, say)
/// instead of after a delay that means something else on a busy machine.
///
/// stderr goes to a file that is followed as it grows: with a pipe read through Foundation's
/// Process, the last lines of a process that exits right after writing them were sometimes
/// never read (about one run in thirty here), while a file keeps every byte written.
final class ProgressEvents {
    let process: Process
    private let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// stderr lines that are not events (messages printed as text, such as "interrupted: ...").
    private(set) var textLines: [String] = []

    /// Starts `runner` with `arguments` plus `--log-format json`.
    init(_ arguments: [String], in directory: URL) throws {
        process = try RunnerProcess.make(arguments + ["--log-format", "json"], in: directory)
        path = directory.appendingPathComponent("stderr-\(UUID().uuidString).jsonl").path
        FileManager.default.createFile(atPath: path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        try process.run()
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The next event; nil once the process has exited and every line it wrote was read.
    func next() -> [String: Any]? {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = Data(buffer[0..<end])
                buffer.removeSubrange(0...end)
                if let event = try? JSONSerialization.jsonObject(with: line) as? [String: Any] { return event }
                textLines.append(String(decoding: line, as: UTF8.self))
                continue
            }
            // Whether it had exited before this read: then the read sees everything it wrote.
            let exited = !process.isRunning
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count > 0 {
                buffer += chunk[0..<count]
            } else if exited {
                if !buffer.isEmpty {
                    textLines.append(String(decoding: buffer, as: UTF8.self))
                    buffer = []
                }
                return nil
            } else {
                // Nothing new yet: wait for the process to write more (a wait, never a verdict).
                usleep(2000)
            }
        }
    }

    /// Reads events until `predicate` holds for one (returned) or the output ends (nil).
    func first(where predicate: ([String: Any]) -> Bool) -> [String: Any]? {
        while let event = next() {
            if predicate(event) { return event }
        }
        return nil
    }

    /// Reads the rest of stderr and waits for the process to exit.
    func finish() {
        while next() != nil {}
        process.waitUntilExit()
    }

    /// Whether the process ended because of a signal (it was killed before it finished).
    var diedOfSignal: Bool { process.terminationReason == .uncaughtSignal }
}

extension [String: Any] {
    var event: String? { self["event"] as? String }
    /// A stage that was computed in this run (started, or finished without the cache).
    var isComputedStage: Bool { event == "stage_started" || (event == "stage_finished" && self["cached"] as? Bool == false) }
}
