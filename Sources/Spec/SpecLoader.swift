import Learn
import Foundation
import Yams
import Tabular

/// The result of reading and checking a spec: the experiment when it is valid, and every
/// diagnostic found, in file order.
public struct SpecCheck: Sendable {
    public var experiment: Experiment?
    public var diagnostics: [Diagnostic]
    /// The loaded data, when the data checks ran and it read cleanly.
    public var table: Table?
    /// Set in the spec or inferred from the target.
    public var task: LearningTask?

    public var isValid: Bool { experiment != nil && !diagnostics.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// Reads experiment specs (YAML or JSON, one model) and checks them.
public enum SpecLoader {
    /// Reads and checks the spec at `path`. `displayPath` names it in messages (default: `path`).
    /// With `checkData`, also loads the data to check columns, task and preprocessing.
    public static func load(path: String, displayPath: String? = nil, checkData: Bool = true) -> SpecCheck {
        let shown = displayPath ?? path
        guard let bytes = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let reason = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                ? (isDirectory.boolValue ? "is a directory, not a spec file" : "cannot be read (permission denied?)")
                : "no such file"
            return SpecCheck(diagnostics: [Diagnostic(file: shown, location: nil, message: reason)])
        }
        let text: String
        switch decode(bytes, file: shown) {
        case .success(let decoded): text = decoded
        case .failure(let diagnostic): return SpecCheck(diagnostics: [diagnostic])
        }
        let directory = (path as NSString).deletingLastPathComponent
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return load(text: text, file: shown, baseDirectory: directory, defaultName: stem, checkData: checkData)
    }

    /// The spec's text, or a located error naming the first byte that is not UTF-8.
    public static func decode(_ bytes: Data, file: String) -> Result<String, Diagnostic> {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return .failure(Diagnostic(file: file, location: SourceLocation(line: 1, column: 1), message: "the spec is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8"))
        }
        if let text = String(data: bytes, encoding: .utf8) { return .success(text) }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var prefix = String.UnicodeScalarView()
        var offset = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                prefix.append(scalar)
                offset += UTF8.width(scalar)
            case .emptyInput, .error: break decoding
            }
        }
        let location = TextLines(String(prefix)).location(of: prefix.count)
        let byte = offset < bytes.count ? String(format: "0x%02X", bytes[bytes.startIndex + offset]) : "end of file"
        return .failure(Diagnostic(file: file, location: location, message: "the spec is not valid UTF-8 text (byte \(byte) here); save it as UTF-8"))
    }

    /// Checks spec text; relative data paths resolve against `baseDirectory`. `beforeDataChecks`
    /// sees the decoded experiment before its data is read (the engine notes the data file's
    /// identity there, to detect a file that changes while it is checked).
    public static func load(text: String, file: String, baseDirectory: String, defaultName: String = "experiment", checkData: Bool = true, beforeDataChecks: (Experiment) -> Void = { _ in }) -> SpecCheck {
        let root: Yams.Node
        switch YAMLSource.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, file: file) {
        case .success(let node): root = node
        case .failure(let diagnostic): return SpecCheck(diagnostics: [diagnostic])
        }
        var decoder = SpecDecoder(file: file, baseDirectory: baseDirectory, defaultName: sanitized(defaultName))
        guard let experiment = decoder.decode(root) else {
            return SpecCheck(diagnostics: decoder.reader.log.sorted)
        }
        var result = SpecCheck(experiment: experiment, diagnostics: [], task: experiment.data.task)
        var reader = decoder.reader
        if checkData {
            beforeDataChecks(experiment)
            var checks = DataChecks(experiment: experiment, reader: reader, skipPreprocessingFlow: reader.log.hasErrors)
            let outcome = checks.run()
            reader = checks.reader
            result.table = outcome.table
            result.task = outcome.task ?? experiment.data.task
        }
        result.diagnostics = reader.log.sorted
        if reader.log.hasErrors { result.experiment = nil }
        return result
    }

    private static func sanitized(_ name: String) -> String {
        let cleaned = String(name.map { $0.isLetter || $0.isNumber || "_-.".contains($0) ? $0 : "_" })
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "experiment" : cleaned
    }
}
