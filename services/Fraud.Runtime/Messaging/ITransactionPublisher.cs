using Fraud.Contracts;

namespace Fraud.Runtime.Messaging;

/// <summary>
/// Puts transactions on the <c>transactions</c> topic, keyed by account so one account's
/// transactions stay in order on one partition. The returned task completes only when every
/// accepted transaction is durable (Dapr: the broker acknowledged it; embedded: the ledger
/// committed it), so an API that answers 202 after it never loses an acknowledged transaction.
/// </summary>
public interface ITransactionPublisher
{
    /// <exception cref="BackpressureException">The runtime is saturated; nothing of the batch was taken.</exception>
    Task<PublishResult> PublishAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken);
}

/// <summary>How many were accepted, and which failed and why (the caller may resend all: ids are idempotent).</summary>
public sealed record PublishResult(int Accepted, IReadOnlyList<PublishFailure> Failures)
{
    public static PublishResult AllAccepted(int count) => new(count, []);
}

public sealed record PublishFailure(string TransactionId, string Error);

/// <summary>The runtime cannot take more work now; callers answer 503 with Retry-After.</summary>
public sealed class BackpressureException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
