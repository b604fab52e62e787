/** The 広域連合事務 screens' endpoints (広域連合職員): distributions, 障害認定の審査, 日次処理の結果. */
import { call } from '../ipc';
import type { DisabilityReviewForm, DistributionId, DistributionRequestForm } from '../generated';

export const unionDistributions = () => call('union_distributions');
export const createDistribution = (form: DistributionRequestForm) =>
  call('create_distribution', { form });
export const approveDistribution = (distributionId: DistributionId, contentHash: string) =>
  call('union_approve_distribution', { distributionId, contentHash });
export const disabilityReviews = () => call('disability_reviews');
export const decideDisabilityReview = (form: DisabilityReviewForm) =>
  call('decide_disability_review', { form });
export const dailyRuns = () => call('daily_runs');
