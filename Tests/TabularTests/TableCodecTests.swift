import Foundation
import XCTest
@testable import Tabular

final class TableCodecTests: XCTestCase {
    private func sample() throws -> Table {
        try Table(columns: [
            Column(name: "x", numeric: [1.5, .nan, -0.0, .infinity]),
            Column(name: "flag", numeric: [1, 0, .nan, 1], kind: .boolean),
            Column(name: "kind é", strings: ["a", nil, "b", "a"]),
        ])
    }

    func testRoundTripKeepsEveryBit() throws {
        let table = try sample()
        let decoded = try TableCodec.decode(TableCodec.encode(table))
        XCTAssertEqual(decoded, table, "bit-for-bit equality, NaN included")
        XCTAssertEqual(decoded["x"]!.numericValues![2].sign, .minus)
        XCTAssertEqual(decoded["flag"]!.kind, .boolean)
        XCTAssertEqual(decoded["kind é"]!.categoricalValues!.categories, ["a", "b"])
        XCTAssertEqual(TableCodec.encode(decoded), TableCodec.encode(table), "encoding is deterministic")
    }

    func testEmptyTableRoundTrips() throws {
        let table = try Table(columns: [Column(name: "x", numeric: [])])
        XCTAssertEqual(try TableCodec.decode(TableCodec.encode(table)), table)
    }

    func testDamagedBytesAreErrorsNotCrashes() throws {
        let bytes = TableCodec.encode(try sample())
        XCTAssertThrowsError(try TableCodec.decode(Data("XXXX".utf8) + bytes.dropFirst(4)))
        for cut in stride(from: 0, to: bytes.count, by: 3) {
            XCTAssertThrowsError(try TableCodec.decode(bytes.prefix(cut)), "truncated at \(cut)")
        }
        XCTAssertThrowsError(try TableCodec.decode(bytes + Data([0])), "trailing byte")
        var badCode = [UInt8](bytes)
        badCode[badCode.count - 1] = 0x7F
        XCTAssertThrowsError(try TableCodec.decode(Data(badCode)), "category code out of range")
    }
}
