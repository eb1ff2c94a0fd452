import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors and diagnostics go to stderr; results go to stdout.
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// Four significant digits, the way summaries usually show numbers.
func formatStatistic(_ value: Double?) -> String {
    guard let value else { return "" }
    // printf writes "-nan" for some NaNs; the JSON and the docs say "nan".
    if value.isNaN { return "nan" }
    return String(format: "%.4g", value)
}
