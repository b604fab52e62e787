/** The 検索 screen's endpoints: residents, one resident's record, a 個人番号 reveal with its purpose. */
import { call } from '../ipc';
import type { ResidentId, RevealPurpose, SearchForm } from '../generated';

export const searchResidents = (form: SearchForm) => call('search', { form });
export const resident = (residentId: ResidentId) => call('resident', { residentId });
export const revealMyNumber = (
  residentId: ResidentId,
  purpose: RevealPurpose,
  purposeText: string | null,
) => call('reveal_my_number', { residentId, purpose, purposeText });
