using Fraud.Contracts;

namespace Fraud.Runtime.Scoring;

/// <summary>
/// Synchronous scoring for authorisation-time checks: the detector's <c>POST /score</c>, reached by
/// Dapr service invocation, or called in-process in the embedded runtime. Nothing is recorded.
/// </summary>
public interface IScoringClient
{
    Task<ScoreResponse> ScoreAsync(Transaction transaction, CancellationToken cancellationToken);
}
