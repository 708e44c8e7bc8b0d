import {describe, expect, it} from 'vitest'

import {svgDocument} from '../../src/export/svg-document.js'

describe('svgDocument', () => {
  it('is the root element, sized and labelled, then the parts one per line', () => {
    // When
    const svg = svgDocument({className: 'curve', width: 720, height: 260, label: 'a curve'}, ['<line/>', '<text>1</text>'])
    // Then
    expect(svg).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" class="curve" width="720" height="260" viewBox="0 0 720 260" role="img" aria-label="a curve">\n<line/>\n<text>1</text>\n</svg>',
    )
  })

  it('escapes the label: a title from the run stays valid XML', () => {
    // When
    const svg = svgDocument({className: 'heatmap', width: 1, height: 1, label: 'racelab heatmap: "a" & <b>'}, [])
    // Then
    expect(svg).toContain('aria-label="racelab heatmap: &quot;a&quot; &amp; &lt;b&gt;"')
  })
})
