/** The 監査ログ screen's endpoints. */
import { call } from '../ipc';
import type { AuditSearchForm } from '../generated';

export const auditOperations = () => call('audit_operations');
export const auditSearch = (form: AuditSearchForm) => call('audit_search', { form });
export const auditFlags = () => call('audit_flags');
export const auditShipping = () => call('audit_shipping');
export const auditExport = (form: AuditSearchForm) => call('audit_export', { form });
