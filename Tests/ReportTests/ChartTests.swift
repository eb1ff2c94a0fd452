import Foundation
import XCTest
@testable import Report

/// The report's drawing and escaping: round ticks, thinning that keeps the ends, charts that
/// carry their title and text alternative, markup that survives hostile names.
final class ChartTests: XCTestCase {
    func testTicksAreRoundAndInsideTheRange() {
        XCTAssertEqual(SVGPlot.ticks(0...1), [0, 0.2, 0.4, 0.6, 0.8, 1])
        let fine = SVGPlot.ticks(0.95...1)
        XCTAssertEqual(fine.count, 6, "\(fine)")
        XCTAssertEqual(fine, [0.95, 0.96, 0.97, 0.98, 0.99, 1])
        for range in [0.0...1, -3...17, 1e-6...3e-6, 1500...9800, -0.5...(-0.1)] {
            let ticks = SVGPlot.ticks(range)
            XCTAssertGreaterThanOrEqual(ticks.count, 2, "\(range)")
            XCTAssertLessThanOrEqual(ticks.count, 12, "\(range)")
            for tick in ticks { XCTAssertTrue(range.contains(tick) || abs(tick - range.upperBound) < 1e-9 * max(1, abs(range.upperBound)), "\(tick) in \(range)") }
        }
        XCTAssertEqual(SVGPlot.ticks(3...3), [3], "a flat range still gets a tick")
    }

    func testThinningKeepsBothEndsAndTheLimit() {
        let points = (0..<10_000).map { (x: Double($0), y: Double($0 % 7)) }
        let thinned = SVGPlot.thinned(points, to: 600)
        XCTAssertEqual(thinned.count, 600)
        XCTAssertEqual(thinned.first?.x, 0)
        XCTAssertEqual(thinned.last?.x, 9_999)
        XCTAssertEqual(SVGPlot.thinned(Array(points.prefix(5)), to: 600).count, 5)
    }

    func testChartsCarryTitleAndTextAlternative() {
        let plot = SVGPlot(title: "ROC <curve>", description: "AUC 0.9 & more", xLabel: "fpr", yLabel: "tpr",
                           series: [.init(name: "a", points: [(0, 0), (0.5, 0.8), (1, 1)])], xRange: 0...1, yRange: 0...1, diagonal: true)
        let svg = plot.render(id: "roc")
        XCTAssertTrue(svg.contains(#"role="img" aria-labelledby="roc-title roc-desc""#), svg)
        XCTAssertTrue(svg.contains("<title id=\"roc-title\">ROC &lt;curve&gt;</title>"), svg)
        XCTAssertTrue(svg.contains("<desc id=\"roc-desc\">AUC 0.9 &amp; more</desc>"), svg)
        XCTAssertTrue(svg.contains("<polyline class=\"line c0\""), svg)
        XCTAssertTrue(svg.contains("class=\"reference\""), "the diagonal is drawn")
        let heat = SVGPlot.heatmap(id: "cm", title: "Confusion", description: "d", labels: ["a", "b"], matrix: [[3, 1], [0, 4]])
        XCTAssertEqual(heat.components(separatedBy: "<rect class=\"cell").count - 1, 4)
        let bars = SVGPlot.bars(id: "imp", title: "Importance", description: "d", axis: "drop", labels: ["x", "y"], values: [0.2, -0.01], errors: [0.01, 0])
        XCTAssertEqual(bars.components(separatedBy: "<rect class=\"bar").count - 1, 2)
    }

    func testMarkupEscapingSurvivesHostileNames() {
        XCTAssertEqual(HTML.escape(#"<script>alert("x")</script> & 'y'"#), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;")
        // Characters XML 1.0 forbids (a NUL in a class name from the data) become U+FFFD, so the JUnit file still parses.
        XCTAssertEqual(JUnitReport.escape("a\u{0}b\u{1F}c\nd"), "a\u{FFFD}b\u{FFFD}c\nd")
        XCTAssertEqual(f(1.0), "1")
        XCTAssertEqual(f(1.006), "1.01")
        XCTAssertEqual(f(.nan), "0", "a coordinate is never NaN in the SVG")
    }
}
