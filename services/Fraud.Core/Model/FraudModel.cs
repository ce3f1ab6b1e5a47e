namespace Fraud.Core.Model;

/// <summary>
/// A trained model in log-odds space: additive, so rules can add to it and its explanation is an
/// exact decomposition. Implementations are immutable and thread-safe.
/// </summary>
public abstract class FraudModel(ModelManifest manifest)
{
    public ModelManifest Manifest { get; } = manifest;

    public string Version => Manifest.Version;

    /// <summary>The ML.NET model this was compiled from, kept in the model file for provenance.</summary>
    public byte[]? Source { get; init; }

    /// <summary>Log-odds of the output for an average training row; contributions explain departures from it.</summary>
    public abstract double Baseline { get; }

    public abstract double LogOdds(ReadOnlySpan<float> features);

    /// <summary>
    /// Log-odds, with <paramref name="contributions"/> (one per feature, engine order) summing to
    /// <c>LogOdds − Baseline</c>.
    /// </summary>
    public abstract double Explain(ReadOnlySpan<float> features, Span<double> contributions);
}
