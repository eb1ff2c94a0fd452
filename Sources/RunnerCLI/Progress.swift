import Engine
import Foundation
import Tabular
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a run reports progress on stderr.
enum ProgressStyle: String, CaseIterable {
    /// One line rewritten in place (terminals).
    case live
    /// A line per computed stage (CI logs, pipes).
    case lines
    /// JSON Lines, one event per line.
    case json
    /// Warnings only.
    case quiet

    static func choose(quiet: Bool, logFormat: String) -> ProgressStyle {
        if logFormat == "json" { return .json }
        if quiet { return .quiet }
        let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false
        return isatty(STDERR_FILENO) == 1 && !ci ? .live : .lines
    }
}

/// Renders executor events; safe to call from every worker thread.
final class ProgressDisplay: Sendable {
    private struct State {
        var total = 0
        var done = 0
        var cached = 0
        var running = 0
        var computedSeconds = 0.0
        var computed = 0
    }

    private let style: ProgressStyle
    private let start = Date()
    private let state = Mutex(State())

    init(style: ProgressStyle) {
        self.style = style
    }

    func handle(_ event: RunEvent) {
        state.withLock { state in
            switch event {
            case .started(let total):
                state.total = total
                emit(state, json: ["event": .text("started"), "stages": .number(Double(total))], line: nil)
            case .stageStarted(let name):
                state.running += 1
                emit(state, json: ["event": .text("stage_started"), "stage": .text(name)], line: nil)
            case .stageFinished(let name, let cached, let seconds):
                state.done += 1
                if cached {
                    state.cached += 1
                } else {
                    state.running -= 1
                    state.computed += 1
                    state.computedSeconds += seconds
                }
                emit(state, json: ["event": .text("stage_finished"), "stage": .text(name), "cached": .flag(cached), "seconds": .number((seconds * 1e4).rounded() / 1e4)],
                     line: cached ? nil : String(format: "[%d/%d] %@ (%.2f s)", state.done, state.total, name, seconds))
            case .warning(let message):
                if style == .live { printError("\r\u{1B}[K" + "warning: " + message) } else if style != .json { printError("warning: " + message) }
                emit(state, json: ["event": .text("warning"), "message": .text(message)], line: nil)
            }
        }
    }

    /// Ends the live line.
    func finish() {
        if style == .live { printError("") }
    }

    private func emit(_ state: State, json: [String: EventValue], line: String?) {
        let elapsed = Date().timeIntervalSince(start)
        switch style {
        case .quiet:
            return
        case .json:
            var fields = json
            fields["elapsed"] = .number((elapsed * 1e3).rounded() / 1e3)
            printError(String(decoding: JSONFormat.encode(fields), as: UTF8.self))
        case .lines:
            if let line { printError(line) }
        case .live:
            let remaining = state.total - state.done
            var eta = ""
            if state.computed > 0 && remaining > 0 {
                // Stages still to run, at the pace of those computed so far.
                eta = String(format: " · ETA %.0fs", elapsed / Double(state.done) * Double(remaining))
            }
            let text = String(format: "[%d/%d] %d cached · %d running · %.1fs", state.done, state.total, state.cached, state.running, elapsed) + eta
            writeRaw("\r\u{1B}[K" + text)
        }
    }

    private func writeRaw(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

/// A field of a JSON progress event.
private enum EventValue: Encodable {
    case text(String)
    case number(Double)
    case flag(Bool)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .flag(let value): try container.encode(value)
        }
    }
}
