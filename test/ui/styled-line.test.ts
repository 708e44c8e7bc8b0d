import {describe, expect, it} from 'vitest'

import {colorFor, paint} from '../../src/ui/styled-line.js'

describe('colorFor', () => {
  it('colours a terminal, not a pipe, and lets FORCE_COLOR and NO_COLOR decide first', () => {
    expect(colorFor({isTTY: true}, {})).toBe(true)
    expect(colorFor({isTTY: false}, {})).toBe(false)
    expect(colorFor({isTTY: true}, {TERM: 'dumb'})).toBe(false)
    expect(colorFor({isTTY: true}, {NO_COLOR: '1'})).toBe(false)
    expect(colorFor({isTTY: false}, {FORCE_COLOR: '1'})).toBe(true)
    expect(colorFor({isTTY: true}, {FORCE_COLOR: '0'})).toBe(false)
  })
})

describe('paint', () => {
  it('wraps a styled line in its escape codes and leaves plain and empty lines alone', () => {
    expect(paint({text: 'x', tone: 'dim'}, true)).toBe('\u001B[2mx\u001B[22m')
    expect(paint({text: 'x', tone: 'dim'}, false)).toBe('x')
    expect(paint({text: 'x'}, true)).toBe('x')
    expect(paint({text: '', tone: 'bold'}, true)).toBe('')
  })
})
