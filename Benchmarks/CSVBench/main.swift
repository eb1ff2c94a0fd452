// CSV ingest benchmark: reads a file repeatedly with Tabular's reader and prints one JSON line
// (median and best wall time, throughput, peak memory). Paired with scripts/bench_csv.py (pandas).
// Usage: csv-bench FILE [REPEATS] [THREADS]
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
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: csv-bench FILE [REPEATS] [THREADS]\n".utf8))
    exit(64)
}
let path = arguments[1]
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
let threads = arguments.count > 3 ? Int(arguments[3]) ?? ParallelWork.defaultThreadCount : ParallelWork.defaultThreadCount
let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
let baselineKB = memoryKB("VmRSS")
var times: [Double] = []
var shape = (0, 0)
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    do {
        let table = try CSVReader.read(path: path, options: ReadOptions(threads: threads))
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
    "tool": "runner", "file": (path as NSString).lastPathComponent, "bytes": bytes, "rows": shape.0, "columns": shape.1,
    "repeats": repeats, "threads": threads, "median_seconds": median, "best_seconds": times[0],
    "mb_per_second": Double(bytes) / 1e6 / median,
    "peak_rss_mb": Double(memoryKB("VmHWM")) / 1024, "baseline_rss_mb": Double(baselineKB) / 1024,
]
let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
