import Foundation
import Packaging
import Tabular

/// Reads the server's prediction log (`predictions*.jsonl` in a folder, written by
/// `runner serve --log-predictions DIR`) back into rows: the inputs as the schema types them,
/// the outputs, and each row's request id and position for joining labels.
public struct LoggedPredictions: Sendable {
    public var inputs: Table
    /// Predicted class names, or predicted values.
    public var outputs: Sample
    public var requestIDs: [String]
    /// 1-based row within its request.
    public var rowNumbers: [Int]
    /// Logged rows of other bundles (another digest) that were left out.
    public var otherModels: Int
    /// Lines that were not a prediction record (damaged, cut by a crash).
    public var unreadable: Int

    /// Reads `directory`, keeping the rows `bundleDigest` predicted within `window`.
    public static func read(directory: String, schema: InputSchema, classification: Bool, bundleDigest: String,
                            window: MonitorWindow?, now: Date = Date()) throws(MonitorError) -> LoggedPredictions {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            throw .logs("\(directory) is not a folder of prediction logs (runner serve --log-predictions DIR writes one)")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("predictions") && $0.hasSuffix(".jsonl") }
        // Rotated files carry their UTC time in the name, so name order is time order; the
        // file being written comes last.
        let ordered = names.filter { $0 != "predictions.jsonl" }.sorted() + names.filter { $0 == "predictions.jsonl" }
        guard !ordered.isEmpty else { throw .logs("\(directory) holds no prediction logs (predictions*.jsonl)") }
        // Records outside the window are dropped while reading, so memory follows the window,
        // not the size of the logs.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var records: [[String: Any]] = []
        var matched = 0, unreadable = 0, otherModels = 0
        var otherDigests: [String: Int] = [:]
        for name in ordered {
            let path = directory + "/" + name
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { throw .logs("cannot read \(path)") }
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                guard let record = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
                      let digest = record["sha256"] as? String, record["inputs"] is [String: Any] else {
                    unreadable += 1
                    continue
                }
                if digest != bundleDigest {
                    otherModels += 1
                    otherDigests[digest, default: 0] += 1
                    continue
                }
                matched += 1
                switch window {
                case .seconds(let span)?:
                    guard let text = record["time"] as? String, let time = formatter.date(from: text), time >= now.addingTimeInterval(-span) else { continue }
                    records.append(record)
                case .rows(let count)?:
                    records.append(record)
                    if records.count >= 2 * count { records.removeFirst(records.count - count) }
                case nil:
                    records.append(record)
                }
            }
        }
        if matched == 0 {
            if let (digest, count) = otherDigests.max(by: { $0.value < $1.value }) {
                throw .logs("the \(otherModels) logged predictions in \(directory) are from another bundle (sha256 \(digest.prefix(12))…, \(count) rows), not from this one (sha256 \(bundleDigest.prefix(12))…); pass the bundle the server ran")
            }
            throw .logs("\(directory) holds no readable prediction records\(unreadable > 0 ? " (\(unreadable) damaged lines)" : "")")
        }
        if case .rows(let count)? = window { records = Array(records.suffix(count)) }
        if records.isEmpty, case .seconds(let span)? = window {
            throw .logs("none of the \(matched) predictions of this bundle in \(directory) fall within the window (the last \(Int(span)) s)")
        }
        var columns: [Column] = []
        for field in schema.fields {
            let values = records.map { ($0["inputs"] as? [String: Any])?[field.name] }
            switch field.kind {
            case .numeric, .boolean:
                columns.append(Column(name: field.name, numeric: values.map(Self.number), kind: field.kind))
            case .categorical:
                columns.append(Column(name: field.name, strings: values.map(Self.text)))
            }
        }
        let inputs: Table
        do { inputs = try Table(columns: columns) } catch { throw .logs("the logged inputs do not form a table: \(error)") }
        let outputs: Sample = classification
            ? .texts(records.map { Self.text($0["output"]) })
            : .numbers(records.map { Self.number($0["output"]) })
        return LoggedPredictions(inputs: inputs, outputs: outputs, requestIDs: records.map { ($0["request_id"] as? String) ?? "" },
                                 rowNumbers: records.map { ($0["row"] as? NSNumber)?.intValue ?? 0 }, otherModels: otherModels, unreadable: unreadable)
    }

    private static func number(_ value: Any?) -> Double {
        guard let value, !(value is NSNull) else { return .nan }
        if let number = value as? NSNumber {
            // JSON true/false come back as NSNumber too; 1/0 is what a boolean column holds.
            return number.doubleValue
        }
        if let text = value as? String { return Double(text) ?? .nan }
        return .nan
    }

    private static func text(_ value: Any?) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return formatNumber(number.doubleValue) }
        return nil
    }
}
