import type {HeatmapJson} from '../sim/heatmap/heatmap-grid.js'
import {HEATMAP_HTML_HEAD, HEATMAP_SVG_HEAD, heatmapSvg} from './heatmap-svg.js'
import {escapeHtml as esc} from './html-escape.js'

/**
 * The heatmap as one self-contained HTML page: the SVG inline, a table of every cell with the
 * command that reproduces its first failing seed, and the command that drew the map. No script,
 * no network.
 */
export function heatmapHtml(map: HeatmapJson, command: string): string {
  const title = `racelab heatmap: ${map.scenario}, ${map.seeds} seeds per cell`
  const svg = heatmapSvg(map, title).slice(HEATMAP_SVG_HEAD.length).trimStart()
  const rows = map.cells.map(
    (c) =>
      `<tr><td>${esc(c.strategy)}</td><td>${c.essays}</td><td>${c.skew}</td><td>${esc(c.bosRelay)}</td><td>${esc(c.fileRelay)}</td>` +
      `<td>${c.failures} of ${c.runs}</td><td><code>${esc(c.reproduce ?? '')}</code></td></tr>`,
  )
  return `${HEATMAP_HTML_HEAD}
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="racelab heatmap">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#1f2328;margin:0;padding:24px 32px}h1{font-size:22px}
table{border-collapse:collapse;margin-top:16px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}thead th{background:#f6f8fa}
code{font:12px ui-monospace,monospace}
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>Each cell is the share of seeds ${map.seedStart} to ${map.seedStart + map.seeds - 1} whose run violated an invariant. Columns: relay skew, BOS’s relay delay minus the File Service’s; rows: essays per batch. Hover over a cell for its delays and the command that reproduces its first failing seed.</p>
<pre><code>${esc(command)}</code></pre>
${svg}
<table><thead><tr><th>strategy</th><th>essays</th><th>skew (s)</th><th>BOS relay</th><th>File Service relay</th><th>failing seeds</th><th>first failing seed</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</body>
</html>
`
}
