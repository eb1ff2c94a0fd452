/// A curve as two coordinate lists (x, y), in drawing order.
public struct Curve: Codable, Sendable, Equatable {
    public var x: [Double]
    public var y: [Double]

    public init(x: [Double], y: [Double]) {
        self.x = x
        self.y = y
    }
}

/// ROC, precision-recall and calibration curves of one class against the rest, computed as
/// scikit-learn's `roc_curve`, `precision_recall_curve`, `average_precision_score` and
/// `calibration_curve` compute them.
public struct ClassCurves: Codable, Sendable, Equatable {
    public var label: String
    /// False positive rate (x) against true positive rate (y); collinear points dropped as
    /// `roc_curve(drop_intermediate=True)` does (the area is unchanged).
    public var roc: Curve
    public var rocAUC: Double?
    /// Recall (x) against precision (y), recall decreasing, ending at (0, 1).
    public var precisionRecall: Curve
    public var averagePrecision: Double?
    /// Mean predicted probability (x) against the observed share of the class (y), for the
    /// non-empty of ten equal-width bins.
    public var calibration: Curve
    /// Rows in each non-empty calibration bin.
    public var calibrationCounts: [Int]

    /// `positive`: whether each row belongs to the class; `scores`: its predicted probability.
    public static func compute(label: String, positive: [Bool], scores: [Double], bins: Int = 10) -> ClassCurves {
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        // Cumulative true and false positives at each distinct threshold, highest first.
        var truePositives: [Double] = [], falsePositives: [Double] = []
        var tp = 0.0, fp = 0.0
        for (position, row) in order.enumerated() {
            if positive[row] { tp += 1 } else { fp += 1 }
            if position + 1 == order.count || scores[order[position + 1]] != scores[row] {
                truePositives.append(tp)
                falsePositives.append(fp)
            }
        }
        let positives = tp, negatives = fp
        // ROC: collinear points dropped (sklearn's rule, on the thresholds' points), then (0, 0) first.
        var fps = falsePositives, tps = truePositives
        if fps.count > 2 {
            let keep = fps.indices.map { index in
                index == 0 || index == fps.count - 1
                    || fps[index + 1] - 2 * fps[index] + fps[index - 1] != 0 || tps[index + 1] - 2 * tps[index] + tps[index - 1] != 0
            }
            fps = fps.indices.filter { keep[$0] }.map { fps[$0] }
            tps = tps.indices.filter { keep[$0] }.map { tps[$0] }
        }
        fps.insert(0, at: 0)
        tps.insert(0, at: 0)
        let roc = Curve(x: fps.map { negatives > 0 ? $0 / negatives : .nan }, y: tps.map { positives > 0 ? $0 / positives : .nan })
        var rocAUC: Double?
        if positives > 0, negatives > 0 {
            var area = 0.0
            for index in 1..<roc.x.count { area += (roc.x[index] - roc.x[index - 1]) * (roc.y[index] + roc.y[index - 1]) / 2 }
            rocAUC = area
        }
        // Precision-recall, as precision_recall_curve returns it (recall decreasing, then (0, 1)).
        var recall: [Double] = [], precision: [Double] = []
        var averagePrecision: Double?
        if positives > 0 {
            var previousRecall = 0.0, sum = 0.0
            for (tp, fp) in zip(truePositives, falsePositives) {
                let r = tp / positives, p = tp + fp > 0 ? tp / (tp + fp) : 0
                sum += (r - previousRecall) * p
                previousRecall = r
                recall.append(r)
                precision.append(p)
            }
            averagePrecision = sum
        }
        recall.reverse()
        precision.reverse()
        recall.append(0)
        precision.append(1)
        // Calibration: ten bins on [0, 1] with numpy's linspace edges (i * 0.1); a score on an
        // inner edge goes to the lower bin (searchsorted on the inner edges).
        var sums = [Double](repeating: 0, count: bins), hits = [Double](repeating: 0, count: bins), counts = [Int](repeating: 0, count: bins)
        for (row, score) in scores.enumerated() where score.isFinite {
            var bin = 0
            while bin < bins - 1, score > Double(bin + 1) * (1 / Double(bins)) { bin += 1 }
            sums[bin] += score
            counts[bin] += 1
            if positive[row] { hits[bin] += 1 }
        }
        let filled = (0..<bins).filter { counts[$0] > 0 }
        let calibration = Curve(x: filled.map { sums[$0] / Double(counts[$0]) }, y: filled.map { hits[$0] / Double(counts[$0]) })
        return ClassCurves(label: label, roc: roc, rocAUC: rocAUC, precisionRecall: Curve(x: recall, y: precision), averagePrecision: averagePrecision,
                           calibration: calibration, calibrationCounts: filled.map { counts[$0] })
    }
}
