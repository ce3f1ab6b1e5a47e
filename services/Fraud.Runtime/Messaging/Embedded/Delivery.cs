namespace Fraud.Runtime.Messaging.Embedded;

/// <summary>Events published together, and the publisher waiting for them to be handled.</summary>
internal sealed class Delivery<TEvent>(IReadOnlyList<TEvent> events)
{
    public IReadOnlyList<TEvent> Events { get; } = events;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
