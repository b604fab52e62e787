/** The 交付 screens' endpoints: ready to issue, preview and print (documents, 受付控), 交付 and 回収. */
import { call } from '../ipc';
import type { DocumentId, IssuanceForm, ReprintReason, SupervisorConsent } from '../generated';

export const readyToIssue = () => call('ready_to_issue');
export const previewDocument = (documentId: DocumentId) => call('preview_document', { documentId });
/** A reprint carries its reason and, where the union's policy asks, a 監督者's consent. */
export const printDocument = (
  documentId: DocumentId,
  reason?: ReprintReason,
  supervisor?: SupervisorConsent,
) =>
  call('print_document', {
    documentId,
    ...(reason ? { reason } : {}),
    ...(supervisor ? { supervisor } : {}),
  });
export const previewReceipt = (seq: number) => call('preview_receipt', { seq });
export const printReceipt = (seq: number, reason?: ReprintReason) =>
  call('print_receipt', { seq, ...(reason ? { reason } : {}) });
export const recordIssuance = (form: IssuanceForm) => call('record_issuance', { form });
export const recordReturn = (documentId: DocumentId) =>
  call('record_return', { form: { document_id: documentId } });
export const reprintReasons = () => call('reprint_reasons');
/** Closes a 交付待ち entry with nothing to hand over (転出・死亡). */
export const closeReady = (seq: number) => call('close_ready', { seq });
