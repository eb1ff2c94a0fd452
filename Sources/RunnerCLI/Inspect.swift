import ArgumentParser
import Foundation
import Tabular

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a data file: rows, columns, inferred types, missing values and statistics.",
        discussion: "Exits 1 when the file cannot be read, with FILE:LINE:COL for errors in its contents."
    )

    @Argument(help: "A CSV, TSV or JSON Lines file.", completion: .file(extensions: ["csv", "tsv", "jsonl", "ndjson"]))
    var path: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(help: "Field delimiter for CSV (one character, or 'tab').")
    var delimiter: String?

    @Option(name: .customLong("na-value"), help: "A value that means missing (repeatable). Replaces pandas' default list; empty fields are always missing.")
    var naValues: [String] = []

    @Option(name: .customLong("format"), help: "csv or jsonl (default: from the file extension).")
    var format: DataFormat?

    @Option(help: "Worker threads (default: the core count).")
    var threads: Int?

    func validate() throws {
        if let delimiter, delimiter != "tab", delimiter.utf8.count != 1 {
            throw ValidationError("--delimiter must be one character or 'tab'")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        var options = ReadOptions(format: format)
        if let delimiter { options.delimiter = delimiter == "tab" ? 0x09 : delimiter.utf8.first }
        if !naValues.isEmpty { options.naValues = naValues }
        if let threads { options.threads = threads }
        let table: Table
        do {
            table = try TableReader.read(path: path, options: options)
        } catch {
            printError(error.description)
            throw ExitCodes.failure
        }
        let summary = TableSummary(table: table, threads: options.threads)
        if json {
            let data = JSONFormat.encode(InspectReport(file: path, summary: summary), pretty: true)
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(path): \(summary.rows) rows, \(summary.columns.count) columns")
        var text = TextTable(header: ["column", "type", "missing", "distinct", "mean", "std", "min", "median", "max", "top"])
        text.rightAligned = [2, 3, 4, 5, 6, 7, 8]
        for column in summary.columns {
            let top = column.top.map { "\($0) (\(column.topCount ?? 0))" } ?? ""
            text.rows.append([
                column.name, column.kind.rawValue, String(column.missing), String(column.distinct),
                formatStatistic(column.mean), formatStatistic(column.std), formatStatistic(column.min),
                formatStatistic(column.median), formatStatistic(column.max), top,
            ])
        }
        print(text.render())
    }
}

extension DataFormat: ExpressibleByArgument {}

/// The JSON shape of `runner inspect --json`.
struct InspectReport: Encodable {
    var file: String
    var summary: TableSummary
}
