import {afterEach, describe, expect, it} from 'vitest'

import {IdSource} from '../../../src/sim/domain/ids.js'
import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {Simulation} from '../../../src/sim/kernel/simulation.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {fixed} from '../../../src/sim/scenario/delay.js'
import type {Scenario} from '../../../src/sim/scenario/scenario.js'
import {Bos} from '../../../src/sim/services/bos.js'
import {FileService} from '../../../src/sim/services/file-service.js'
import {startClient} from '../../../src/sim/process/client.js'
import {kernelClock} from '../../../src/sim/simulated/kernel-clock.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

describe('startClient', () => {
  const toClose: {close(): void}[] = []

  afterEach(() => {
    while (toClose.length > 0) toClose.pop()?.close()
  })

  function setup(change: (s: Scenario) => Scenario) {
    const sim = new Simulation(new Chooser(seededSource(1)))
    const scenario = change(BUILTIN_SCENARIOS.get('registration-first')!.build(sim.chooser, {}))
    const ids = new IdSource(1)
    const bos = new Bos(ids)
    const files = new FileService(ids, bos)
    toClose.push(bos, files)
    const trace: TraceEvent[] = []
    const hooks = {bos: 0, file: 0, done: 0}
    startClient({
      clock: kernelClock(sim),
      chooser: sim.chooser,
      scenario,
      bos,
      files,
      trace: (e) => trace.push(e),
      hooks: {bosCommitted: () => hooks.bos++, fileCommitted: () => hooks.file++, done: () => hooks.done++},
    })
    return {sim, bos, files, trace, hooks}
  }

  it('registers each batch, then uploads its files after the registration, with fixed timings', () => {
    // Given two batches of 2 essays, fixed gaps and processing times
    const {sim, bos, files, trace, hooks} = setup((s) => ({
      ...s,
      batches: 2,
      batchGap: fixed(100),
      uploadGap: fixed(10),
      processing: () => fixed(1000),
    }))

    // When
    sim.run(1_000_000)

    // Then
    expect(bos.batches()).toEqual([
      {batchId: 'b1', expectedEssays: 2, committedAt: 100},
      {batchId: 'b2', expectedEssays: 2, committedAt: 200},
    ])
    expect(files.uploads().map((u) => [u.fileUploadId, u.committedAt, u.valid])).toEqual([
      ['b1-f1', 1110, true],
      ['b1-f2', 1120, true],
      ['b2-f1', 1210, true],
      ['b2-f2', 1220, true],
    ])
    expect(hooks).toEqual({bos: 2, file: 4, done: 1}) // done once, after the last file was committed
    expect(trace.filter((e) => e.ev === 'upload-accepted').map((e) => e.t)).toEqual([110, 120, 210, 220])
  })

  it('uploads extra files and marks invalid files', () => {
    // Given one extra file and file 1 invalid
    const {sim, files} = setup((s) => ({...s, extraFiles: 1, invalidFiles: [1]}))

    // When
    sim.run(1_000_000)

    // Then
    expect(files.uploads().map((u) => [u.fileUploadId, u.valid])).toEqual(
      expect.arrayContaining([
        ['b1-f1', true],
        ['b1-f2', false],
        ['b1-f3', true],
      ]),
    )
    expect(files.uploads()).toHaveLength(3)
  })

  it('uploads fewer files than essays when extraFiles is negative, never fewer than none', () => {
    // Given
    const fewer = setup((s) => ({...s, extraFiles: -1}))
    const none = setup((s) => ({...s, extraFiles: -5}))

    // When
    fewer.sim.run(1_000_000)
    none.sim.run(1_000_000)

    // Then
    expect(fewer.files.uploads()).toHaveLength(1)
    expect(none.files.uploads()).toHaveLength(0)
    expect(none.bos.batches()).toHaveLength(1)
  })
})
