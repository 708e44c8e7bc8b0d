/**
 * racelab as a package: the types a team's own ELS handler is written against
 * (docs/handlers.md). The CLI is `racelab`; nothing here runs anything.
 */
export type {
  BatchEssaysRegistered,
  ElsContext,
  ElsDatabase,
  ElsEmitted,
  ElsHandler,
  ElsHandlerConfig,
  ElsHandlerDefinition,
  ElsReadContext,
  ElsStatement,
  EssayContentProvisioned,
  EssayValidationFailed,
  SqlValue,
} from './sim/consumer/els-handler.js'
export type {DataOf, Envelope, EnvelopeOf, EventType, ExcessReason, ValidationErrorCode} from './sim/domain/events.js'
export type {Micros} from './sim/kernel/time.js'
