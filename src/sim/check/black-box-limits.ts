import {INVARIANTS, type InvariantName} from './invariant.js'

/** An invariant a black-box run cannot judge, or judges only in part, and why. */
export interface Unjudged {
  invariant: InvariantName
  judged: 'no' | 'partly'
  why: string
}

/**
 * What the topics alone cannot show about a consumer that ran elsewhere (`--els external`,
 * docs/black-box.md): its database, its process memory and its outbox are not racelab's to read.
 * Every other invariant is judged from BOS's and the File Service's ground truth and the records
 * on the six topics. `elsRowsNamed`: some of ELS's records carried an `outbox_row` header.
 */
export function blackBoxLimits({elsRowsNamed}: {elsRowsNamed: boolean}): Unjudged[] {
  const limits: Unjudged[] = [
    {
      invariant: 'no-lost-content',
      judged: 'partly',
      why: 'content is judged from the messages; a validation failure ELS never counted is not on its topics (the batch never ready is ready-exactly-once), and content still buffered at the end counts as dropped',
    },
    {
      invariant: 'failures-counted-once',
      judged: 'no',
      why: 'ELS’s failed count is in its own database; a failure counted twice shows only as an early BatchEssaysReady (ready-when-complete)',
    },
  ]
  if (!elsRowsNamed) {
    limits.push({
      invariant: 'ready-after-assignments',
      judged: 'no',
      why: 'ELS’s records carry no outbox_row header, so their commit order is unknown (a Ready and its assignments travel on different topics)',
    })
    limits.push({
      invariant: 'relay-commit-order',
      judged: 'partly',
      why: 'judged for BOS’s and the File Service’s relays; ELS’s records carry no outbox_row header',
    })
  }
  limits.push(
    {invariant: 'metrics-agree', judged: 'no', why: 'ELS’s buffer metrics live in its own process'},
    {
      invariant: 'outbox-drained',
      judged: 'partly',
      why: 'judged for BOS’s and the File Service’s outboxes; ELS’s outbox is in its own database (a row it never published shows as an output missing)',
    },
  )
  return limits.sort((a, b) => INVARIANTS.indexOf(a.invariant) - INVARIANTS.indexOf(b.invariant))
}
