import Foundation
import XCTest
@testable import Tabular

/// csv-spectrum (BSD-2-Clause, copied unmodified into Fixtures/): every file must parse as its
/// expected JSON says.
final class CSVConformanceTests: XCTestCase {
    private let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/csv-spectrum")

    /// Upstream's location_coordinates.json is a single object, and its phone number
    /// ("1234567890") is not the one in its CSV ("2095257564"); every other field matches.
    private let upstreamMismatches: [String: (column: String, csvValue: String)] = [
        "location_coordinates.csv": ("Contact Phone Number", "2095257564"),
    ]

    func testEveryCSVSpectrumCaseParsesAsExpected() throws {
        let csvFolder = folder.appendingPathComponent("csvs")
        let names = try FileManager.default.contentsOfDirectory(atPath: csvFolder.path).filter { $0.hasSuffix(".csv") }.sorted()
        XCTAssertEqual(names.count, 12)
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: csvFolder.appendingPathComponent(name)))
            var expected = try expectedRows(for: name)
            let records = try CSVReader.records(bytes: bytes, path: name)
            let header = try XCTUnwrap(records.first, name)
            let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
            if let mismatch = upstreamMismatches[name] {
                XCTAssertEqual(rows.map { $0[mismatch.column] }, [mismatch.csvValue], name)
                for index in expected.indices { expected[index][mismatch.column] = mismatch.csvValue }
            }
            XCTAssertEqual(rows, expected, name)
        }
    }

    private func expectedRows(for csvName: String) throws -> [[String: String]] {
        let url = folder.appendingPathComponent("json").appendingPathComponent(csvName.replacingOccurrences(of: ".csv", with: ".json"))
        let data = try Data(contentsOf: url)
        if let rows = try? JSONDecoder().decode([[String: String]].self, from: data) { return rows }
        return [try JSONDecoder().decode([String: String].self, from: data)]
    }
}
