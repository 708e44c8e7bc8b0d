import type {BusMessage} from '../bus/bus.js'

/**
 * Decides which of the messages ready at an ELS instance it takes next. Without a plan the
 * chooser decides; a fixture's explicit delivery order is a plan that names the next message
 * and waits until it can be fetched.
 */
export interface DeliveryPlan {
  /** Index into `ready`, or 'wait' when the next planned message is not among them. */
  choose(ready: readonly BusMessage[], chosenByChooser: number): number | 'wait'
  /** Called once the chosen message was handled and committed (or not). */
  delivered(message: BusMessage): void
  /**
   * After answering 'wait': `retry` makes that instance fetch again. A plan calls it when it moves
   * on, since the message it waited for may have been taken by another instance meanwhile.
   */
  onWait?(retry: () => void): void
}
