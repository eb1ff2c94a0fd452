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

/// Writes a file the user named (`--out`, `--prometheus`): a regular file (or a new one) is
/// replaced atomically, so readers never see half of it; anything else (/dev/null,
/// /dev/stdout, a FIFO) is written in place, since replacing it by rename would swap a device
/// node for a plain file. A symbolic link is followed, not replaced.
func writeOutput(_ data: Data, to path: String) throws {
    let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    var info = stat()
    if stat(target, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
        guard let handle = FileHandle(forWritingAtPath: target) else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        return
    }
    // A report path such as reports/junit.xml may name a folder that does not exist yet.
    try FileManager.default.createDirectory(at: URL(fileURLWithPath: target).deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: target), options: .atomic)
}
