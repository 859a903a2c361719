package chart

// css is the stylesheet of the chart classes: light colours by default,
// dark ones under prefers-color-scheme or a data-theme="dark" ancestor.
const css = `.pwchart{width:100%;height:auto;max-width:100%;font-family:system-ui,sans-serif}
.pwchart .title,.pwchart .overall,.pwchart .legend,.pwchart .lane-name{fill:#444}
.pwchart .axis{fill:#666}
.pwchart .axis .grid{stroke:#e6e6e6}
.pwchart .axis .baseline,.pwchart .frame{stroke:#bbb}
.pwchart .nodata{fill:#888}
.pwchart .p50{stroke:#2b7bd6}
.pwchart circle.p50{fill:#2b7bd6;stroke:none}
.pwchart .p95{stroke:#e8871e}
.pwchart circle.p95{fill:#e8871e;stroke:none}
.pwchart .hit{fill:transparent}
.pwchart .hit:hover{fill:rgba(128,128,128,.18)}
.pwchart .bar-ok{fill:#2e9d4f}
.pwchart .bar-warn{fill:#e3a21a}
.pwchart .bar-bad{fill:#d64040}
.pwchart .bar-none{fill:#d0d0d0}
.pwchart .lane-bg{fill:#f4f4f4}
.pwchart .seg-open{fill:#2e9d4f}
.pwchart .seg-closed{fill:#9e9e9e}
.pwchart .seg-filtered{fill:#e3a21a}
.pwchart .seg-unknown{fill:#e6e6e6}
.pwchart .hatch-bg{fill:#f6dca0}
.pwchart .hatch-line{stroke:#e3a21a}
.pwchart rect[class^="bar-"]:hover,.pwchart .seg:hover{opacity:.8}
@media (prefers-color-scheme:dark){
.pwchart .title,.pwchart .overall,.pwchart .legend,.pwchart .lane-name{fill:#ddd}
.pwchart .axis{fill:#aaa}
.pwchart .axis .grid{stroke:#3a3a3a}
.pwchart .axis .baseline,.pwchart .frame{stroke:#666}
.pwchart .nodata{fill:#999}
.pwchart .p50{stroke:#5aa2f0}
.pwchart circle.p50{fill:#5aa2f0}
.pwchart .p95{stroke:#f2a04a}
.pwchart circle.p95{fill:#f2a04a}
.pwchart .bar-none,.pwchart .seg-unknown{fill:#4a4a4a}
.pwchart .lane-bg{fill:#2a2a2a}
.pwchart .seg-closed{fill:#777}
.pwchart .hatch-bg{fill:#6b5520}
}
[data-theme="dark"] .pwchart .title,[data-theme="dark"] .pwchart .overall,[data-theme="dark"] .pwchart .legend,[data-theme="dark"] .pwchart .lane-name{fill:#ddd}
[data-theme="dark"] .pwchart .axis{fill:#aaa}
[data-theme="dark"] .pwchart .axis .grid{stroke:#3a3a3a}
[data-theme="dark"] .pwchart .bar-none,[data-theme="dark"] .pwchart .seg-unknown{fill:#4a4a4a}
[data-theme="dark"] .pwchart .lane-bg{fill:#2a2a2a}
[data-theme="dark"] .pwchart .hatch-bg{fill:#6b5520}
`

// CSS returns the stylesheet rules for the chart classes (p50, p95, bar-ok,
// bar-warn, bar-bad, bar-none, seg-open, seg-closed, seg-filtered,
// seg-openfiltered, seg-unknown, axis ...), scoped to svg.pwchart. Include
// it once per page; dark mode follows prefers-color-scheme or a
// data-theme="dark" attribute on an ancestor.
func CSS() string { return css }
