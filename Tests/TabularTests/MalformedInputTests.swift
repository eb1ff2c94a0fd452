import Foundation
import XCTest
@testable import Tabular

/// Damaged files never crash the readers: each mutation either reads or fails with a located
/// DataError.
final class MalformedInputTests: XCTestCase {
    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    private let alphabet: [UInt8] = Array("a,\"\n\r\t 0123456789.-eNA;".utf8) + [0xC3, 0xA9, 0xFF, 0x00, 0xEF, 0xBB, 0xBF]

    private func mutations(of base: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = Generator(state: seed)
        return (0..<count).map { _ in
            var bytes = base
            for _ in 0..<(1 + generator.next(6)) {
                switch generator.next(3) {
                case 0 where !bytes.isEmpty: bytes.remove(at: generator.next(bytes.count))
                case 1: bytes.insert(alphabet[generator.next(alphabet.count)], at: generator.next(bytes.count + 1))
                default: if !bytes.isEmpty { bytes[generator.next(bytes.count)] = alphabet[generator.next(alphabet.count)] }
                }
            }
            if generator.next(4) == 0 { bytes = Array(bytes.prefix(generator.next(bytes.count + 1))) }
            return bytes
        }
    }

    func testMutatedCSVNeverCrashes() {
        let base = Array("id,name,score,flag\n1,\"Smith, J\",3.5,true\n2,\"say \"\"hi\"\"\",NA,false\r\n3,plain,-1e3,TRUE\n".utf8)
        var read = 0, rejected = 0
        for bytes in mutations(of: base, count: 3000, seed: 11) {
            for threads in [1, 3] {
                do {
                    let table = try CSVReader.read(bytes: bytes, path: "m.csv", options: ReadOptions(threads: threads))
                    XCTAssertTrue(table.columns.allSatisfy { $0.count == table.rowCount })
                    read += 1
                } catch {
                    XCTAssertTrue(error.description.hasPrefix("m.csv"), error.description)
                    if let line = error.line { XCTAssertGreaterThan(line, 0) }
                    rejected += 1
                }
            }
        }
        XCTAssertGreaterThan(read, 100)
        XCTAssertGreaterThan(rejected, 100)
    }

    func testMutatedJSONLinesNeverCrashes() {
        let base = Array("{\"a\": 1, \"b\": \"x\\\"y\", \"c\": true}\n{\"a\": -2.5e1, \"b\": null}\n".utf8)
        for bytes in mutations(of: base, count: 3000, seed: 12) {
            do {
                _ = try JSONLinesReader.read(bytes: bytes, path: "m.jsonl")
            } catch {
                XCTAssertTrue(error.description.hasPrefix("m.jsonl"), error.description)
            }
        }
    }
}
