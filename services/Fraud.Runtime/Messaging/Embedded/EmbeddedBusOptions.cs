namespace Fraud.Runtime.Messaging.Embedded;

/// <summary>Section <c>Fraud:Bus</c>: the embedded runtime's in-process <c>transactions</c> topic.</summary>
public sealed class EmbeddedBusOptions
{
    public const string Section = "Fraud:Bus";

    /// <summary>Transactions published but not yet committed, at most; publishers wait beyond it.</summary>
    public int Capacity { get; set; } = 100_000;

    /// <summary>How long a publisher waits for room before it is refused (the API answers 503).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most transactions handed to the detector at once (small publishes are coalesced).</summary>
    public int DeliveryBatch { get; set; } = 2_000;

    /// <summary>Deliveries being committed at once; scoring stays in order, commits overlap.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;

    public void Validate()
    {
        if (Capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "must be at least 1");
        }

        if (PublishTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PublishTimeout), PublishTimeout, "must be positive");
        }

        if (DeliveryBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DeliveryBatch), DeliveryBatch, "must be at least 1");
        }

        if (MaxConcurrentDeliveries is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentDeliveries), MaxConcurrentDeliveries, "must be in [1, 64]");
        }
    }
}
