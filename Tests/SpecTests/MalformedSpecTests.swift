import Foundation
import XCTest
@testable import Spec

/// Damaged specs never crash the loader: each mutation of an example either validates or
/// yields located diagnostics.
final class MalformedSpecTests: XCTestCase {
    func testMutatedSpecsGiveDiagnostics() throws {
        let path = TestPaths.experiments.appendingPathComponent("penguins.yaml")
        let text = try String(contentsOf: path, encoding: .utf8)
        let pieces: [String] = [":", " ", "\n", "-", "[", "]", "{", "}", "'", "\"", "#", "null", "1e9", "models", "grid", "\t", "&a", "*a"]
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var failures = 0
        for _ in 0..<300 {
            var characters = Array(text)
            for _ in 0..<(1 + next(3)) {
                let position = next(characters.count)
                if next(2) == 0 { characters.remove(at: position) } else { characters.insert(contentsOf: pieces[next(pieces.count)], at: position) }
            }
            let check = SpecLoader.load(text: String(characters), file: "m.yaml", baseDirectory: TestPaths.experiments.path, checkData: next(2) == 0)
            if !check.isValid {
                failures += 1
                XCTAssertFalse(check.errors.isEmpty)
                for diagnostic in check.errors { XCTAssertTrue(diagnostic.description.contains(": error: "), diagnostic.description) }
            }
        }
        XCTAssertGreaterThan(failures, 100)
    }
}
