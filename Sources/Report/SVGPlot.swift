import Foundation
import Learn

/// Charts drawn as inline SVG by runner itself: no script, no network, styled by the page's
/// CSS (classes, so dark mode recolours them). Every chart carries a `<title>` and a
/// `<desc>` (its text alternative) and scales to its container through its viewBox.
struct SVGPlot {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        var line = true
        var dots = false
        /// Vertical error bars: (x, low, high).
        var errors: [(x: Double, low: Double, high: Double)] = []
    }

    var title: String
    /// The text alternative: what the chart shows, in words and numbers.
    var description: String
    var xLabel: String
    var yLabel: String
    var series: [Series] = []
    var xRange: ClosedRange<Double>?
    var yRange: ClosedRange<Double>?
    /// Labels for integer x positions (a categorical axis); nil: numeric ticks.
    var xCategories: [String]?
    /// A dashed reference line from (lower, lower) to (upper, upper).
    var diagonal = false
    /// A dashed reference line at y = 0 (residuals).
    var zeroLine = false

    static let width = 640.0, height = 400.0
    static let margin = (left: 64.0, right: 20.0, top: 16.0, bottom: 56.0)
    static let colorCount = 8

    func render(id: String) -> String {
        let all = series.flatMap { $0.points } + series.flatMap { $0.errors.flatMap { [(x: $0.x, y: $0.low), (x: $0.x, y: $0.high)] } }
        let xs = all.map(\.x).filter(\.isFinite), ys = all.map(\.y).filter(\.isFinite)
        let xDomain = xRange ?? Self.padded((xs.min() ?? 0)...(xs.max() ?? 1), categories: xCategories != nil)
        let yDomain = yRange ?? Self.padded((ys.min() ?? 0)...(ys.max() ?? 1), categories: false)
        let left = Self.margin.left, right = Self.width - Self.margin.right
        let top = Self.margin.top, bottom = Self.height - Self.margin.bottom
        func px(_ x: Double) -> Double { left + (x - xDomain.lowerBound) / max(1e-300, xDomain.upperBound - xDomain.lowerBound) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - yDomain.lowerBound) / max(1e-300, yDomain.upperBound - yDomain.lowerBound) * (bottom - top) }
        var body: [String] = []
        // Grid and axes.
        for tick in Self.ticks(yDomain) {
            body.append(#"<line class="grid" x1="\#(f(left))" x2="\#(f(right))" y1="\#(f(py(tick)))" y2="\#(f(py(tick)))"/>"#)
            body.append(#"<text class="tick" x="\#(f(left - 6))" y="\#(f(py(tick) + 4))" text-anchor="end">\#(HTML.escape(Self.label(tick)))</text>"#)
        }
        if let categories = xCategories {
            for (index, name) in categories.enumerated() {
                body.append(#"<text class="tick" x="\#(f(px(Double(index))))" y="\#(f(bottom + 18))" text-anchor="middle">\#(HTML.escape(Self.shortened(name, to: max(4, 60 / max(1, categories.count)))))</text>"#)
            }
        } else {
            for tick in Self.ticks(xDomain) {
                body.append(#"<line class="grid" x1="\#(f(px(tick)))" x2="\#(f(px(tick)))" y1="\#(f(top))" y2="\#(f(bottom))"/>"#)
                body.append(#"<text class="tick" x="\#(f(px(tick)))" y="\#(f(bottom + 18))" text-anchor="middle">\#(HTML.escape(Self.label(tick)))</text>"#)
            }
        }
        body.append(#"<line class="axis" x1="\#(f(left))" x2="\#(f(right))" y1="\#(f(bottom))" y2="\#(f(bottom))"/>"#)
        body.append(#"<line class="axis" x1="\#(f(left))" x2="\#(f(left))" y1="\#(f(top))" y2="\#(f(bottom))"/>"#)
        body.append(#"<text class="label" x="\#(f((left + right) / 2))" y="\#(f(Self.height - 12))" text-anchor="middle">\#(HTML.escape(xLabel))</text>"#)
        body.append(#"<text class="label" transform="translate(16 \#(f((top + bottom) / 2))) rotate(-90)" text-anchor="middle">\#(HTML.escape(yLabel))</text>"#)
        if zeroLine, yDomain.contains(0) {
            body.append(#"<line class="reference" x1="\#(f(left))" x2="\#(f(right))" y1="\#(f(py(0)))" y2="\#(f(py(0)))"/>"#)
        }
        if diagonal {
            let low = max(xDomain.lowerBound, yDomain.lowerBound), high = min(xDomain.upperBound, yDomain.upperBound)
            body.append(#"<line class="reference" x1="\#(f(px(low)))" y1="\#(f(py(low)))" x2="\#(f(px(high)))" y2="\#(f(py(high)))"/>"#)
        }
        for (index, item) in series.enumerated() {
            let color = "c\(index % Self.colorCount)"
            let points = Self.thinned(item.points.filter { $0.x.isFinite && $0.y.isFinite }, to: 600)
            for error in item.errors where error.low.isFinite && error.high.isFinite {
                body.append(#"<line class="err \#(color)" x1="\#(f(px(error.x)))" x2="\#(f(px(error.x)))" y1="\#(f(py(error.low)))" y2="\#(f(py(error.high)))"/>"#)
            }
            if item.line, points.count > 1 {
                let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                body.append(#"<polyline class="line \#(color)" points="\#(path)"><title>\#(HTML.escape(item.name))</title></polyline>"#)
            }
            if item.dots || points.count == 1 {
                for point in points {
                    body.append(#"<circle class="dot \#(color)" cx="\#(f(px(point.x)))" cy="\#(f(py(point.y)))" r="3.5"><title>\#(HTML.escape("\(item.name): \(Self.label(point.x)), \(Self.label(point.y))"))</title></circle>"#)
                }
            }
        }
        let legend = series.count > 1 || (series.first.map { !$0.name.isEmpty } ?? false)
            ? #"<ul class="legend">"# + series.enumerated().map { #"<li><span class="swatch c\#($0.offset % Self.colorCount)"></span>\#(HTML.escape($0.element.name))</li>"# }.joined() + "</ul>"
            : ""
        return Self.figure(id: id, title: title, description: description, width: Self.width, height: Self.height, body: body.joined(separator: "\n"), after: legend)
    }

    /// A figure around an SVG body: heading, title and desc for assistive technology.
    static func figure(id: String, title: String, description: String, width: Double, height: Double, body: String, after: String = "") -> String {
        """
        <figure class="chart">
        <svg viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="\(id)-title \(id)-desc" xmlns="http://www.w3.org/2000/svg">
        <title id="\(id)-title">\(HTML.escape(title))</title>
        <desc id="\(id)-desc">\(HTML.escape(description))</desc>
        \(body)
        </svg>
        <figcaption>\(HTML.escape(title))</figcaption>\(after)
        </figure>
        """
    }

    /// Horizontal bars with error whiskers (permutation importances).
    static func bars(id: String, title: String, description: String, axis: String, labels: [String], values: [Double], errors: [Double]) -> String {
        let rowHeight = 22.0, left = 170.0, right = 600.0, top = 10.0
        let height = top + Double(labels.count) * rowHeight + 44
        let low = min(0, values.enumerated().map { $0.element - errors[$0.offset] }.min() ?? 0)
        let high = max(0, values.enumerated().map { $0.element + errors[$0.offset] }.max() ?? 0)
        let domain = padded(low...high, categories: false)
        func px(_ x: Double) -> Double { left + (x - domain.lowerBound) / max(1e-300, domain.upperBound - domain.lowerBound) * (right - left) }
        var body: [String] = []
        let bottom = top + Double(labels.count) * rowHeight
        for tick in ticks(domain) {
            body.append(#"<line class="grid" x1="\#(f(px(tick)))" x2="\#(f(px(tick)))" y1="\#(f(top))" y2="\#(f(bottom))"/>"#)
            body.append(#"<text class="tick" x="\#(f(px(tick)))" y="\#(f(bottom + 16))" text-anchor="middle">\#(HTML.escape(label(tick)))</text>"#)
        }
        for (index, name) in labels.enumerated() {
            let y = top + Double(index) * rowHeight
            let start = px(min(0, values[index])), end = px(max(0, values[index]))
            body.append(#"<text class="tick" x="\#(f(left - 8))" y="\#(f(y + 15))" text-anchor="end">\#(HTML.escape(shortened(name, to: 24)))</text>"#)
            body.append(#"<rect class="bar c0" x="\#(f(start))" y="\#(f(y + 4))" width="\#(f(max(0.5, end - start)))" height="\#(f(rowHeight - 8))"><title>\#(HTML.escape("\(name): \(Wording.number(values[index])) ± \(Wording.number(errors[index]))"))</title></rect>"#)
            if errors[index] > 0 {
                body.append(#"<line class="err" x1="\#(f(px(values[index] - errors[index])))" x2="\#(f(px(values[index] + errors[index])))" y1="\#(f(y + rowHeight / 2))" y2="\#(f(y + rowHeight / 2))"/>"#)
            }
        }
        body.append(#"<line class="axis" x1="\#(f(px(0)))" x2="\#(f(px(0)))" y1="\#(f(top))" y2="\#(f(bottom))"/>"#)
        body.append(#"<text class="label" x="\#(f((left + right) / 2))" y="\#(f(height - 6))" text-anchor="middle">\#(HTML.escape(axis))</text>"#)
        return figure(id: id, title: title, description: description, width: 640, height: height, body: body.joined(separator: "\n"))
    }

    /// A confusion matrix: rows true, columns predicted; cells shaded by the row's share.
    static func heatmap(id: String, title: String, description: String, labels: [String], matrix: [[Int]]) -> String {
        let count = labels.count
        let cell = min(90.0, 440.0 / Double(max(1, count))), left = 150.0, top = 40.0
        let width = left + cell * Double(count) + 20, height = top + cell * Double(count) + 60
        var body: [String] = []
        for (row, values) in matrix.enumerated() {
            let total = max(1, values.reduce(0, +))
            for (column, value) in values.enumerated() {
                let share = Double(value) / Double(total)
                let x = left + Double(column) * cell, y = top + Double(row) * cell
                let level = min(9, Int((share * 9).rounded()))
                body.append(#"<rect class="cell h\#(level)" x="\#(f(x))" y="\#(f(y))" width="\#(f(cell - 2))" height="\#(f(cell - 2))"><title>\#(HTML.escape("true \(labels[row]), predicted \(labels[column]): \(value) (\(Wording.number(share * 100))% of the row)"))</title></rect>"#)
                body.append(#"<text class="cellText\#(level >= 5 ? " strong" : "")" x="\#(f(x + cell / 2 - 1))" y="\#(f(y + cell / 2 + 4))" text-anchor="middle">\#(value)</text>"#)
            }
            body.append(#"<text class="tick" x="\#(f(left - 8))" y="\#(f(top + Double(row) * cell + cell / 2 + 4))" text-anchor="end">\#(HTML.escape(shortened(labels[row], to: 18)))</text>"#)
        }
        for (column, name) in labels.enumerated() {
            body.append(#"<text class="tick" x="\#(f(left + Double(column) * cell + cell / 2))" y="\#(f(top - 8))" text-anchor="middle">\#(HTML.escape(shortened(name, to: max(4, Int(cell / 8)))))</text>"#)
        }
        body.append(#"<text class="label" x="\#(f(left + cell * Double(count) / 2))" y="\#(f(16))" text-anchor="middle">predicted</text>"#)
        body.append(#"<text class="label" x="\#(f(left + cell * Double(count) / 2))" y="\#(f(height - 20))" text-anchor="middle">rows: true class</text>"#)
        return figure(id: id, title: title, description: description, width: width, height: height, body: body.joined(separator: "\n"))
    }

    // MARK: scales

    static func padded(_ range: ClosedRange<Double>, categories: Bool) -> ClosedRange<Double> {
        if categories { return (range.lowerBound - 0.5)...(range.upperBound + 0.5) }
        let span = range.upperBound - range.lowerBound
        if span <= 0 || !span.isFinite {
            let pad = range.lowerBound == 0 ? 1 : abs(range.lowerBound) * 0.1
            return (range.lowerBound - pad)...(range.upperBound + pad)
        }
        return (range.lowerBound - span * 0.05)...(range.upperBound + span * 0.05)
    }

    /// About five round ticks inside the range, each a whole number of steps computed as
    /// integer / power of ten (so 3 × 0.2 is 0.6, not 0.6000000000000001).
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 5, exponent = floor(log10(raw)), magnitude = pow(10, exponent)
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? raw
        // Steps are 1, 2, 2.5 or 5 times a power of ten: two more decimals than the power hold them.
        let scale = pow(10, max(0, 2 - exponent))
        let units = (step * scale).rounded()
        var ticks: [Double] = []
        var index = (range.lowerBound / step * (1 - 1e-12)).rounded(.up)
        while ticks.count < 12 {
            let value = index * units / scale
            if value > range.upperBound + step * 1e-9 { break }
            if value >= range.lowerBound - step * 1e-9 { ticks.append(value == 0 ? 0 : value) }
            index += 1
        }
        return ticks
    }

    static func label(_ value: Double) -> String { Wording.number(value) }

    static func shortened(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(max(1, length - 1))) + "…"
    }

    /// At most `limit` points, evenly picked, first and last kept (long curves stay small).
    static func thinned(_ points: [(x: Double, y: Double)], to limit: Int) -> [(x: Double, y: Double)] {
        guard points.count > limit, limit > 2 else { return points }
        let step = Double(points.count - 1) / Double(limit - 1)
        return (0..<limit).map { points[Int((Double($0) * step).rounded())] }
    }
}

/// Coordinates with two decimals: enough for a 640-wide viewBox, and small.
func f(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
}

/// Markup escaping for the report's HTML and SVG (the same rules as the JUnit XML's).
enum HTML {
    static func escape(_ text: String) -> String { JUnitReport.escape(text) }
}
