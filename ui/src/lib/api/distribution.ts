/** The 配信 screens' endpoints: review and decision, bulk printing, the report, 宛名一覧 and export. */
import { call } from '../ipc';
import type { DistributionDecisionCode } from '../commands';
import type { DistributionId } from '../generated';

export const distributions = () => call('distributions');
export const samples = (distributionId: DistributionId) =>
  call('distribution_samples', { distributionId });
export const decide = (
  distributionId: DistributionId,
  decision: DistributionDecisionCode,
  reason: string | null,
  contentHash: string,
  password: string,
) => call('decide_distribution', { distributionId, decision, reason, contentHash, password });
export const batchStatus = (distributionId: DistributionId) =>
  call('batch_status', { distributionId });
/** 印刷開始 / 一時停止 / 再開 of a bulk print. */
export const batchControl = (
  cmd: 'batch_start' | 'batch_pause' | 'batch_resume',
  distributionId: DistributionId,
) => call(cmd, { distributionId });
export const batchReport = (distributionId: DistributionId) =>
  call('batch_report', { distributionId });
/** 宛名一覧 (printed kinds) or 媒体出力 (file kinds), encrypted with `password`. */
export const exportFile = (
  cmd: 'mailing_list' | 'export_distribution',
  distributionId: DistributionId,
  password: string,
) => call(cmd, { distributionId, password });
export const batchReprint = (
  distributionId: DistributionId,
  first: number,
  last: number,
  reason: string,
) => call('batch_reprint', { distributionId, first, last, reason });
export const batchPrintReport = (distributionId: DistributionId) =>
  call('batch_print_report', { distributionId });
