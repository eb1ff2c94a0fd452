import Engine
import Foundation
import Learn
import Tabular

/// The report's HTML: sections in reading order, each a heading, tables and charts.
struct ReportPage {
    var results: RunResults
    var diagnostics: ModelDiagnostics
    var data: TableSummary?

    func render() -> String {
        let sections = [summary(), tests(), leaderboard(), search(), testSplit(), importances(), dataSummary(), provenance()].compactMap { $0 }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(HTML.escape(results.experiment)) — runner report</title>
        <style>\(ReportStyle.css)</style>
        </head>
        <body>
        <header>
        <h1>\(HTML.escape(results.experiment))</h1>
        <p class="muted">runner report · run \(HTML.escape(results.runID)) · \(HTML.escape(results.started))</p>
        </header>
        <main>
        \(sections.joined(separator: "\n"))
        </main>
        </body>
        </html>

        """
    }

    // MARK: sections

    private func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)\" aria-labelledby=\"\(id)-heading\">\n<h2 id=\"\(id)-heading\">\(HTML.escape(title))</h2>\n\(body)\n</section>"
    }

    private func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], caption: String? = nil) -> String {
        var html = "<div class=\"scroll\"><table>"
        if let caption { html += "<caption>\(HTML.escape(caption))</caption>" }
        html += "<thead><tr>" + header.enumerated().map { "<th scope=\"col\"\(numeric.contains($0.offset) ? " class=\"num\"" : "")>\(HTML.escape($0.element))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>" + row.enumerated().map { "<td\(numeric.contains($0.offset) ? " class=\"num\"" : "")>\($0.element)</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></div>"
    }

    private func number(_ value: Double?) -> String { value.map { $0.isFinite ? String(format: "%.4f", $0) : Wording.number($0) } ?? "" }

    private func summary() -> String {
        let best = results.best
        let params = best.params.isEmpty ? "" : " {" + Wording.keyValues(best.params) + "}"
        let testMetrics = results.metrics.map { "<li><span>\(HTML.escape($0))</span> <strong>\(number(best.test.metrics[$0]))</strong></li>" }.joined()
        var testsCard = ""
        if let tests = results.tests {
            let failed = tests.filter { $0.passed == false }.count
            let status = failed == 0 ? "<strong class=\"pass\">all \(tests.count) passed</strong>" : "<strong class=\"fail\">\(failed) of \(tests.count) failed</strong>"
            testsCard = "<div class=\"card\"><h3>Model tests</h3><p>\(status)</p>\(results.failedTestsAllowed == true ? "<p class=\"fail\">packaged anyway (--allow-failed-tests)</p>" : "")</div>"
        }
        let rows = data.map { "\($0.rows) rows × \($0.columns.count) columns" } ?? "\(results.data.bytes) bytes"
        return section("summary", "Summary", """
            <div class="cards">
            <div class="card"><h3>Data</h3><p>\(HTML.escape((results.data.path as NSString).lastPathComponent))</p><p class="muted">\(rows)</p></div>
            <div class="card"><h3>Task</h3><p>\(HTML.escape(results.task.rawValue))</p><p class="muted">scored by \(HTML.escape(results.scoring)), \(results.candidates.count) candidates</p></div>
            <div class="card"><h3>Winner</h3><p>\(HTML.escape(best.model + params))</p><p class="muted">CV \(HTML.escape(results.scoring)) \(number(best.cv[results.scoring]))</p></div>
            <div class="card"><h3>Test split (\(best.test.rows) rows)</h3><ul class="metrics">\(testMetrics)</ul></div>
            \(testsCard)
            </div>
            """)
    }

    private func tests() -> String? {
        guard let tests = results.tests, !tests.isEmpty else { return nil }
        let rows = tests.map { test -> [String] in
            let status = test.passed == false ? "<span class=\"fail\">FAIL</span>" : "<span class=\"pass\">ok</span>"
            let checks = test.checks.map { HTML.escape($0.text) }.joined(separator: "<br>")
            let notes = test.notes.map { HTML.escape($0) }.joined(separator: "<br>")
            return [status, "\(test.number) \(HTML.escape(test.kind))", HTML.escape(test.title), checks + (notes.isEmpty ? "" : "<br><span class=\"muted\">\(notes)</span>")]
        }
        return section("tests", "Model tests", table(["", "test", "what", "measured"], rows))
    }

    private func leaderboard() -> String {
        let others = results.metrics.filter { $0 != results.scoring }
        let rows = results.candidates.sorted { $0.rank < $1.rank }.map { candidate -> [String] in
            let score = candidate.metrics[results.scoring]
            return ["\(candidate.rank)", HTML.escape(candidate.model), HTML.escape(Wording.keyValues(candidate.params, separator: " ")), number(score?.mean), number(score?.std)]
                + others.map { number(candidate.metrics[$0]?.mean) } + [String(format: "%.3f", candidate.fitSeconds.reduce(0, +))]
        }
        let numeric = Set([0] + Array(3..<(6 + others.count)))
        return section("leaderboard", "Leaderboard", table(["rank", "model", "params", "CV \(results.scoring)", "± std"] + others + ["fit s"], rows, numeric: numeric,
                                                           caption: "Cross-validated means over \(results.candidates.first?.metrics[results.scoring]?.folds.count ?? 0) folds, best first"))
    }

    /// CV score against each grid parameter (the best score at each value), and fold scores.
    private func search() -> String? {
        var charts: [String] = []
        let scoring = results.scoring
        for curve in results.parameterScores ?? [] {
            let points = curve.points.enumerated().map { (x: Double($0.offset), y: $0.element.mean) }
            let errors = curve.points.enumerated().map { (x: Double($0.offset), low: $0.element.mean - $0.element.std, high: $0.element.mean + $0.element.std) }
            let words = curve.points.map { "\($0.value): \(Wording.number($0.mean)) ± \(Wording.number($0.std))" }
            let plot = SVGPlot(title: "\(curve.model): CV \(scoring) by \(curve.parameter)",
                               description: "Best cross-validated \(scoring) at each value of \(curve.parameter) (mean ± std over folds): " + words.joined(separator: "; "),
                               xLabel: curve.parameter, yLabel: "CV \(scoring)", series: [.init(name: curve.model, points: points, line: true, dots: true, errors: errors)],
                               xCategories: curve.points.map(\.value))
            charts.append(plot.render(id: "grid-\(slug(curve.model))-\(slug(curve.parameter))"))
        }
        let top = results.candidates.sorted { $0.rank < $1.rank }.prefix(12)
        if let folds = top.first?.metrics[scoring]?.folds, !folds.isEmpty {
            let series = [SVGPlot.Series(name: "fold scores", points: top.enumerated().flatMap { index, candidate in
                (candidate.metrics[scoring]?.folds ?? []).map { (Double(index), $0) } }, line: false, dots: true)]
            let labels = top.map { "#\($0.rank) \($0.model)" }
            let words = top.map { "#\($0.rank) \($0.model) \(Wording.keyValues($0.params)): " + ($0.metrics[scoring]?.folds ?? []).map { Wording.number($0) }.joined(separator: ", ") }
            charts.append(SVGPlot(title: "Fold scores of the top \(top.count) candidates", description: "Each fold's \(scoring), by candidate rank. " + words.joined(separator: "; "),
                                  xLabel: "candidate (rank)", yLabel: scoring, series: series, xCategories: labels).render(id: "folds"))
        }
        guard !charts.isEmpty else { return nil }
        return section("search", "Search", "<div class=\"charts\">\(charts.joined(separator: "\n"))</div>")
    }

    private func testSplit() -> String {
        var parts: [String] = []
        if let classes = diagnostics.classes, let matrix = diagnostics.confusionMatrix {
            let description = "Confusion matrix on \(diagnostics.rows) test rows. " + classes.indices.map { row in
                "True \(classes[row]): " + classes.indices.map { "\(matrix[row][$0]) predicted \(classes[$0])" }.joined(separator: ", ")
            }.joined(separator: ". ")
            var charts = [SVGPlot.heatmap(id: "confusion", title: "Confusion matrix", description: description, labels: classes, matrix: matrix)]
            if let curves = diagnostics.curves {
                let suffix = curves.count == 1 ? " (positive class '\(curves[0].label)')" : " (each class against the rest)"
                charts.append(SVGPlot(title: "ROC curve" + suffix, description: "ROC AUC " + curves.map { "\($0.label) \($0.rocAUC.map { Wording.number($0) } ?? "undefined")" }.joined(separator: ", "),
                                      xLabel: "false positive rate", yLabel: "true positive rate",
                                      series: curves.map { .init(name: "\($0.label) (AUC \($0.rocAUC.map { Wording.number($0) } ?? "–"))", points: zip($0.roc.x, $0.roc.y).map { ($0, $1) }) },
                                      xRange: 0...1, yRange: 0...1, diagonal: true).render(id: "roc"))
                charts.append(SVGPlot(title: "Precision-recall curve" + suffix, description: "Average precision " + curves.map { "\($0.label) \($0.averagePrecision.map { Wording.number($0) } ?? "undefined")" }.joined(separator: ", "),
                                      xLabel: "recall", yLabel: "precision",
                                      series: curves.map { .init(name: "\($0.label) (AP \($0.averagePrecision.map { Wording.number($0) } ?? "–"))", points: zip($0.precisionRecall.x, $0.precisionRecall.y).map { ($0, $1) }) },
                                      xRange: 0...1, yRange: 0...1.02).render(id: "pr"))
                charts.append(SVGPlot(title: "Calibration" + suffix, description: "Observed share against mean predicted probability in ten bins: " + curves.map { curve in
                                          "\(curve.label): " + zip(curve.calibration.x, curve.calibration.y).map { "\(Wording.number($0)) → \(Wording.number($1))" }.joined(separator: ", ") }.joined(separator: "; "),
                                      xLabel: "mean predicted probability", yLabel: "observed share",
                                      series: curves.map { .init(name: $0.label, points: zip($0.calibration.x, $0.calibration.y).map { ($0, $1) }, line: true, dots: true) },
                                      xRange: 0...1, yRange: 0...1, diagonal: true).render(id: "calibration"))
            }
            parts.append("<div class=\"charts\">\(charts.joined(separator: "\n"))</div>")
            if let scores = diagnostics.classScores {
                let rows = scores.map { [HTML.escape($0.label), number($0.precision), number($0.recall), number($0.f1), "\($0.support)"] }
                parts.append(table(["class", "precision", "recall", "F1", "support"], rows, numeric: [1, 2, 3, 4], caption: "Per-class scores on the test split"))
            }
        }
        if let predicted = diagnostics.predicted, let actual = diagnostics.actual {
            let pairs = zip(predicted, actual).map { (x: $0.0, y: $0.1) }
            let residuals = zip(predicted, actual).map { (x: $0.0, y: $0.1 - $0.0) }
            let mae = zip(predicted, actual).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(max(1, predicted.count))
            let lows = pairs.map { min($0.x, $0.y) }, highs = pairs.map { max($0.x, $0.y) }
            let range = SVGPlot.padded((lows.min() ?? 0)...(highs.max() ?? 1), categories: false)
            let charts = [
                SVGPlot(title: "Predicted against actual", description: "\(pairs.count) test rows; points on the diagonal are exact; mean absolute error \(Wording.number(mae))",
                        xLabel: "predicted", yLabel: "actual", series: [.init(name: "", points: pairs, line: false, dots: true)], xRange: range, yRange: range, diagonal: true).render(id: "predicted-actual"),
                SVGPlot(title: "Residuals", description: "Actual minus predicted for \(residuals.count) test rows; largest \(Wording.number(residuals.map { abs($0.y) }.max() ?? 0))",
                        xLabel: "predicted", yLabel: "actual − predicted", series: [.init(name: "", points: residuals, line: false, dots: true)], zeroLine: true).render(id: "residuals"),
            ]
            parts.append("<div class=\"charts\">\(charts.joined(separator: "\n"))</div>")
        }
        return section("test-split", "Test split (\(diagnostics.rows) rows)", parts.joined(separator: "\n"))
    }

    private func importances() -> String? {
        if let skipped = diagnostics.importanceSkipped {
            return section("importance", "Permutation importance", "<p class=\"muted\">Not computed: \(HTML.escape(skipped)).</p>")
        }
        guard !diagnostics.importances.isEmpty else { return nil }
        let shown = Array(diagnostics.importances.prefix(20))
        let description = "Drop in \(diagnostics.importanceMetric) when each column is shuffled (\(diagnostics.importanceRepeats) repeats, test split): "
            + shown.map { "\($0.column) \(Wording.number($0.mean)) ± \(Wording.number($0.std))" }.joined(separator: ", ")
        let chart = SVGPlot.bars(id: "importance", title: "Permutation importance", description: description,
                                 axis: "drop in \(diagnostics.importanceMetric) (baseline \(Wording.number(diagnostics.importanceBaseline)))",
                                 labels: shown.map(\.column), values: shown.map(\.mean), errors: shown.map(\.std))
        let more = diagnostics.importances.count > shown.count ? "<p class=\"muted\">\(diagnostics.importances.count - shown.count) more columns not shown.</p>" : ""
        return section("importance", "Permutation importance", "<div class=\"charts\">\(chart)</div>" + more)
    }

    private func dataSummary() -> String? {
        guard let data else { return nil }
        func stat(_ value: Double?) -> String { value.map { Wording.number($0) } ?? "" }
        let rows = data.columns.map { column -> [String] in
            [HTML.escape(column.name), column.kind.rawValue, "\(column.missing)", "\(column.distinct)", stat(column.mean), stat(column.std), stat(column.min), stat(column.median), stat(column.max),
             HTML.escape(column.top.map { "\($0) (\(column.topCount ?? 0))" } ?? "")]
        }
        return section("data", "Data", table(["column", "type", "missing", "distinct", "mean", "std", "min", "median", "max", "top"], rows, numeric: [2, 3, 4, 5, 6, 7, 8],
                                             caption: "\(data.rows) rows after the spec's drops, as the run loaded them"))
    }

    private func provenance() -> String {
        let ran = results.stages.count - results.cachedStages
        let rows: [[String]] = [
            ["run", HTML.escape(results.runID)],
            ["started", HTML.escape(results.started)],
            ["spec", "\(HTML.escape(results.spec.path)) <code>sha256:\(results.spec.digest)</code>"],
            ["data", "\(HTML.escape(results.data.path)) (\(results.data.bytes) bytes) <code>sha256:\(results.data.digest)</code>"],
            ["runner", HTML.escape(results.runnerVersion)],
            ["stages", "\(results.stages.count) (\(ran) ran, \(results.cachedStages) cached) in \(String(format: "%.2f", results.seconds)) s"],
        ] + results.artifacts.keys.sorted().filter { !$0.hasPrefix("test-") }.map { ["artifact \(HTML.escape($0))", "<code>\(results.artifacts[$0]!.prefix(16))</code>"] }
        return section("provenance", "Provenance", table(["", ""], rows))
    }

    // MARK: helpers

    private func slug(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
