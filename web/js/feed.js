// One day of the board kept current from the change feed (GET /dispatch/board/changes).
import { api } from "./api.js";

const POLL_MS = 2000;

export class DayFeed {
  /** `onChange(feed)` runs after the first load and after every read that changed something. */
  constructor(date, onChange, onError) {
    this.date = date;
    this.onChange = onChange;
    this.onError = onError;
    this.appointments = new Map();
    this.technicians = [];
    this.cursor = null;
    this.polling = false;
    this.timer = null;
    this.reads = Promise.resolve();
  }

  async load() {
    const board = await api("GET", `/dispatch/board?date=${this.date}`);
    this.appointments = new Map(board.appointments.map((a) => [a.appointment_id, a]));
    this.technicians = board.technicians;
    this.cursor = board.cursor;
    this.onChange(this);
    this.polling = true;
    this.schedule();
  }

  schedule() {
    this.timer = setTimeout(async () => {
      await this.refresh();
      if (this.polling) this.schedule();
    }, POLL_MS);
  }

  stop() {
    this.polling = false;
    clearTimeout(this.timer);
  }

  /** Read the changes now (after an action of ours, or on the timer); reads run one after another,
   * so a read asked for after an action always starts after it. */
  refresh() {
    this.reads = this.reads.then(() => this.read());
    return this.reads;
  }

  async read() {
    try {
      const page = await api(
        "GET",
        `/dispatch/board/changes?date=${this.date}&cursor=${encodeURIComponent(this.cursor)}`,
      );
      if (!this.polling) return;
      this.cursor = page.cursor;
      let changed = false;
      for (const change of page.changes) changed = this.apply(change) || changed;
      if (changed) this.onChange(this);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Apply one change when it is newer than what is shown (reads overlap a little). */
  apply(change) {
    const shown = this.appointments.get(change.appointment_id);
    if (change.removed || !change.appointment) {
      return this.appointments.delete(change.appointment_id);
    }
    if (shown && shown.job_version > change.appointment.job_version) return false;
    if (shown && JSON.stringify(shown) === JSON.stringify(change.appointment)) return false;
    this.appointments.set(change.appointment_id, change.appointment);
    return true;
  }

  sorted() {
    return [...this.appointments.values()].sort((a, b) => a.start.localeCompare(b.start));
  }
}

export function isCanceled(appointment) {
  return appointment.status === "canceled" || appointment.job_status === "canceled";
}

export function isOnHold(appointment) {
  return appointment.job_status === "on_hold" && !isCanceled(appointment);
}

export function isUnassigned(appointment) {
  return appointment.technicians.length === 0 && !isOnHold(appointment) && !isCanceled(appointment);
}

export function technicianIds(appointment) {
  return appointment.technicians.map((t) => t.technician_id);
}
