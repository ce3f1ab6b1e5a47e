namespace Fraud.Core.Model;

/// <summary>
/// What a model file says about itself: identity, the features it expects (by name), how and on
/// what it was trained, and its thresholds. Written as <c>manifest.json</c> in the model zip.
/// </summary>
public sealed record ModelManifest
{
    public const string CurrentFormat = "fraud-dapr-model/1";

    public string Format { get; init; } = CurrentFormat;
    public required string Version { get; init; }
    public required ModelKind Kind { get; init; }
    public required string Algorithm { get; init; }
    public required IReadOnlyList<string> Features { get; init; }
    public DateTimeOffset? TrainedFrom { get; init; }
    public DateTimeOffset? TrainedTo { get; init; }
    public TimeSpan LabelDelay { get; init; }
    public long TrainingRows { get; init; }
    public long TrainingFrauds { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>Named thresholds on the model's own scale (e.g. the anomaly score chosen from data).</summary>
    public IReadOnlyDictionary<string, double> Thresholds { get; init; } = new Dictionary<string, double>();
    /// <summary>Training-set and time-split validation metrics (auc_roc, average_precision, ...).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}

public enum ModelKind
{
    Supervised,
    Unsupervised,
}
