// The one holder of the visit being edited: actions go in, the draft is saved to IndexedDB in
// order (the last state always wins) and the screen is told. Photos a change dropped lose their
// bytes after the draft that no longer names them is saved.
import { deletePhoto, putVisit } from "../data/db";
import type { VisitRecord } from "../data/types";
import type { CompiledForm } from "../forms/engine";
import { applyDraft, type DraftAction, droppedPhotos } from "./draft";

export type DraftListener = (v: VisitRecord, action: DraftAction) => void;

export class DraftStore {
  private draft: VisitRecord;
  private saving: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<DraftListener>();

  constructor(
    initial: VisitRecord,
    private readonly form: CompiledForm | null,
  ) {
    this.draft = initial;
  }

  get current(): VisitRecord {
    return this.draft;
  }

  subscribe(l: DraftListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Apply one action, queue its save and tell the listeners; resolves once it is saved. */
  dispatch(action: DraftAction): Promise<void> {
    const before = this.draft;
    const after = applyDraft(before, action, this.form);
    if (after === before) return this.saving;
    this.draft = { ...after, updatedAt: Date.now() };
    const gone = droppedPhotos(before, after);
    const snapshot = this.draft;
    this.saving = this.saving
      .then(async () => {
        await putVisit(snapshot);
        for (const p of gone) await deletePhoto(p.id);
      })
      .catch((err: unknown) => {
        // The next change saves the whole draft again; say why this one failed.
        console.error("saving the visit draft failed", err);
      });
    for (const l of this.listeners) l(this.draft, action);
    return this.saving;
  }

  /** Resolves when every change so far is in IndexedDB. */
  saved(): Promise<void> {
    return this.saving;
  }
}
