import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The prediction log monitoring reads: JSON Lines, one line per predicted row (time, model,
/// bundle digest, request id, inputs, output), in `DIR/predictions.jsonl`, rotated to
/// `predictions-<UTC time>-<n>.jsonl` past a size. Requests only append to a bounded buffer
/// under a lock; a writer thread of its own does the I/O, so a slow disk never delays a
/// response: when the buffer is full, rows are dropped and counted.
public final class PredictionLog: Sendable {
    public struct Settings: Sendable, Equatable {
        public var directory: String
        /// Rotate when the current file would grow past this many bytes.
        public var maximumFileBytes: Int
        /// Keep at most this many rotated files (the oldest go first).
        public var keptFiles: Int
        /// The fraction of rows logged, in (0, 1].
        public var sampleRate: Double
        /// Bytes of lines waiting for the writer before rows are dropped.
        public var bufferBytes: Int

        public init(directory: String, maximumFileBytes: Int = 100 << 20, keptFiles: Int = 10, sampleRate: Double = 1, bufferBytes: Int = 16 << 20) {
            self.directory = directory
            self.maximumFileBytes = maximumFileBytes
            self.keptFiles = keptFiles
            self.sampleRate = sampleRate
            self.bufferBytes = bufferBytes
        }
    }

    private struct Pending: Sendable {
        var lines: [[UInt8]] = []
        var bytes = 0
        var closed = false
    }

    let settings: Settings
    private let pending = Mutex(Pending())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let onWritten: @Sendable (Int) -> Void
    private let onDropped: @Sendable (Int) -> Void
    static let currentName = "predictions.jsonl"

    /// Opens (creating) the directory and starts the writer thread.
    public init(settings: Settings, onWritten: @escaping @Sendable (Int) -> Void = { _ in }, onDropped: @escaping @Sendable (Int) -> Void = { _ in }) throws(ServeStartError) {
        self.settings = settings
        self.onWritten = onWritten
        self.onDropped = onDropped
        do {
            try FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
        } catch {
            throw .configuration("cannot create the prediction log directory \(settings.directory): \(error.localizedDescription)")
        }
        let probe = open(settings.directory + "/" + Self.currentName, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard probe >= 0 else { throw .configuration("cannot write the prediction log in \(settings.directory): \(String(cString: strerror(errno)))") }
        Glibc.close(probe)
        let thread = Thread { [self] in self.writeLoop() }
        thread.name = "prediction-log"
        thread.start()
    }

    /// Whether to log the next row, by the sampling rate.
    func sample() -> Bool {
        settings.sampleRate >= 1 || Double.random(in: 0..<1) < settings.sampleRate
    }

    /// Queues lines (each one JSON object, no newline); never waits for the disk.
    func append(_ lines: [[UInt8]]) {
        guard !lines.isEmpty else { return }
        let size = lines.reduce(0) { $0 + $1.count + 1 }
        let accepted = pending.withLock { pending -> Bool in
            guard !pending.closed, pending.bytes + size <= settings.bufferBytes else { return false }
            pending.lines.append(contentsOf: lines)
            pending.bytes += size
            return true
        }
        if accepted { wake.signal() } else { onDropped(lines.count) }
    }

    /// Writes what is queued and stops the writer; later rows are dropped.
    public func close() {
        let alreadyClosed = pending.withLock { pending -> Bool in
            defer { pending.closed = true }
            return pending.closed
        }
        guard !alreadyClosed else { return }
        wake.signal()
        finished.wait()
    }

    private func writeLoop() {
        let path = settings.directory + "/" + Self.currentName
        var descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        var size = fileSize(descriptor)
        var sequence = 0
        while true {
            wake.wait()
            let (lines, closed) = pending.withLock { pending -> ([[UInt8]], Bool) in
                defer { pending.lines.removeAll(keepingCapacity: true); pending.bytes = 0 }
                return (pending.lines, pending.closed)
            }
            var chunk: [UInt8] = []
            var chunkLines = 0
            func flush() {
                guard !chunk.isEmpty else { return }
                if writeAll(descriptor, chunk) {
                    size += chunk.count
                    onWritten(chunkLines)
                } else {
                    // A full or failing disk: the rows are lost, and said so in /metrics.
                    onDropped(chunkLines)
                }
                chunk.removeAll(keepingCapacity: true)
                chunkLines = 0
            }
            for line in lines {
                if size + chunk.count + line.count + 1 > settings.maximumFileBytes, size + chunk.count > 0 {
                    flush()
                    Glibc.close(descriptor)
                    sequence += 1
                    rotate(path, sequence: sequence)
                    descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
                    size = 0
                }
                chunk.append(contentsOf: line)
                chunk.append(0x0A)
                chunkLines += 1
            }
            flush()
            if closed { break }
        }
        fsync(descriptor)
        Glibc.close(descriptor)
        finished.signal()
    }

    private func rotate(_ path: String, sequence: Int) {
        // The log lines' UTC time, without the colons file names do badly with.
        let stamp = LogOutput.timestamp().replacingOccurrences(of: ":", with: "")
        let rotated = settings.directory + "/predictions-\(stamp)-\(sequence).jsonl"
        rename(path, rotated)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: settings.directory)) ?? [])
            .filter { $0.hasPrefix("predictions-") && $0.hasSuffix(".jsonl") }
            .sorted { modified(settings.directory + "/" + $0) < modified(settings.directory + "/" + $1) }
        for stale in files.dropLast(max(0, settings.keptFiles)) { unlink(settings.directory + "/" + stale) }
    }

    private func modified(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    private func fileSize(_ descriptor: Int32) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return 0 }
        return Int(info.st_size)
    }

    /// Whether every byte was written.
    private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
