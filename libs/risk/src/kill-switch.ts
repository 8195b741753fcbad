import { RiskInputError } from './limits';

/** Who flipped the kill switch, why and when. */
export interface KillSwitchAction {
  /** operator or component, e.g. `ops:alice` or `breaker-monitor` */
  by: string;
  reason: string;
  /** epoch ms */
  atMs: number;
}

/** One engage/disengage, kept in {@link KillSwitch.history}. */
export interface KillSwitchEvent extends KillSwitchAction {
  action: 'engage' | 'disengage';
}

/**
 * Kill switch: while engaged, the {@link RiskGate} rejects every order and lists the open orders to cancel.
 * Engaging and disengaging both need a non-empty `by` and `reason`; engaging an engaged switch (or disengaging a
 * disengaged one) changes nothing and returns false. Nothing disengages it but an explicit {@link disengage}.
 */
export class KillSwitch {
  private current: KillSwitchAction | undefined;
  /** Every engage and disengage that changed the state, oldest first. */
  readonly history: KillSwitchEvent[] = [];

  /** True while engaged. */
  get engaged(): boolean {
    return this.current !== undefined;
  }

  /** Who engaged it, why and when; undefined while disengaged. */
  get engagement(): KillSwitchAction | undefined {
    return this.current;
  }

  /**
   * Engages the switch.
   * @returns true if it was disengaged before
   * @throws RiskInputError on an empty `by` or `reason`
   */
  engage(by: string, reason: string, nowMs: number): boolean {
    requireText('engage', by, reason);
    if (this.current) return false;
    this.current = { by, reason, atMs: nowMs };
    this.history.push({ action: 'engage', by, reason, atMs: nowMs });
    return true;
  }

  /**
   * Disengages the switch; the reason is mandatory (why is it safe to trade again?).
   * @returns true if it was engaged before
   * @throws RiskInputError on an empty `by` or `reason`
   */
  disengage(by: string, reason: string, nowMs: number): boolean {
    requireText('disengage', by, reason);
    if (!this.current) return false;
    this.current = undefined;
    this.history.push({ action: 'disengage', by, reason, atMs: nowMs });
    return true;
  }
}

function requireText(what: string, by: string, reason: string): void {
  if (typeof by !== 'string' || by.trim() === '') throw new RiskInputError(`${what}: 'by' is required`);
  if (typeof reason !== 'string' || reason.trim() === '') throw new RiskInputError(`${what}: a reason is required`);
}
