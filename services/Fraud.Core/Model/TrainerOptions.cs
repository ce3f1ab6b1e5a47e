namespace Fraud.Core.Model;

/// <summary>Hyper-parameters of training. Defaults were chosen by backtest (see bench/RESULTS.md).</summary>
public sealed class TrainerOptions
{
    /// <summary>Below this many frauds in the training window the supervised model is not trusted: PCA instead.</summary>
    public int MinFraudsForSupervised { get; set; } = 20;

    public int Iterations { get; set; } = 500;
    public double LearningRate { get; set; } = 0.05;
    public int Leaves { get; set; } = 7;
    public int MinExamplesPerLeaf { get; set; } = 50;
    public double FeatureFraction { get; set; } = 0.8;
    public double L2Regularization { get; set; } = 1.0;
    public int Seed { get; set; } = 42;

    /// <summary>
    /// Histogram bins per feature. LightGBM's default 255 are quantiles, too coarse in the tails where
    /// the decisive amount thresholds lie.
    /// </summary>
    public int MaxBins { get; set; } = 4096;

    /// <summary>One thread keeps LightGBM's results bit-for-bit reproducible.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Share of the newest training rows held out to estimate out-of-time metrics; 0 skips it.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    public int PcaRank { get; set; } = 8;

    /// <summary>Expected share of anomalies when training without labels: sets the PCA threshold.</summary>
    public double Contamination { get; set; } = 0.01;

    public void Validate()
    {
        Positive(Iterations, nameof(Iterations));
        Positive(Leaves, nameof(Leaves));
        Positive(MinExamplesPerLeaf, nameof(MinExamplesPerLeaf));
        Positive(PcaRank, nameof(PcaRank));
        Positive(Threads, nameof(Threads));
        Positive(MaxBins, nameof(MaxBins));
        if (LearningRate is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be in (0, 1]");
        }

        if (FeatureFraction is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FeatureFraction), FeatureFraction, "must be in (0, 1]");
        }

        if (ValidationFraction is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "must be in [0, 1)");
        }

        if (Contamination is <= 0 or >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(Contamination), Contamination, "must be in (0, 0.5)");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be at least 1");
        }
    }
}
