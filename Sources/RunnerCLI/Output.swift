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

/// Left-aligned text columns, right-aligned numbers, for terminal tables.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int> = []

    func render() -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingTrailingSpaces()
        }
        var lines = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}

extension String {
    func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

/// Four significant digits, the way summaries usually show numbers.
func formatStatistic(_ value: Double?) -> String {
    guard let value else { return "" }
    return String(format: "%.4g", value)
}
