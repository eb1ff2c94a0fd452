import Learn
/// "Did you mean" hints: the closest known word by edit distance (a swap of two neighbours
/// counts as one edit), when it is close enough to be a plausible typo.
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(lowered), Array(candidate.lowercased()))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let allowed = max(1, min(3, max(word.count, best.candidate.count) / 3))
        if best.distance <= allowed { return best.candidate }
        // A prefix or suffix of a longer name ("max_dept", "precision" for "precision_macro").
        if word.count >= 4, let match = candidates.first(where: { $0.hasPrefix(lowered) || lowered.hasPrefix($0) && $0.count >= 4 }) {
            return match
        }
        return nil
    }

    /// ` (did you mean 'x'?)`, or an empty string.
    static func hint(for word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Optimal string alignment distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            previousPrevious = previous
            previous = current
        }
        return previous[b.count]
    }
}

/// "'a', 'b' or 'c'" for messages.
func listing(_ words: [String], conjunction: String = "or") -> String {
    Wording.list(words, conjunction: conjunction)
}
