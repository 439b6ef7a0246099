// The one holder of the visit being edited: actions go in, the draft is saved to IndexedDB in
// order (the last state always wins) and the screen is told. Photos a change dropped lose their
// bytes after the draft that no longer names them is saved.
import { deletePhoto, putVisit } from "../data/db";
import type { PhotoMeta, VisitRecord } from "../data/types";
import type { CompiledForm } from "../forms/engine";
import { applyDraft, type DraftAction, droppedPhotos } from "./draft";
import { forgetJournal, journalDraft } from "./journal";

export type DraftListener = (v: VisitRecord, action: DraftAction) => void;

export class DraftStore {
  private draft: VisitRecord;
  private saving: Promise<void> = Promise.resolve();
  // A save queued but not started yet writes whatever the draft is when it starts, so a burst
  // of changes (typing, a slow phone) costs two writes, not one per change: the saved copy
  // never falls more than one write behind what the enumerator sees.
  private queued: { photosDropped: PhotoMeta[] } | null = null;
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
    // updatedAt only grows, even if the clock steps back, so the newest copy is recognisable.
    this.draft = { ...after, updatedAt: Math.max(Date.now(), before.updatedAt + 1) };
    journalDraft(this.draft);
    const gone = droppedPhotos(before, after);
    if (this.queued) {
      this.queued.photosDropped.push(...gone);
    } else {
      const queued = { photosDropped: [...gone] };
      this.queued = queued;
      this.saving = this.saving
        .then(async () => {
          this.queued = null; // later changes queue the next write
          const written = this.draft;
          await putVisit(written);
          if (this.draft === written) forgetJournal(written.id);
          for (const p of queued.photosDropped) await deletePhoto(p.id);
        })
        .catch((err: unknown) => {
          // The next change saves the whole draft again; say why this one failed.
          console.error("saving the visit draft failed", err);
        });
    }
    for (const l of this.listeners) l(this.draft, action);
    return this.saving;
  }

  /** Resolves when every change so far is in IndexedDB. */
  saved(): Promise<void> {
    return this.saving;
  }
}
