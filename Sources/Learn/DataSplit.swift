/// Train/test splits and cross-validation folds, seeded and stratified like scikit-learn's
/// `train_test_split`, `KFold` and `StratifiedKFold` (the draws differ from numpy's, so the
/// rows chosen differ; the proportions and fold sizes follow the same rules).
public enum DataSplit {
    public enum TestSize: Sendable, Equatable, Codable {
        case fraction(Double)
        case rows(Int)

        /// Rows held out of `n`: a fraction rounds up, as scikit-learn's train_test_split.
        public func rows(outOf n: Int) -> Int {
            switch self {
            case .fraction(let fraction): return Int((fraction * Double(n)).rounded(.up))
            case .rows(let rows): return rows
            }
        }
    }

    public struct Fold: Sendable, Equatable, Codable {
        public var train: [Int]
        public var validation: [Int]

        public init(train: [Int], validation: [Int]) {
            self.train = train
            self.validation = validation
        }
    }

    /// Row indices of the training and test parts, each in ascending order.
    /// Stratification keeps every class's share within one row of its share of the whole.
    public static func trainTest(_ target: Target, testSize: TestSize, stratify: Bool, shuffle: Bool, seed: UInt64) throws(LearnError) -> (train: [Int], test: [Int]) {
        let n = target.count
        let testCount = testSize.rows(outOf: n)
        guard testCount >= 1, testCount < n else {
            throw LearnError.settings("a test split of \(testCount) rows out of \(n) leaves \(n - testCount) for training; change split.test_size")
        }
        if !shuffle {
            guard !stratify else { throw LearnError.settings("a stratified split needs shuffle: true") }
            return (Array(0..<(n - testCount)), Array((n - testCount)..<n))
        }
        var generator = SeededGenerator(seed: seed, stream: "train-test split")
        var test: [Int] = []
        if stratify, case .classes(let labels, let classes) = target {
            let members = rowsByClass(labels, classCount: classes.count)
            for (c, rows) in members.enumerated() where rows.count == 1 {
                throw LearnError.settings("class '\(classes[c])' has only 1 row; a stratified split needs at least 2 per class (remove or merge the class, or set split.stratify: false)")
            }
            let quotas = proportionalQuotas(members.map(\.count), total: testCount)
            for (rows, quota) in zip(members, quotas) {
                var shuffled = rows
                generator.shuffle(&shuffled)
                test += shuffled.prefix(quota)
            }
        } else {
            var rows = Array(0..<n)
            generator.shuffle(&rows)
            test = Array(rows.prefix(testCount))
        }
        let inTest = Set(test)
        return ((0..<n).filter { !inTest.contains($0) }, test.sorted())
    }

    /// `count` folds; every row is validated exactly once. Stratified folds deal each class's
    /// rows round-robin, so every fold holds each class within one row of its share.
    public static func folds(_ target: Target, count: Int, stratified: Bool, shuffle: Bool, seed: UInt64) throws(LearnError) -> [Fold] {
        let n = target.count
        guard count >= 2 else { throw LearnError.settings("cross-validation needs at least 2 folds") }
        guard n >= count else {
            throw LearnError.settings("cross-validation with \(count) folds needs at least \(count) training rows, and there are \(n); lower search.cv")
        }
        var generator = SeededGenerator(seed: seed, stream: "folds")
        var assignment = [Int](repeating: 0, count: n)
        if stratified, case .classes(let labels, let classes) = target {
            let members = rowsByClass(labels, classCount: classes.count)
            for (c, rows) in members.enumerated() where !rows.isEmpty && rows.count < count {
                throw LearnError.settings("class '\(classes[c])' has \(rows.count) training row\(rows.count == 1 ? "" : "s"), fewer than the \(count) folds; lower search.cv, merge rare classes, or set search.stratified: false")
            }
            var next = 0
            for rows in members {
                var ordered = rows
                if shuffle { generator.shuffle(&ordered) }
                for row in ordered {
                    assignment[row] = next % count
                    next += 1
                }
            }
        } else {
            var order = Array(0..<n)
            if shuffle { generator.shuffle(&order) }
            // First n % count folds get one extra row, as scikit-learn's KFold.
            var position = 0
            for fold in 0..<count {
                let size = n / count + (fold < n % count ? 1 : 0)
                for row in order[position..<(position + size)] { assignment[row] = fold }
                position += size
            }
        }
        return (0..<count).map { fold in
            Fold(train: (0..<n).filter { assignment[$0] != fold }, validation: (0..<n).filter { assignment[$0] == fold })
        }
    }

    static func rowsByClass(_ labels: [Int], classCount: Int) -> [[Int]] {
        var members = [[Int]](repeating: [], count: classCount)
        for (row, label) in labels.enumerated() { members[label].append(row) }
        return members
    }

    /// Splits `total` over groups in proportion to their sizes (largest remainders get the
    /// leftovers, earlier groups first on ties), never giving a group all of its rows.
    static func proportionalQuotas(_ sizes: [Int], total: Int) -> [Int] {
        let n = Double(sizes.reduce(0, +))
        var quotas = sizes.map { Int((Double($0) * Double(total) / n).rounded(.down)) }
        var remainders = sizes.enumerated().map { (index: $0.offset, value: Double($0.element) * Double(total) / n - Double(quotas[$0.offset])) }
        remainders.sort { $0.value > $1.value || ($0.value == $1.value && $0.index < $1.index) }
        var left = total - quotas.reduce(0, +)
        for entry in remainders where left > 0 && quotas[entry.index] < sizes[entry.index] - 1 {
            quotas[entry.index] += 1
            left -= 1
        }
        return quotas
    }
}
