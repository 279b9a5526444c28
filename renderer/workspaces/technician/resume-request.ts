/**
 * A set seal to resume, handed from the dashboard to the sealing form: the form runs it as a seal
 * job (progress, the next-drive question, the unlock code shown once, verify, packing slips), as
 * for a new set. Names an attached drive and, for a set stopped at the next-drive question, the
 * set; never sources (the main side seals those recorded).
 */
export interface SetResumeRequest {
  /** A fresh number per request (the same set may be asked again after a failure). */
  nonce: number;
  /** The attached drive (as drives.list names it): the interrupted member's, or the one chosen to continue on. */
  volumeId: string;
  /** A set stopped at the next-drive question: its id (engine.seal `continueSet`); null for an interrupted member. */
  continueSet: string | null;
  /** Where the set resumes, for the form's notice. */
  setId: string;
  position: number;
  members: number;
}
