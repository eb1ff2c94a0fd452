// Database load benchmark: reads a PostgreSQL query's rows into a table repeatedly with
// DatabaseSources (the path `data.source: {postgres: ...}` takes) and prints one JSON line
// (median and best wall time, rows per second, peak memory). Paired with
// scripts/bench_database.py (pandas read_sql over SQLAlchemy + psycopg).
// Usage: database-bench URL QUERY [REPEATS]   (password: PGPASSWORD)
import DatabaseSources
import Foundation
import Tabular

func memoryKB(_ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
    }
    return 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: database-bench URL QUERY [REPEATS]\n".utf8))
    exit(64)
}
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
let baselineKB = memoryKB("VmRSS")
var times: [Double] = []
var shape = (0, 0)
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    do {
        // A new source each time: the digest a source remembers is per run.
        let source = PostgresSource(endpoint: try PostgresEndpoint.parse(arguments[1], allowPassword: false), query: arguments[2])
        let table = try source.read(options: ReadOptions())
        shape = (table.rowCount, table.columnCount)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
times.sort()
let median = times[times.count / 2]
let report: [String: Any] = [
    "tool": "runner", "rows": shape.0, "columns": shape.1, "repeats": repeats,
    "median_seconds": median, "best_seconds": times[0], "rows_per_second": Double(shape.0) / median,
    "peak_rss_mb": Double(memoryKB("VmHWM")) / 1024, "baseline_rss_mb": Double(baselineKB) / 1024,
]
let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
