import Foundation

/// Paths inside the repository, found from this file so tests run from any folder.
enum TestPaths {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let experiments = repository.appendingPathComponent("experiments")
    static let fixtures = repository.appendingPathComponent("Tests/SpecTests/Fixtures")

    static func specs(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The diagnostic a fixture promises, from its first line: `# expect: LINE:COL: error: text`.
    static func expectation(of spec: URL) -> String? {
        guard let text = try? String(contentsOf: spec, encoding: .utf8), let first = text.split(separator: "\n").first,
              first.hasPrefix("# expect: ") else { return nil }
        return String(first.dropFirst("# expect: ".count))
    }
}
