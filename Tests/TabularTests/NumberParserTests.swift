import XCTest
@testable import Tabular

final class NumberParserTests: XCTestCase {
    private let parser = NumberParser()

    private func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { parser.parse($0) }
    }

    func testAgreesWithTheStandardLibraryBitForBit() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            for text in [String(value), String(format: "%.6g", value), String(format: "%.17g", value), String(format: "%.3f", value)] {
                XCTAssertEqual(parse(text)?.bitPattern, Double(text)?.bitPattern, text)
            }
        }
        for text in ["0", "-0", "1e22", "1e23", "9007199254740993", "123456789012345678901234567890", "0.1", "4.9e-324", "1.7976931348623157e308", "2.2250738585072014e-308", ".5", "5.", "+3", "1E5", "12345678901234567890e-5"] {
            XCTAssertEqual(parse(text)?.bitPattern, Double(text)?.bitPattern, text)
        }
    }

    func testSpecialValuesAndSpaces() {
        XCTAssertEqual(parse("inf"), .infinity)
        XCTAssertEqual(parse("-Infinity"), -.infinity)
        XCTAssertTrue(parse("NaN")!.isNaN)
        XCTAssertEqual(parse("  42 "), 42)
    }

    func testRejectsNonNumbers() {
        for text in ["", " ", "abc", "1.2.3", "1e", "e5", "--1", "1,5", "0x10", "12a", ".", "-", "infinite", "1e+"] {
            XCTAssertNil(parse(text), text)
        }
    }
}
