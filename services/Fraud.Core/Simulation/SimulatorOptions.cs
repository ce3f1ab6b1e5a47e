namespace Fraud.Core.Simulation;

/// <summary>Size and seed of a simulated stream. The same options give the same stream.</summary>
public sealed record SimulatorOptions
{
    public int Accounts { get; init; } = 5000;
    public int Merchants { get; init; } = 1000;
    public int Days { get; init; } = 30;
    public int Seed { get; init; } = 42;
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Multiplies the rate of every fraud scenario; 1 gives about 0.6% fraud.</summary>
    public double FraudIntensity { get; init; } = 1.0;

    public void Validate()
    {
        if (Accounts < 1)
        {
            throw new ArgumentException($"accounts must be at least 1 (got {Accounts}).", nameof(Accounts));
        }

        if (Merchants < 20)
        {
            throw new ArgumentException($"merchants must be at least 20, enough for every kind of merchant (got {Merchants}).", nameof(Merchants));
        }

        if (Days < 1)
        {
            throw new ArgumentException($"days must be at least 1 (got {Days}).", nameof(Days));
        }

        if (FraudIntensity is < 0 or > 1.5)
        {
            throw new ArgumentException($"fraud intensity must be in [0, 1.5] so fraud stays under 1% (got {FraudIntensity}).", nameof(FraudIntensity));
        }
    }
}
