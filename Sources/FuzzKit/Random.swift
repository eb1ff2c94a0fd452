import Learn

/// The campaign's random draws: one seeded stream per case, so a case regenerates from
/// (seed, kind, index) alone, whatever the order cases run in.
struct Draw {
    var generator: SeededGenerator

    init(seed: UInt64, kind: FuzzCase.Kind, index: Int) {
        generator = SeededGenerator(seed: seed, stream: "fuzz \(kind.rawValue) \(index)")
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    mutating func int(below count: Int) -> Int { Int.random(in: 0..<max(1, count), using: &generator) }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(below: items.count)] }
}
