/// The report's stylesheet: light and dark (`prefers-color-scheme`), one column on a phone,
/// charts side by side from tablet width; no web fonts, nothing fetched.
enum ReportStyle {
    static let css = """
    :root{--bg:#ffffff;--fg:#1b1f24;--muted:#5b6470;--card:#f4f6f8;--grid:#e3e7ec;--accent:#2f6fb3;--pass:#1a7f37;--fail:#c62828;
    --c0:#2f6fb3;--c1:#e8772e;--c2:#2e9c6a;--c3:#c9413f;--c4:#7d5bb5;--c5:#8c6239;--c6:#d45fa0;--c7:#6b7b8c}
    @media (prefers-color-scheme: dark){:root{--bg:#121417;--fg:#e6e8eb;--muted:#a0a8b3;--card:#1d2126;--grid:#2c323a;--accent:#6aa7e8;--pass:#57c77a;--fail:#ff6b6b;
    --c0:#6aa7e8;--c1:#f5a05a;--c2:#5fcf9a;--c3:#f07b78;--c4:#b39ae6;--c5:#c9a27a;--c6:#f08cc4;--c7:#a3b1bf}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
    header,main{max-width:1200px;margin:0 auto;padding:0 16px}
    header{padding-top:20px}
    h1{font-size:1.7rem;margin:0 0 4px}
    h2{font-size:1.25rem;margin:32px 0 12px;border-bottom:1px solid var(--grid);padding-bottom:4px}
    h3{font-size:.9rem;margin:0 0 6px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.03em}
    p{margin:4px 0}
    .muted{color:var(--muted)}
    .pass{color:var(--pass)}
    .fail{color:var(--fail)}
    code{font-size:.85em;word-break:break-all}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:12px}
    .card{background:var(--card);border-radius:8px;padding:12px 14px}
    .card p{overflow-wrap:anywhere}
    ul.metrics{list-style:none;margin:0;padding:0}
    ul.metrics li{display:flex;justify-content:space-between;gap:8px}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:16px}
    figure.chart{margin:0;background:var(--card);border-radius:8px;padding:8px}
    .charts>figure.chart:only-child{max-width:760px}
    figure.chart svg{width:100%;height:auto;display:block}
    figcaption{font-size:.9rem;color:var(--muted);padding:4px 6px 0}
    ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;margin:4px 6px;padding:0;font-size:.85rem}
    .swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
    .scroll{overflow-x:auto}
    table{border-collapse:collapse;width:100%;font-size:.9rem;margin:8px 0}
    caption{text-align:left;color:var(--muted);padding:4px 0}
    th,td{padding:5px 8px;border-bottom:1px solid var(--grid);text-align:left;vertical-align:top}
    th{font-weight:600}
    .num{text-align:right;font-variant-numeric:tabular-nums}
    svg text{font-family:system-ui,sans-serif}
    .grid{stroke:var(--grid);stroke-width:1}
    .axis{stroke:var(--muted);stroke-width:1}
    .reference{stroke:var(--muted);stroke-width:1;stroke-dasharray:4 4}
    .tick{font-size:12px;fill:var(--muted)}
    .label{font-size:13px;fill:var(--fg)}
    .line{fill:none;stroke-width:2}
    .dot{stroke:none;fill-opacity:.85}
    .err{stroke:var(--muted);stroke-width:1.5}
    .bar{stroke:none}
    .cell{fill:var(--accent)}
    .h0{fill-opacity:.04}.h1{fill-opacity:.12}.h2{fill-opacity:.2}.h3{fill-opacity:.3}.h4{fill-opacity:.4}
    .h5{fill-opacity:.5}.h6{fill-opacity:.6}.h7{fill-opacity:.7}.h8{fill-opacity:.8}.h9{fill-opacity:.92}
    .cellText{font-size:13px;fill:var(--fg)}
    .cellText.strong{fill:var(--bg);font-weight:600}
    .c0{stroke:var(--c0);fill:var(--c0)}.c1{stroke:var(--c1);fill:var(--c1)}.c2{stroke:var(--c2);fill:var(--c2)}.c3{stroke:var(--c3);fill:var(--c3)}
    .c4{stroke:var(--c4);fill:var(--c4)}.c5{stroke:var(--c5);fill:var(--c5)}.c6{stroke:var(--c6);fill:var(--c6)}.c7{stroke:var(--c7);fill:var(--c7)}
    .line.c0,.line.c1,.line.c2,.line.c3,.line.c4,.line.c5,.line.c6,.line.c7{fill:none}
    .swatch.c0{background:var(--c0)}.swatch.c1{background:var(--c1)}.swatch.c2{background:var(--c2)}.swatch.c3{background:var(--c3)}
    .swatch.c4{background:var(--c4)}.swatch.c5{background:var(--c5)}.swatch.c6{background:var(--c6)}.swatch.c7{background:var(--c7)}
    .err.c0,.err.c1,.err.c2,.err.c3,.err.c4,.err.c5,.err.c6,.err.c7{fill:none}
    @media (max-width:600px){body{font-size:14px}h1{font-size:1.4rem}th,td{padding:4px 5px}}
    """
}
