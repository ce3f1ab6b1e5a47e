namespace Fraud.Runtime.Messaging;

/// <summary>
/// A subscriber's handler of one topic's events. Registered with
/// <see cref="SubscriptionExtensions.AddSubscription{TEvent, THandler}"/>; the Dapr subscription
/// endpoints and the embedded bus call the same registered handler. It completes when the events
/// are handled for good (for transactions: scored and committed to the ledger); a throw means
/// "redeliver", so a handler must be idempotent.
/// </summary>
public interface IEventHandler<TEvent>
{
    Task HandleAsync(IReadOnlyList<TEvent> events, CancellationToken cancellationToken);
}
