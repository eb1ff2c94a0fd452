import Foundation
import Logging
import Synchronization

/// swift-log handler writing one JSON object per line (time, level, message, then metadata),
/// the form log collectors parse without configuration. Lines go to the given file
/// descriptor whole, under a lock, so concurrent requests never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: LogOutput

    public init(label: String, output: LogOutput) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.member("time", LogOutput.timestamp())
        writer.member("level", event.level.rawValue)
        writer.member("logger", label)
        writer.member("msg", event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            writer.key(key)
            Self.write(merged[key]!, into: &writer)
        }
        writer.endObject()
        output.write(writer.bytes)
    }

    private static func write(_ value: Logger.MetadataValue, into writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.string(text)
        case .stringConvertible(let convertible):
            if let number = convertible as? Int { writer.integer(number) } else if let number = convertible as? Double { writer.number(number) } else { writer.string(convertible.description) }
        case .array(let values):
            writer.beginArray()
            for element in values { write(element, into: &writer) }
            writer.endArray()
        case .dictionary(let members):
            writer.beginObject()
            for key in members.keys.sorted() {
                writer.key(key)
                write(members[key]!, into: &writer)
            }
            writer.endObject()
        }
    }
}

/// Where log lines go: standard output by default, or a collector for tests.
public final class LogOutput: Sendable {
    private let descriptor: Int32
    private let capturing: Bool
    private let captured = Mutex<[String]>([])
    /// One writer at a time: a line longer than a pipe's atomic size must not interleave.
    private let writing = Mutex(())

    /// Lines to a file descriptor (1: standard output).
    public convenience init(descriptor: Int32 = 1) {
        self.init(descriptor: descriptor, capturing: false)
    }

    /// Lines kept in memory, for tests to read.
    public static func capturing() -> LogOutput { LogOutput(descriptor: -1, capturing: true) }

    private init(descriptor: Int32, capturing: Bool) {
        self.descriptor = descriptor
        self.capturing = capturing
    }

    public var lines: [String] { captured.withLock { $0 } }

    func write(_ line: [UInt8]) {
        if capturing {
            captured.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
            return
        }
        var bytes = line
        bytes.append(0x0A)
        writing.withLock { _ in bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        } }
    }

    /// UTC time with milliseconds, RFC 3339.
    static func timestamp(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
