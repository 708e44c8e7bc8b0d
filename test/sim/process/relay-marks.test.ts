import {describe, expect, it} from 'vitest'

import {RelayMarks} from '../../../src/sim/process/relay-marks.js'

const BOS = 0
const FILE = 1

describe('RelayMarks', () => {
  it('keeps the first send of each row, sorted, and two services’ rows of one id apart', () => {
    // Given a coordinated relay sending BOS's row 1 and the File Service's row 1, then File's row 1 again
    const marks = new RelayMarks()
    marks.sent(2, FILE, 50)
    marks.sent(1, BOS, 30)
    marks.sent(1, FILE, 10)
    marks.sent(1, FILE, 70)
    // When / Then: three rows, each at its first send, in time order
    expect(marks.times()).toEqual([10, 30, 50])
  })

  it('forgets only the row of that id sent last when the relay crashes after the ack', () => {
    // Given BOS's row 1, then File's row 1, and a crash on row 1
    const marks = new RelayMarks()
    marks.sent(1, BOS, 5)
    marks.sent(1, FILE, 6)
    // When
    marks.lost(1)
    // Then File's row 1 waits to be sent again; BOS's stays published
    expect(marks.times()).toEqual([5])
    // And its send after the restart is the one that counts
    marks.sent(1, FILE, 40)
    expect(marks.times()).toEqual([5, 40])
  })

  it('ignores a crash on a row it never sent', () => {
    // Given
    const marks = new RelayMarks()
    marks.sent(3, FILE, 9)
    // When
    marks.lost(4)
    // Then
    expect(marks.times()).toEqual([9])
  })
})
