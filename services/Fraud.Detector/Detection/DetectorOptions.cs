namespace Fraud.Detector.Detection;

/// <summary>Section <c>Fraud:Detector</c>. Validated at start-up.</summary>
public sealed class DetectorOptions
{
    public const string Section = "Fraud:Detector";

    /// <summary>A model written by <c>fraud train</c>. Empty: rules, then an unsupervised model learnt from live traffic.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Transactions observed before the unsupervised model is trained, when no model file is given; 0 keeps rules only.</summary>
    public int BootstrapRows { get; set; } = 50_000;

    /// <summary>
    /// Without a model file: analysts' verdicts on this detector's alerts that confirm fraud before a
    /// supervised model is trained from the reviews and replaces the rules or the unsupervised model
    /// (retrained at twice as many, and so on). 0 never trains one. At 20 a model learnt from so few
    /// alerted frauds alerted on too little, and since it learns only from what it alerts on, it
    /// stayed there (on the simulator's stream it found 14 % of frauds; at 50, 53 %).
    /// </summary>
    public int SupervisedAfterFrauds { get; set; } = 50;

    /// <summary>How long shutdown waits for in-flight deliveries to be scored and committed.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bulk subscribe: most messages Dapr delivers in one request.</summary>
    public int BulkMaxMessages { get; set; } = 500;

    /// <summary>Bulk subscribe: longest Dapr waits to fill a delivery, in milliseconds.</summary>
    public int BulkMaxAwaitMilliseconds { get; set; } = 20;

    /// <summary>How often labels recorded by any detector are read back from the ledger into the merchant profiles.</summary>
    public TimeSpan LabelSyncInterval { get; set; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (BootstrapRows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BootstrapRows), BootstrapRows, "must not be negative");
        }

        if (SupervisedAfterFrauds != 0 && SupervisedAfterFrauds is < 5 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(SupervisedAfterFrauds), SupervisedAfterFrauds, "must be 0 (never) or in [5, 100000]");
        }

        if (DrainTimeout < TimeSpan.Zero || DrainTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "must be between 0 and 10 minutes");
        }

        if (BulkMaxMessages is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BulkMaxMessages), BulkMaxMessages, "must be in [1, 10000]");
        }

        if (BulkMaxAwaitMilliseconds is < 1 or > 60_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BulkMaxAwaitMilliseconds), BulkMaxAwaitMilliseconds, "must be in [1, 60000]");
        }

        if (LabelSyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LabelSyncInterval), LabelSyncInterval, "must be positive");
        }

        if (ModelPath is { Length: > 0 } path && !File.Exists(path))
        {
            throw new ArgumentException($"model file '{Path.GetFullPath(path)}' does not exist; train one with `fraud train`", nameof(ModelPath));
        }
    }
}
